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
