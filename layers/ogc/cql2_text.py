"""The CQL2 text parser: pygeofilter's grammar and transformer (pinned in pyproject.toml) with
what the standard has and pygeofilter 0.4 lacks:

- a quote inside a text literal is written twice ('Gats''' is the text Gats'; CQL2 BNF,
  characterLiteral), which pygeofilter's lazy SINGLE_QUOTED terminal cuts at the first quote;
- a bare boolean is a whole filter (TRUE, FALSE, in parentheses too): the grammar cannot take it
  as a predicate without an LALR conflict with the boolean literal, so it is read before it.
"""

import re
from pathlib import Path

from lark import Lark, v_args
from pygeofilter.parsers.cql2_text import parser as pygeofilter_cql2_text

_GRAMMAR = Path(pygeofilter_cql2_text.__file__).with_name("grammar.lark")
_LAZY_QUOTED = 'SINGLE_QUOTED: "\'" /.*?/ "\'"'
_QUOTED = "SINGLE_QUOTED: \"'\" /(?:[^']|'')*/ \"'\""
_BARE_BOOLEAN = re.compile(r"\s*(\(\s*)*(?P<value>true|false)(\s*\))*\s*", re.IGNORECASE)


def _grammar():
    text = _GRAMMAR.read_text()
    # An upgrade of pygeofilter that changes this line must be looked at, not silently missed.
    if _LAZY_QUOTED not in text:
        raise RuntimeError(f"pygeofilter's CQL2 text grammar changed: {_GRAMMAR}")
    return text.replace(_LAZY_QUOTED, _QUOTED)


@v_args(meta=False, inline=True)
class _Transformer(pygeofilter_cql2_text.CQLTransformer):
    def SINGLE_QUOTED(self, token):  # noqa: N802 (lark names the method after the terminal)
        return token[1:-1].replace("''", "'")


_parser = Lark(
    _grammar(),
    parser="lalr",
    maybe_placeholders=False,
    transformer=_Transformer(),
    source_path=str(_GRAMMAR),
    import_paths=[str(_GRAMMAR.parent.parent)],
)


def parse(text):
    """CQL2 text -> pygeofilter AST (or True/False for a bare boolean); lark's errors propagate."""
    bare = _BARE_BOOLEAN.fullmatch(text)
    if bare and text.count("(") == text.count(")"):
        return bare["value"].lower() == "true"
    return _parser.parse(text)
