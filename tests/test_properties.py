"""Property-based tests (hypothesis) of the importer and the statistics on generated inputs."""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kcsp import stats
from kcsp.importers.police_uk import COLUMNS, read_police_uk

PLACES = {"Maidstone": "E07000110", "Shepway": "E07000112", "Folkestone and Hythe": "E07000112",
          "Medway": "E06000035", "Thanet": "E07000114", "Bexley": "OUTSIDE-KM", "Wealden": "OUTSIDE-KM",
          "": "NO-LOCATION"}
CRIMES = ["Burglary", "Anti-social behaviour", "Violence and sexual offences", "Other theft"]

rows = st.lists(st.tuples(st.sampled_from(sorted(PLACES)), st.sampled_from(CRIMES),
                          st.integers(min_value=1, max_value=12)), min_size=1, max_size=60)


def write_month(folder: Path, month: str, records: list[tuple[str, str]]) -> Path:
    path = folder / f"{month}-kent-street.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for i, (place, crime) in enumerate(records):
            lsoa = f"{place} {i % 900 + 1:03d}A" if place else ""
            writer.writerow(["", month, "Kent Police", "Kent Police", "", "", "On or near X", "", lsoa, crime, "", ""])
    return path


@settings(max_examples=40, deadline=None)
@given(rows)
def test_importer_counts_every_generated_row_exactly_once(records):
    by_month: dict[str, list[tuple[str, str]]] = {}
    for place, crime, month in records:
        by_month.setdefault(f"2021-{month:02d}", []).append((place, crime))
    with tempfile.TemporaryDirectory() as tmp:
        paths = [write_month(Path(tmp), month, recs) for month, recs in by_month.items()]
        frame, report = read_police_uk(paths)
    expected = Counter((f"police-uk-{c.lower().replace(' ', '-')}", PLACES[p], f"2021-{m:02d}-01")
                       for p, c, m in records)
    got = {(r.indicator_id, r.area_code, r.period.strftime("%Y-%m-%d")): r.value
           for r in frame.itertuples() if r.value}
    assert got == dict(expected)
    assert report.rows_read == len(records) == int(frame["value"].sum())


@given(st.integers(min_value=0, max_value=100_000))
def test_byar_interval_contains_the_count(count):
    lower, upper = stats.byar_interval(count)
    assert 0 <= lower <= count < upper


@given(st.integers(min_value=0, max_value=10_000))
def test_byar_limits_rise_with_the_count(count):
    assert stats.byar_interval(count)[0] <= stats.byar_interval(count + 1)[0]
    assert stats.byar_interval(count)[1] < stats.byar_interval(count + 1)[1]


monthly_values = st.lists(st.integers(min_value=0, max_value=5000), min_size=24, max_size=60)


@given(monthly_values)
def test_last_12_comparison_adds_up(values):
    series = pd.DataFrame({"period": pd.date_range("2018-01-01", periods=len(values), freq="MS"), "value": values})
    comparison = stats.compare_last_12(series)
    assert comparison.current == sum(values[-12:])
    assert comparison.previous == sum(values[-24:-12])
    if comparison.previous:
        assert abs(comparison.percent - (comparison.current / comparison.previous - 1) * 100) < 1e-9


@given(monthly_values)
def test_rolling_total_is_the_sum_of_the_last_12(values):
    series = pd.DataFrame({"period": pd.date_range("2018-01-01", periods=len(values), freq="MS"), "value": values})
    rolling = stats.rolling_12(series)
    assert rolling.iloc[-1] == sum(values[-12:])
    assert rolling.iloc[:11].isna().all()


@given(st.floats(0, 100), st.floats(0, 100), st.floats(0, 100))
def test_judgement_is_similar_exactly_when_the_benchmark_is_inside(a, b, benchmark):
    lower, upper = min(a, b), max(a, b)
    verdict = stats.judge(lower, upper, benchmark, "lower-is-better")
    assert (verdict == "Similar") == (lower <= benchmark <= upper)
