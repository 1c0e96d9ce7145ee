"""Property-based tests (hypothesis) of the importer and the statistics on generated inputs."""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
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
def test_interval_contains_the_count(count):
    lower, upper = stats.count_interval(count)
    assert 0 <= lower <= count < upper


@given(st.integers(min_value=0, max_value=10_000))
def test_interval_limits_rise_with_the_count(count):
    assert stats.count_interval(count)[0] <= stats.count_interval(count + 1)[0]
    assert stats.count_interval(count)[1] < stats.count_interval(count + 1)[1]


@given(st.lists(st.integers(min_value=0, max_value=5000), min_size=12, max_size=60))
def test_rolling_total_is_the_sum_of_the_last_12(values):
    rolling = stats.rolling_sum(pd.Series(values), 12)
    assert rolling.iloc[-1] == sum(values[-12:])
    assert rolling.iloc[:11].isna().all()


@given(st.integers(0, 3000), st.integers(0, 3000))
def test_p_value_is_symmetric_and_a_probability(a, b):
    p = stats.change_p_value(a, b)
    assert 0 <= p <= 1 and p == pytest.approx(stats.change_p_value(b, a), rel=1e-12, abs=1e-300)
    if a == b:
        assert p == 1.0
