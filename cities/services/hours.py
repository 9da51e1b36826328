"""Opening hours. What is stored (and what the pages and the API read) is OpenStreetMap's
opening_hours syntax. Citizens read a week from today, day by day, in the page's language, today's
row marked and public holidays noted, never the raw syntax (week). Planners fill in a week in the
admin instead, one row per weekday with up to two time ranges and a row for public holidays, or
type the hours as they write them ("Пн-Пт 8.00-20.00; Сб 10.00-16.00"), which is turned into that
syntax (OpeningHoursField); a timetable the rows cannot show exactly (seasons, dates, sunset...)
is kept and edited as text."""

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from opening_hours import OpeningHours, ParserError, State

from ..models.services import validate_opening_hours
from .query import SERVICE_COUNTRY, SERVICE_TIMEZONE, _opening_hours

DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
RANGES = 2
# A Monday of a week without public holidays, and a whole year (seasons and dates show there).
REFERENCE_MONDAY = datetime(2024, 1, 8)
YEAR = (datetime(2024, 1, 1), datetime(2025, 1, 1))
TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")

# Day names as planners type them, in Belarusian and Russian, full or short.
LOCAL_DAYS = {
    "Mo": ["панядзелак", "понедельник", "пн"],
    "Tu": ["аўторак", "вторник", "аўт", "аў", "вт"],
    "We": ["серада", "среда", "ср"],
    "Th": ["чацвер", "четверг", "чц", "чт"],
    "Fr": ["пятніца", "пятница", "пт"],
    "Sa": ["субота", "суббота", "сб"],
    "Su": ["нядзеля", "воскресенье", "нд", "вс"],
    "PH": ["святы", "праздники", "свята"],
}
LOCAL_WORDS = {
    "off": ["выхадны", "выходной", "выходны", "зачынена", "закрыто"],
    "24/7": ["кругласутачна", "круглосуточно"],
}


@dataclass
class Week:
    """Per weekday (Mo..Su) its open ranges [("08:00", "20:00")], [] when closed; holidays:
    None when they follow the weekday, [] when closed, else their ranges."""

    days: dict = field(default_factory=lambda: {day: [] for day in DAYS})
    holidays: list | None = None


def week_to_osm(week):
    rules, start = [], 0
    if all(week.days[day] == [("00:00", "24:00")] for day in DAYS):
        rules.append("24/7")
        start = len(DAYS)
    while start < len(DAYS):
        ranges, end = week.days[DAYS[start]], start
        while end + 1 < len(DAYS) and week.days[DAYS[end + 1]] == ranges:
            end += 1
        if ranges:
            days = DAYS[start] if end == start else f"{DAYS[start]}-{DAYS[end]}"
            rules.append(f"{days} {_ranges_text(ranges)}")
        start = end + 1
    if week.holidays is not None:
        rules.append(f"PH {_ranges_text(week.holidays) if week.holidays else 'off'}")
    return "; ".join(rules)


def _ranges_text(ranges):
    return ",".join(f"{start}-{end}" for start, end in ranges)


def osm_to_week(text):
    """The Week that is exactly `text` (checked over a whole year with Belarus' holidays), or
    None when rows cannot show it."""
    if not text:
        return Week()
    rules = [rule.strip() for rule in text.split(";") if rule.strip()]
    week = Week()
    holiday_rules = [rule for rule in rules if rule.startswith("PH ")]
    if len(holiday_rules) > 1:
        return None
    if holiday_rules:
        times = holiday_rules[0][3:].strip()
        week.holidays = [] if times in ("off", "closed") else _parse_ranges(times)
        if week.holidays is None:
            return None
    others = "; ".join(rule for rule in rules if not rule.startswith("PH "))
    try:
        if others:
            _fill_week(week, OpeningHours(others))
        exact = _year(text) == _year(week_to_osm(week))
    except (ParserError, ValueError):
        return None
    too_many = any(len(ranges) > RANGES for ranges in week.days.values())
    return week if exact and not too_many else None


def _parse_ranges(text):
    ranges = []
    for part in text.split(","):
        start, _dash, end = part.partition("-")
        if not (TIME.match(start.strip()) and TIME.match(end.strip())):
            return None
        ranges.append((start.strip(), end.strip()))
    return ranges


def _fill_week(week, hours):
    monday, sunday_end = REFERENCE_MONDAY, REFERENCE_MONDAY + timedelta(days=7)
    for start, end, state, _comment in hours.intervals(monday, sunday_end):
        if state != State.OPEN:
            continue
        day = start
        while day < end:
            midnight = datetime(day.year, day.month, day.day) + timedelta(days=1)
            stop = min(end, midnight)
            closing = "24:00" if stop == midnight else stop.strftime("%H:%M")
            week.days[DAYS[day.weekday()]].append((day.strftime("%H:%M"), closing))
            day = stop


def _year(text):
    hours = OpeningHours(text, country=SERVICE_COUNTRY) if text else None
    return [] if hours is None else list(hours.intervals(*YEAR))


