"""Delimited text (CSV, TSV): which character separates the columns, and the header."""

import csv

DELIMITERS = ",;\t|"


def delimiter(header_line):
    """The delimiter most frequent in the header line. csv.Sniffer guesses wrong on short
    samples (and on names with spaces), while a header holds one delimiter between each name."""
    return max(DELIMITERS, key=header_line.count)


def header_and_first_row(text):
    """The column names (stripped) and the first data row of a CSV text's beginning."""
    lines = text.splitlines()[:50]
    if not lines:
        return [], []
    rows = list(csv.reader(lines, delimiter=delimiter(lines[0])))
    header = [name.strip() for name in rows[0]]
    return header, rows[1] if len(rows) > 1 else []


def bad_coordinates(path, x_column, y_column, limit=10):
    """The first `limit` rows whose coordinate columns hold no number, as (row, column, value);
    row 1 is the first row after the header, as GDAL numbers a CSV's features. GDAL skips these
    rows' geometry silently: this says which rows and what they hold."""
    found = []
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        header_line = handle.readline()
        handle.seek(0)
        rows = csv.reader(handle, delimiter=delimiter(header_line))
        header = [name.strip() for name in next(rows, [])]
        columns = [(name, header.index(name)) for name in (x_column, y_column) if name in header]
        for number, row in enumerate(rows, start=1):
            for name, index in columns:
                value = row[index].strip() if index < len(row) else ""
                try:
                    float(value)
                except ValueError:
                    found.append((number, name, value))
            if len(found) >= limit:
                break
    return found[:limit]
