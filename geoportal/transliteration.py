"""Cyrillic in Latin letters by the official romanisations: Belarusian by the Instruction on the
transliteration of Belarusian geographical names with letters of the Latin script (2007, also
the UN's system for Belarus since 2007): Магілёў -> Mahilioŭ, Гомель -> Homieĺ; Russian by the
UN's system (GOST 1983), which Belarus uses for the Russian forms of its names: Могилёв ->
Mogilëv. `latin` keeps the diacritics, for names shown to people; `ascii_latin` drops them, for
keys and web addresses (`slug`)."""

import re
import unicodedata

from django.utils.text import slugify

VOWELS = set("аеёіиоуыэюя")
APOSTROPHES = set("'’ʼ`")
# е, ё, ю, я (and і after an apostrophe) are j- at the start of a word, after a vowel, an
# apostrophe, a soft sign or ў; i- after a consonant.
BELARUSIAN_IOTATED = {"е": ("je", "ie"), "ё": ("jo", "io"), "ю": ("ju", "iu"), "я": ("ja", "ia")}
BELARUSIAN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "ж": "ž", "з": "z", "і": "i",
    "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ў": "ŭ", "ф": "f", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "ы": "y",
    "э": "e",
}  # fmt: skip
# The soft sign is an acute on these consonants and is otherwise not written.
BELARUSIAN_SOFT = {"з": "ź", "с": "ś", "ц": "ć", "л": "ĺ", "н": "ń"}
RUSSIAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "ž", "з": "z",
    "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč",
    "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "è", "ю": "ju", "я": "ja",
}  # fmt: skip


def _cased(latin, original, following):
    """`latin` in the case of the Cyrillic letter it stands for: Ja after a capital, JA in a word
    written in capitals."""
    if not original.isupper():
        return latin
    if len(latin) > 1 and not (following and following.isupper()):
        return latin[0].upper() + latin[1:]
    return latin.upper()


def _belarusian_letter(text, index):
    letter = text[index].lower()
    previous = text[index - 1].lower() if index else ""
    after_consonant = bool(previous) and previous.isalpha() and previous not in VOWELS
    after_consonant = after_consonant and previous not in "ьў"
    if letter in BELARUSIAN_IOTATED:
        return BELARUSIAN_IOTATED[letter][1 if after_consonant else 0]
    if letter == "і" and previous in APOSTROPHES:
        return "ji"
    if letter == "ь" or letter in APOSTROPHES:
        return ""
    following = text[index + 1].lower() if index + 1 < len(text) else ""
    if letter in BELARUSIAN_SOFT and following == "ь":
        return BELARUSIAN_SOFT[letter]
    return BELARUSIAN.get(letter, RUSSIAN.get(letter, text[index]))


def latin(text, language="be"):
    """The text in Latin letters, with the diacritics of the official romanisation."""
    out = []
    for index, character in enumerate(text):
        if language == "be":
            latin_letter = _belarusian_letter(text, index)
        else:
            latin_letter = RUSSIAN.get(character.lower(), character)
        following = text[index + 1] if index + 1 < len(text) else ""
        out.append(_cased(latin_letter, character, following))
    return "".join(out)


def ascii_latin(text, language="be"):
    """The romanisation without diacritics (ž -> z, ŭ -> u, ĺ -> l) or hard and soft signs."""
    decomposed = unicodedata.normalize("NFKD", latin(text, language))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub("[ʹʺ]", "", plain)


def slug(text, language="be"):
    """A web address part: lowercase ASCII words joined by hyphens ("" when nothing is left)."""
    return slugify(ascii_latin(text, language))
