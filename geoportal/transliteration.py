"""Cyrillic to Latin for the portal's languages: the official romanisation, its ASCII form (for
keys and slugs) and the folded form the search matches on.

latin(text, "be") follows the Belarusian national system of 2007 for geographical names (the
"Instruction on transliteration of Belarusian geographical names with letters of Latin script",
adopted by the UN in 2008): Мінск -> Minsk, Магілёў -> Mahilioŭ, Гомель -> Homieĺ, Віцебск ->
Viciebsk. latin(text, "ru") uses the same instruction's table for Russian names in Belarus (г -> g,
и -> i, щ -> šč): Могилёв -> Mogiliov. Letters of the other language met in the text (і in a
Russian name, и in a Belarusian one) are romanised too; everything else is kept as it is.
"""

import re
import unicodedata

from django.utils.text import slugify

_COMMON = {
    "а": "a", "б": "b", "в": "v", "ґ": "g", "д": "d", "ж": "ž", "з": "z", "і": "i", "и": "i",
    "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ў": "ŭ", "ф": "f", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč",
    "ы": "y", "э": "e", "ъ": "", "ь": "",
}  # fmt: skip
_TABLES = {"be": {**_COMMON, "г": "h"}, "ru": {**_COMMON, "г": "g"}}
# е, ё, ю, я: "j" at the start of a word, after a vowel, an apostrophe, ь, ъ or ў; "i" after a
# consonant.
_IOTATED = {"е": "e", "ё": "o", "ю": "u", "я": "a"}
_VOWELS = set("аеёіиоуыэюяў")
_J_AFTER = _VOWELS | set("ьъ'’ʼ")
# A soft sign after these consonants is an acute accent on them (зь -> ź); elsewhere a prime.
_SOFTENED = {"з": "ź", "л": "ĺ", "н": "ń", "с": "ś", "ц": "ć"}
_APOSTROPHES = set("'’ʼ")


def _is_cyrillic(char):
    return "\u0400" <= char <= "\u04ff"


def _cased(romanised, upper):
    return romanised[:1].upper() + romanised[1:] if upper else romanised


def latin(text, language="be"):
    """The official romanisation of `text` (with its diacritics) for the language given: "be"
    (the default) or "ru"; any other code is read as Belarusian."""
    table = _TABLES.get(language, _TABLES["be"])
    out = []
    previous = ""
    for index, char in enumerate(text):
        lower = char.lower()
        upper = char != lower
        following = text[index + 1 : index + 2].lower()
        if lower in _IOTATED:
            glide = "j" if (not _is_cyrillic(previous) or previous in _J_AFTER) else "i"
            out.append(_cased(glide + _IOTATED[lower], upper))
        elif lower in _SOFTENED and following == "ь":
            out.append(_cased(_SOFTENED[lower], upper))
        elif lower == "ь":
            # Already an acute accent on the consonant before, or a prime after another one.
            if previous not in _SOFTENED:
                out.append("ʹ")
        elif lower in _APOSTROPHES and _is_cyrillic(previous):
            pass  # the Belarusian apostrophe only makes the next vowel's "j"
        elif lower in table:
            out.append(_cased(table[lower], upper))
        else:
            out.append(char)
        previous = lower
    return "".join(out)


def latin_ascii(text, language="be"):
    """latin() without diacritics or primes, in plain ASCII letters where it can be: a key for
    machines, and the base of slugs (Магілёў -> Mahiliou, Гомель -> Homiel)."""
    text = unicodedata.normalize("NFKD", latin(text, language).replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in text if not unicodedata.combining(c) and c != "ʹ")


def slug(text, language="be", max_length=50):
    """A web address part from a title in any script: "Дарогі Брэста" -> "darohi-bresta"."""
    return slugify(latin_ascii(text, language))[:max_length].strip("-")


# ---- Search: every spelling of a name is folded to one Latin skeleton, the official
# romanisations and the English habits alike (Orša, Orsha; Babrujsk, Babruysk; Viciebsk,
# Vitsyebsk), so that trigram similarity compares sounds rather than spelling systems.
_FOLDS = [
    (re.compile(r"shch|sch|sc"), "s"),
    (re.compile(r"[sz]h"), lambda m: m.group(0)[0]),
    (re.compile(r"kh|ch|ts|tz"), "c"),
    (re.compile(r"[jy]"), "i"),
    (re.compile(r"w"), "v"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"i([eaou])"), r"\1"),
    (re.compile(r"[^a-z0-9]+"), " "),
    (re.compile(r"([a-z])\1"), r"\1"),
]


def fold(text, language="be"):
    """The search form of `text`: romanised as `language`, ASCII, lower case, with spelling
    variants folded together."""
    folded = latin_ascii(text, language).lower()
    for pattern, replacement in _FOLDS:
        folded = pattern.sub(replacement, folded)
    return folded.strip()


def search_forms(text):
    """The folded forms of a name or a query whose language is not known: read as Belarusian
    and as Russian (they differ in г, и, щ), without repeats."""
    return list(dict.fromkeys(fold(text, language) for language in ("be", "ru")))