def from_local(text):
    """The hours as a planner types them turned into OSM syntax, word by word (day names,
    "8.00" times, "выходны"); text already in OSM syntax stays as it is."""
    text = re.sub(r"\s*[–—]\s*", "-", text.strip())
    for osm, words in {**LOCAL_DAYS, **LOCAL_WORDS}.items():
        for word in sorted(words, key=len, reverse=True):
            text = re.sub(rf"(?<![\w/]){word}\.?(?!\w)", osm, text, flags=re.IGNORECASE)
    text = re.sub(r"(?<![\d:])(\d{1,2})[.:](\d{2})(?!\d)", _padded_time, text)
    # "Mo-Fr 08:00-20:00, Sa 10:00-16:00": a comma before a day starts a new rule.
    text = re.sub(r"(\d{2}|off)\s*,\s*(?=(Mo|Tu|We|Th|Fr|Sa|Su|PH)\b)", r"\1; ", text)
    return re.sub(r"\s+", " ", text)


def _padded_time(match):
    return f"{int(match[1]):02d}:{match[2]}"


class OpeningHoursWidget(forms.Widget):
    """The week's rows, and the same hours as text: the text wins when it was edited (by hand,
    or by the page's script from the rows), the rows otherwise."""

    template_name = "services/widgets/opening_hours.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        text = value if isinstance(value, str) else (value or {}).get("text", "")
        week = osm_to_week(text)
        context["widget"].update(
            text=text,
            table=week is not None,
        )
        week = week or Week()
        holidays = week.holidays
        context["widget"].update(
            days=[(day, WEEKDAYS[i], _padded(week.days[day])) for i, day in enumerate(DAYS)],
            holidays=_padded(holidays or []),
            holiday_mode="same" if holidays is None else ("closed" if holidays == [] else "hours"),
        )
        return context

    def value_from_datadict(self, data, files, name):
        rows = {key[len(name) + 1 :]: value for key, value in data.items()
                if key.startswith(f"{name}_")}  # fmt: skip
        return {"text": data.get(name, ""), "initial": data.get(f"{name}_initial", ""),
                "rows": rows}  # fmt: skip


def _padded(ranges):
    return list(ranges) + [("", "")] * (RANGES - len(ranges))


class OpeningHoursField(forms.CharField):
    widget = OpeningHoursWidget

    def to_python(self, value):
        if isinstance(value, dict):
            value = self._chosen(value["text"].strip(), value["initial"].strip(), value["rows"])
        value = from_local(super().to_python(value))
        try:
            validate_opening_hours(value)
        except ValidationError:
            raise ValidationError(
                gettext(
                    "“%(value)s” could not be read as opening hours: fill in the table, or write "
                    "them like “Пн-Пт 8.00-20.00; Сб 10.00-16.00”."
                )
                % {"value": value}
            ) from None
        return value

    def _chosen(self, text, initial, rows):
        """The text when it was edited; else the rows, unless they say what the stored text
        already says (kept as it was written) or could not show it (then they are empty)."""
        if text != initial:
            return text
        week = osm_to_week(initial)
        if week is None:
            return initial
        from_rows = self._from_rows(rows)
        return initial if from_rows == week_to_osm(week) else from_rows

    def _from_rows(self, rows):
        week = Week()
        for day in DAYS:
            week.days[day] = self._ranges(rows, day, WEEKDAYS[DAYS.index(day)])
        mode = rows.get("PH_mode", "same")
        if mode == "closed":
            week.holidays = []
        elif mode == "hours":
            week.holidays = self._ranges(rows, "PH", _("public holidays"))
        return week_to_osm(week)

    def _ranges(self, rows, key, label):
        ranges = []
        for index in range(RANGES):
            start = rows.get(f"{key}_{index}_from", "").strip()
            end = rows.get(f"{key}_{index}_to", "").strip()
            if not (start or end):
                continue
            times = [self._time(value, label) for value in (start, end)]
            ranges.append(tuple(times))
        return ranges

    def _time(self, value, label):
        match = TIME.match(value) if value else None
        hours, minutes = (int(match[1]), int(match[2])) if match else (99, 99)
        if not (hours < 24 and minutes < 60 or (hours, minutes) == (24, 0)):
            raise ValidationError(
                gettext("%(day)s: “%(value)s” is not a time; write it like 8.00 or 08:00.")
                % {"day": label, "value": value}
            )
        return f"{hours:02d}:{minutes:02d}"


# What citizens read.

WEEK_DAYS = 7


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
    for offset in range(WEEK_DAYS):
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
            text = gettext("open 24 hours")
        elif spans:
            text = ", ".join(f"{_clock(o, end)}–{_clock(c, end)}" for o, c in spans)
        else:
            text = gettext("unknown") if unknown else gettext("closed")
        days.append({
            "date": day.isoformat(),
            "day": formats.date_format(day, "l"),
            "today": offset == 0,
            "holiday": _is_holiday(day),
            "hours": text,
        })  # fmt: skip
    return days
