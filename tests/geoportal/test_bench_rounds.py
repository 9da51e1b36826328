"""The statistics of bench/rounds.py, which every benchmark's verdict rests on: per-round
ratios, their median and spread, and whether an aim is met (and settled) in one run; and the
benchmarks' rule of touching only their own databases."""

import importlib.util

import pytest
from conftest import ROOT


def bench_module(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rounds = bench_module("rounds")


def test_rounds_alternate_between_variants():
    calls = []
    figures = rounds.alternate(
        {
            "a": lambda n: calls.append(("a", n)) or 10 + n,
            "b": lambda n: calls.append(("b", n)) or 5,
        },
        rounds=3,
    )
    assert calls == [("a", 0), ("b", 0), ("a", 1), ("b", 1), ("a", 2), ("b", 2)]
    assert figures == {"a": [10, 11, 12], "b": [5, 5, 5]}


def test_ratios_are_taken_round_by_round():
    # Round 2 is slow for both (the machine was busy): the ratio still compares like with like.
    assert rounds.ratios([300, 100, 290], [100, 25, 100]) == pytest.approx([3, 4, 2.9])
    assert rounds.ratios([5, 7], [0, 7]) == [1]
    with pytest.raises(ValueError):
        rounds.ratios([1, 2], [1])


def test_spread_gives_median_range_and_quartiles():
    s = rounds.spread([4, 1, 3, 2, 5])
    assert (s.median, s.low, s.high, s.q1, s.q3, s.count) == (3, 1, 5, 2, 4, 5)
    assert rounds.spread([2.5]) == rounds.Spread(2.5, 2.5, 2.5, 2.5, 2.5, 1)
    with pytest.raises(ValueError):
        rounds.spread([])


def test_an_aim_is_met_settled_or_unsettled():
    at_least_3 = rounds.Aim(3)
    assert rounds.verdict([3.1, 3.4, 3.2, 3.6, 3.3], at_least_3) == "met"
    assert rounds.verdict([1.0, 2.1, 2.5, 2.9, 2.2], at_least_3) == "NOT met"
    # The median meets the aim but a quarter of the rounds fall well short: not settled.
    assert rounds.verdict([2.0, 2.5, 3.1, 3.5, 3.6], at_least_3).startswith("met (unsettled")
    assert rounds.verdict([2.0, 2.5, 2.9, 3.5, 3.6], at_least_3).startswith("NOT met (unsettled")


def test_an_upper_bound_aim_reads_the_other_way():
    at_most = rounds.Aim(1.3, at_least=False)
    assert at_most.met_by(1.3) and not at_most.met_by(1.31)
    assert rounds.verdict([1.1, 1.2, 1.25], at_most) == "met"
    assert rounds.verdict([1.5, 1.4, 1.6], at_most) == "NOT met"
    assert str(at_most) == "<= 1.30x"
    assert str(rounds.Aim(1000, unit="/s")) == ">= 1,000/s"


def test_describe_and_table_print_what_the_docs_quote():
    assert rounds.describe([2.0, 3.0, 4.0]) == "3.00x (2.00-4.00, IQR 2.50-3.50, 3 rounds)"
    assert rounds.describe([950, 1050, 1000], "/s") == (
        "1,000/s (950-1,050, IQR 975-1,025, 3 rounds)"
    )
    assert rounds.table(["a", "b"], [[1, "x"]]) == "| a | b |\n|---|---|\n| 1 | x |"
    assert "load average" in rounds.load_average()


def test_a_growth_row_gives_each_size_its_cost_relative_to_the_smallest():
    rates = {"10,000": [100, 50, 100], "100,000": [100, 50, 90], "1,000,000": [25, 10, 25]}
    flat, grows = rounds.relative_costs(rates)
    assert flat.startswith("1.00x (1.00-1.11, IQR 1.00-1.06, 3 rounds); met")
    assert grows.startswith("4.00x (4.00-5.00") and grows.endswith("NOT met")
    assert rounds.relative_cost_header([10_000, 100_000]) == [
        "cost at 100,000 / at 10,000; flat (<= 1.30x)?"
    ]


def test_benchmarks_create_and_drop_only_their_own_databases():
    servers = bench_module("servers")
    assert servers.benchmark_database("geoportal_bench_tiles") == "geoportal_bench_tiles"
    for refused in ("geoportal", "postgres", "test_geoportal"):
        with pytest.raises(ValueError):
            servers.create_database(refused)
        with pytest.raises(ValueError):
            servers.drop_database(refused)
    env = servers.bench_env("geoportal_bench")
    assert env["DATABASE_URL"].endswith("/geoportal_bench")
    assert env["CACHE_URL"] == env["REDIS_URL"] == env["CELERY_BROKER_URL"]
    assert env["CACHE_URL"].endswith(f"/{servers.BENCH_REDIS_DB}") and servers.BENCH_REDIS_DB != 0


def test_no_benchmark_clears_a_cache_or_a_redis_database():
    for path in (ROOT / "bench").glob("*.py"):
        text = path.read_text().lower()
        for call in ("cache.clear(", "flushdb", "flushall"):
            assert call not in text, f"{path.name} calls {call}"
