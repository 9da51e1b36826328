"""Opening hours as citizens read them: a week from today, day by day, in the page's language,
today's row marked and public holidays noted; never the raw OpenStreetMap syntax."""

from datetime import datetime, time, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from opening_hours import ParserError

from .query import SERVICE_TIMEZONE, _opening_hours

DAYS = 7


def _is_holiday(day):
    noon = datetime.combine(day, time(12), SERVICE_TIMEZONE)
    return _opening_hours("PH").is_open(noon)


def _clock(moment, end_of_day):
    return "24:00" if moment == end_of_day else f"{moment.astimezone(SERVICE_TIMEZONE):%H:%M}"


def week(expression, today=None):
    """[{date, day, today, holiday, hours}] for the 7 days from `today` (Minsk time), `hours`
    being "08:00–20:00, 21:00–22:00", "closed", "open 24 hours" or "unknown"; [] without hours
    or with hours that cannot be read."""
    if not expression:
        return []
    try:
        hours = _opening_hours(expression)
    except (ParserError, SyntaxError, ValueError):
        return []
    today = today or timezone.now().astimezone(SERVICE_TIMEZONE).date()
    start = datetime.combine(today, time(0), SERVICE_TIMEZONE)
    days = []
    for offset in range(DAYS):
        day = today + timedelta(days=offset)
        begin = start + timedelta(days=offset)
        end = begin + timedelta(days=1)
        spans, unknown = [], False
        for opens, closes, state, _comment in hours.intervals(begin, end):
            name = str(state).rsplit(".", 1)[-1].lower()
            if name == "open":
                spans.append((opens, closes))
            elif name == "unknown":
                unknown = True
        if spans == [(begin, end)]:
            text = _("open 24 hours")
        elif spans:
            text = ", ".join(f"{_clock(o, end)}–{_clock(c, end)}" for o, c in spans)
        else:
            text = _("unknown") if unknown else _("closed")
        days.append({
            "date": day.isoformat(),
            "day": formats.date_format(day, "l"),
            "today": offset == 0,
            "holiday": _is_holiday(day),
            "hours": text,
        })  # fmt: skip
    return days
