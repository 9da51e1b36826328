"""KML 2.2 text, written piece by piece (the exporter streams it, one placemark per row) and
escaped: every name and value is XML-escaped and stripped of the characters XML 1.0 forbids, so
that a hostile attribute name or title stays text. Geometry comes from PostGIS's ST_AsKML.

Like GDAL's drivers, an attribute called "name" becomes the placemark's <name> and one called
"description" its <description>; the others are SchemaData of one Schema.
"""

import re
from xml.sax.saxutils import escape, quoteattr

SCHEMA_ID = "attributes"
# Control characters, lone surrogates and the two non-characters that XML 1.0 does not allow.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# KML's SimpleField types for the attribute types an import records.
FIELD_TYPES = {"integer": "int", "number": "double", "real": "double", "boolean": "bool"}
PLACEMARK_FIELDS = ("name", "description")
TAIL = "</Folder>\n</Document>\n</kml>\n"


def text(value):
    """Element content: escaped, without the characters XML 1.0 forbids."""
    return escape(NOT_XML.sub("", str(value)))


def attribute(value):
    """An attribute value, quoted: escaped, without the characters XML 1.0 forbids."""
    return quoteattr(NOT_XML.sub("", str(value)))


def head(title, description, fields):
    """The document up to its features; fields is [(name, attribute type)]."""
    simple_fields = "".join(
        f'<SimpleField name={attribute(name)} type="{FIELD_TYPES.get(kind, "string")}"/>\n'
        for name, kind in fields
        if name not in PLACEMARK_FIELDS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document>\n'
        f"<name>{text(title)}</name>\n<description>{text(description)}</description>\n"
        f'<Schema name="{SCHEMA_ID}" id="{SCHEMA_ID}">\n{simple_fields}</Schema>\n'
        f"<Folder>\n<name>{text(title)}</name>\n"
    )


def placemark(fid, geometry, values):
    """One feature: its id, its geometry as ST_AsKML wrote it (None for none) and its attribute
    values as text ("" for none)."""
    parts = [f'<Placemark id="f{int(fid)}">']
    for name in PLACEMARK_FIELDS:
        if values.get(name, "") != "":
            parts.append(f"<{name}>{text(values[name])}</{name}>")
    data = "".join(
        f"<SimpleData name={attribute(name)}>{text(value)}</SimpleData>"
        for name, value in values.items()
        if name not in PLACEMARK_FIELDS and value != ""
    )
    if data:
        parts.append(
            f'<ExtendedData><SchemaData schemaUrl="#{SCHEMA_ID}">{data}</SchemaData></ExtendedData>'
        )
    if geometry:
        parts.append(geometry)
    parts.append("</Placemark>\n")
    return "".join(parts)
