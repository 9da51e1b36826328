"""Russian words of place and stop names whose Belarusian differs by more than spelling, with
their Belarusian forms. Minsk's stop names exist in Russian only: a reader typing Belarusian
("Кастрычніцкая") finds "Октябрьская" because the index also holds the name with these words put
into Belarusian. Keys are word beginnings (an adjective's ending is the same in both languages:
Октябрьская, Кастрычніцкая), in lower case."""

import re

RU_TO_BE = {
    # Months and the adjectives of dates, the commonest words in street names.
    "январ": "студзен", "феврал": "лют", "мартовск": "сакавіцк", "апрел": "красавік",
    "майск": "травенск", "июн": "чэрвен", "июл": "ліпен", "август": "жнівен",
    "сентябр": "верасн", "октябр": "кастрычнік", "октябрьск": "кастрычніцк",
    "ноябр": "лістапад", "декабр": "снежан", "первомайск": "першамайск",
    # Places and things stops are named after.
    "площад": "плошч", "улиц": "вуліц", "переул": "завул", "проспект": "праспект",
    "вокзал": "вакзал", "больниц": "бальніц", "поликлиник": "паліклінік",
    "университет": "універсітэт", "кольцо": "кальцо", "озер": "возер",
    "побед": "перамог", "независимост": "незалежнасц", "дружб": "сяброўств",
    "советск": "савецк", "пролетарск": "пралетарск", "молодёжн": "моладзев",
    "молодежн": "моладзев", "кладбищ": "могілк", "станци": "станцы",
    "посёл": "пасёл", "посел": "пасел", "деревн": "вёск", "город": "горад",
    "лесн": "лясн", "речн": "рачн",
}  # fmt: skip
_WORD = re.compile(r"\w+", re.UNICODE)
# The longest beginning first: "октябрьск" before "октябр".
_STEMS = sorted(RU_TO_BE, key=len, reverse=True)


def _word(match):
    word = match.group(0)
    lower = word.lower()
    for stem in _STEMS:
        if lower.startswith(stem):
            belarusian = RU_TO_BE[stem] + lower[len(stem) :]
            return belarusian.capitalize() if word[:1].isupper() else belarusian
    return word


def belarusian_words(russian):
    """`russian` with the words above put into Belarusian: "ул. Октябрьская" -> "ул.
    Кастрычніцкая"; other words stay as they are (transliteration finds them)."""
    return _WORD.sub(_word, russian)
