"""Alternating rounds, their statistics and the report, shared by bench/ogc.py, bench/tiles.py
and bench/import.py.

On a shared 2-core machine the load moves from one second to the next, so two servers measured
one after the other can differ by 4x for no reason of their own. Here every variant (a server, a
size, a way of doing the same work) runs in short rounds in turn, A, B, C, A, B, C, ..., and a
ratio is taken within each round (A's figure over B's, a few seconds apart); a row then reports
the median of the per-round ratios, their spread (min-max and the interquartile range) and whether
the aim is met. An aim counts as settled when the whole interquartile range is on one side of it.
"""

import os
import statistics
from collections.abc import Callable
from dataclasses import dataclass


def load_average():
    """The 1, 5 and 15 minute load averages, as printed beside every figure."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


def alternate(variants: dict[str, Callable[[int], float]], rounds: int, on_figure=None):
    """Run each variant's round function in turn, `rounds` times: {name: [figure per round]}.
    A round function takes the round's number and returns its figure (a rate, a time);
    on_figure(name, round, figure) is called after each, for progress lines."""
    figures = {name: [] for name in variants}
    for number in range(rounds):
        for name, run in variants.items():
            figure = run(number)
            figures[name].append(figure)
            if on_figure:
                on_figure(name, number, figure)
    return figures


def ratios(numerators, denominators):
    """Round-by-round ratios; a round where the denominator is 0 (nothing served) is left out."""
    return [a / b for a, b in zip(numerators, denominators, strict=True) if b]


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float
    q1: float
    q3: float
    count: int


def spread(values):
    """Median, min-max and quartiles of a row's per-round values."""
    values = sorted(values)
    if not values:
        raise ValueError("no rounds to summarise")
    if len(values) == 1:
        q1 = q3 = values[0]
    else:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(statistics.median(values), values[0], values[-1], q1, q3, len(values))


@dataclass(frozen=True)
class Aim:
    """A figure to reach: at least `target` (a speed-up, a rate) or, with at_least=False, at
    most (a slowdown, a time, a memory size)."""

    target: float
    at_least: bool = True
    unit: str = "x"

    def met_by(self, value):
        return value >= self.target if self.at_least else value <= self.target

    def __str__(self):
        return f"{'>=' if self.at_least else '<='} {number(self.target, self.unit)}"


def number(value, unit="x"):
    """2.31x, 1,204/s, 118 MB, 4.5 ms: two decimals for ratios, one below 100, else none."""
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:,.1f}{unit}" if abs(value) < 100 else f"{value:,.0f}{unit}"


def verdict(values, aim):
    """'met' or 'NOT met' by the median; settled when the interquartile range lies wholly on
    that side of the aim, else said to be unsettled (a longer run, more rounds, would tell)."""
    s = spread(values)
    worse, better = (s.q1, s.q3) if aim.at_least else (s.q3, s.q1)
    if aim.met_by(worse):
        return "met"
    if not aim.met_by(better):
        return "NOT met"
    return f"{'met' if aim.met_by(s.median) else 'NOT met'} (unsettled: the IQR straddles the aim)"


def describe(values, unit="x"):
    """'2.31x (1.90-2.80, IQR 2.10-2.50, 5 rounds)': the median and its spread across rounds."""
    s = spread(values)
    low, high, q1, q3 = (number(v, unit).removesuffix(unit) for v in (s.low, s.high, s.q1, s.q3))
    return f"{number(s.median, unit)} ({low}-{high}, IQR {q1}-{q3}, {s.count} rounds)"


# A growth table's aim: a request costs the same at every size (index-bound), within 30%.
FLAT = Aim(1.3, at_least=False)


def relative_costs(rates, aim=FLAT):
    """A growth table's cells: for each variant after the first ({size: [rate per round]}), its
    cost relative to the first's, round by round (the first's rate over its rate), and the
    verdict."""
    first, *others = rates.values()
    cells = []
    for other in others:
        cost = ratios(first, other)
        cells.append(f"{describe(cost)}; {verdict(cost, aim)}")
    return cells


def relative_cost_header(sizes):
    return [f"cost at {size:,} / at {sizes[0]:,}; flat ({FLAT})?" for size in sizes[1:]]


def table(header, rows):
    """A Markdown table, as the docs quote it."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
