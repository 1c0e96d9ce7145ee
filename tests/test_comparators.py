"""National comparators: the shipped national rows against the ONS source files cell for cell, the store's
comparators table, the area's rate checked independently from the raw files, periods without a
comparator left out, the chart's traces, the pack's sentence and the card."""

from __future__ import annotations

from urllib.parse import unquote

import pandas as pd
import pytest

from kcsp import comparators, opendata
from kcsp.queries import Dataset
from kcsp.settings import DATA_DIR

DRUGS = opendata.DRUG_POISONING_ID
ENGLAND, ENGLAND_WALES = "E92000001", "K04000001"
KENT_AND_MEDWAY = "E23000032"
THANET = "E07000114"
KENT_LOCAL = [f"E07000{n}" for n in range(105, 117)] + ["E06000035"]
LOCAL_AUTHORITY = ("E06", "E07", "E08", "E09", "W06")
needs_source = pytest.mark.skipif(not opendata.SOURCE_DIR.exists(),
                                  reason="the shared source files are not on this machine")


@pytest.fixture(scope="module")
def raw_deaths() -> pd.DataFrame:
    """The ONS deaths file as published: one row per area, one column per registration year."""
    return pd.read_csv(opendata.SOURCE_DIR / opendata.DEATHS_SOURCE, encoding="cp1252",
                       dtype={"code": "str"}).set_index("code")


@pytest.fixture(scope="module")
def raw_residents() -> pd.DataFrame:
    """Residents per local authority and year from the ONS single-age file, 2001 on (every age estimated)."""
    raw = pd.read_csv(opendata.SOURCE_DIR / opendata.POPULATION_SOURCE, dtype="str")
    raw = raw[raw["year"].astype(int) >= 2001]
    ages = [c for c in raw.columns if c.startswith("Age")]
    return pd.DataFrame({"code": raw["code"], "year": raw["year"].astype(int),
                         "residents": raw[ages].astype("int64").sum(axis=1)})


def _residents(raw_residents: pd.DataFrame, codes, year: int) -> int:
    rows = raw_residents[(raw_residents["year"] == year) & raw_residents["code"].isin(codes)]
    return int(rows["residents"].sum())


def _country(raw_residents: pd.DataFrame, letters: tuple[str, ...]) -> list[str]:
    codes = raw_residents["code"]
    return sorted(set(codes[codes.str[:3].isin(LOCAL_AUTHORITY) & codes.str[0].isin(letters)]))


def shipped() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "ons" / opendata.NATIONAL_DEATHS_FILE, dtype={"area_code": "str"})


@needs_source
def test_the_shipped_file_is_what_the_conversion_writes(tmp_path):
    written = opendata.convert(opendata.SOURCE_DIR, out=tmp_path, national=tmp_path, boundaries=False)
    name = opendata.NATIONAL_DEATHS_FILE
    assert written[tmp_path / name] == 2 * 28
    assert (tmp_path / name).read_bytes() == (DATA_DIR / "ons" / name).read_bytes()


@needs_source
def test_shipped_national_deaths_are_the_source_cells(raw_deaths):
    frame = shipped()
    assert set(frame["area_code"]) == {ENGLAND, ENGLAND_WALES}
    years = [c for c in raw_deaths.columns if c.isdigit()]
    assert len(frame) == 2 * len(years)
    for row in frame.itertuples():
        assert row.deaths == int(raw_deaths.at[row.area_code, str(row.year)]), (row.area_code, row.year)
    table = opendata.comparator_table(pd.DataFrame({"indicator_id": [DRUGS]}))
    counts = table[table["measure"] == "count"]
    assert len(counts) == 2 * len(years)
    for row in counts.itertuples():
        assert row.value == float(raw_deaths.at[row.area_code, str(row.period.year)]), (row.area_code, row.period)


@needs_source
def test_national_residents_are_the_sum_of_the_local_authorities(raw_residents):
    frame = shipped().set_index(["area_code", "year"])
    england, both = _country(raw_residents, ("E",)), _country(raw_residents, ("E", "W"))
    assert (len(england), len(both)) == (309, 331)
    for year in range(2001, 2021):
        assert frame.at[(ENGLAND, year), "population"] == _residents(raw_residents, england, year)
        assert frame.at[(ENGLAND_WALES, year), "population"] == _residents(raw_residents, both, year)
    assert frame.at[(ENGLAND, 2020), "population"] == 56_550_138  # ONS mid-2020, England
    assert frame.at[(ENGLAND_WALES, 2020), "population"] == 59_719_724  # ONS mid-2020, England and Wales
    assert frame.loc[ENGLAND, "population"].loc[1993:1996].isna().all()  # no estimate before 1997


@needs_source
def test_only_a_figure_of_residents_gets_a_rate(raw_deaths):
    local = raw_deaths[raw_deaths.index.str[:3].isin(LOCAL_AUTHORITY)]
    years = [c for c in raw_deaths.columns if c.isdigit()]
    england_sum = local[local.index.str[0] == "E"][years].sum()
    both_sum = local[years].sum()
    assert (england_sum == raw_deaths.loc[ENGLAND, years]).all()
    assert (both_sum < raw_deaths.loc[ENGLAND_WALES, years]).all()  # it also counts people who lived elsewhere
    frame = shipped().set_index("area_code")["residents_only"]
    assert frame[ENGLAND].all() and not frame[ENGLAND_WALES].any()
    table = opendata.comparator_table(pd.DataFrame({"indicator_id": [DRUGS]}))
    rates = table[table["measure"] == comparators.RATE]
    assert set(rates["area_code"]) == {ENGLAND}
    assert list(rates["period"].dt.year) == list(range(1997, 2021))
    by_year = shipped().set_index(["area_code", "year"])
    for row in rates.itertuples():
        key = (row.area_code, row.period.year)
        assert row.value == by_year.at[key, "deaths"] / by_year.at[key, "population"] * 100_000
    assert opendata.comparator_table(pd.DataFrame({"indicator_id": ["police-uk-drugs"]})).empty


def test_the_demo_store_holds_the_comparators(dataset, demo_store):
    held = dataset.tables["comparators"]
    made = opendata.comparator_table(dataset.indicators)
    assert len(held) == len(made) == 28 * 2 + 24 * 2 + 24
    pd.testing.assert_frame_equal(held.reset_index(drop=True).astype({"value": "float64"}),
                                  made.astype({"period": "datetime64[ns]"}), check_dtype=False)
    assert demo_store.path("comparators").exists()


@needs_source
def test_the_area_rate_is_count_over_residents_from_the_raw_files(dataset, raw_deaths, raw_residents):
    frame = comparators.comparison(dataset, DRUGS).set_index("period")
    assert set(frame["area_code"]) == {KENT_AND_MEDWAY} and set(frame["comparator_code"]) == {ENGLAND}
    england = _country(raw_residents, ("E",))
    for year in (2001, 2016, 2020):
        row = frame.loc[pd.Timestamp(f"{year}-01-01")]
        deaths = int(raw_deaths.loc[KENT_LOCAL, str(year)].sum())
        residents = _residents(raw_residents, KENT_LOCAL, year)
        assert (row["area_count"], row["area_population"]) == (deaths, residents)
        assert row["area_rate"] == pytest.approx(deaths / residents * 100_000, rel=1e-12)
        national = int(raw_deaths.at[ENGLAND, str(year)]) / _residents(raw_residents, england, year) * 100_000
        assert row["comparator_rate"] == pytest.approx(national, rel=1e-12)
        assert (row["comparator_name"], row["unit"]) == ("England", "deaths per 100,000 residents")
    thanet = comparators.comparison(dataset, DRUGS, THANET).set_index("period").loc[pd.Timestamp("2020-01-01")]
    expected = int(raw_deaths.at[THANET, "2020"]) / _residents(raw_residents, [THANET], 2020) * 100_000
    assert thanet["area_rate"] == pytest.approx(expected, rel=1e-12)


def test_periods_with_no_comparator_are_left_out(dataset):
    held = dataset.series(DRUGS)["period"]
    assert held.min() == pd.Timestamp("1993-01-01")  # the area's deaths go back to 1993
    frame = comparators.comparison(dataset, DRUGS)
    assert list(frame["period"].dt.year) == list(range(1997, 2021))  # England's rate starts with its residents
    early = comparators.comparison(dataset, DRUGS, None, pd.Timestamp("1990-01-01"), pd.Timestamp("1996-12-01"))
    assert early.empty and comparators.words(early) == ""
    tables = dict(dataset.tables)
    table = tables["comparators"]
    tables["comparators"] = table[table["period"] != pd.Timestamp("2019-01-01")]
    fewer = comparators.comparison(Dataset(tables, today=dataset.today), DRUGS)
    assert pd.Timestamp("2019-01-01") not in set(fewer["period"]) and len(fewer) == len(frame) - 1
    assert comparators.comparison(dataset, "police-uk-burglary").empty
    assert not comparators.has_comparator(dataset, "drug-related-deaths")  # the narrower drug-misuse measure
    assert comparators.comparison(dataset, "no-such-indicator").empty


def test_a_store_from_before_the_table_reads_as_no_comparators(dataset, demo_store, tmp_path):
    from tests.fixture_store import copy_store

    store = copy_store(demo_store, tmp_path / "store")
    store.path("comparators").unlink()
    old = store.read_all()
    assert old["comparators"].empty and list(old["comparators"].columns) == list(dataset.tables["comparators"])
    assert comparators.comparison(Dataset(old, today=dataset.today), DRUGS).empty
    tables = {k: v for k, v in dataset.tables.items() if k != "comparators"}
    assert comparators.comparison(Dataset(tables, today=dataset.today), DRUGS).empty


def test_validate_names_comparators_of_an_unknown_indicator(dataset, demo_store, tmp_path):
    from kcsp.store import Store

    assert not [p for p in demo_store.validate() if "comparators" in str(p.file)]
    store = Store(tmp_path / "store")
    bad = dataset.tables["comparators"].head(1).assign(indicator_id="no-such-indicator")
    store.write({**dataset.tables, "comparators": bad})
    problems = [p for p in store.validate() if str(p.file).endswith("comparators.csv")]
    assert [(p.row, p.column) for p in problems] == [(2, "indicator_id")]


def example() -> pd.DataFrame:
    periods = pd.to_datetime(["2019-01-01", "2020-01-01"])
    return pd.DataFrame({
        "period": periods, "area_rate": [5.98, 7.04], "comparator_rate": [7.3, 7.625], "comparator_name": "England",
        "unit": "deaths per 100,000 residents", "period_label": ["2019", "2020"], "area_code": "E10000016",
        "area_name": "Kent", "area_count": [95.0, 116.0], "area_population": [1_589_000.0, 1_648_000.0],
        "comparator_code": ENGLAND, "source": "ONS"})[comparators.COLUMNS]


def test_words_say_the_latest_period_of_both():
    assert comparators.words(example()) == (
        "In 2020 Kent's rate was 7.0 deaths per 100,000 residents; England's was 7.6 (ONS).")


def test_words_for_the_demo_store(dataset):
    frame = comparators.comparison(dataset, DRUGS, THANET, pd.Timestamp("2010-01-01"), pd.Timestamp("2015-12-01"))
    assert comparators.words(frame) == (
        "In 2015 Thanet's rate was 10.7 deaths per 100,000 residents; England's was 6.2 "
        "(ONS deaths related to drug poisoning and mid-year population estimates).")


def test_the_figure_tells_the_two_lines_apart_without_colour():
    from components.charts import comparator_figure

    figure = comparator_figure(example(), title_unit="deaths per 100,000 residents")
    area, national = figure["data"]
    assert [t["name"] for t in figure["data"]] == ["Kent", "England"]
    assert area["line"].get("dash", "solid") != national["line"]["dash"]
    assert area["marker"]["symbol"] != national["marker"]["symbol"]
    assert area["line"]["color"] != national["line"]["color"]
    assert area["y"] == [5.98, 7.04] and national["y"] == [7.3, 7.625]
    assert area["x"] == national["x"] == ["2019-01-01", "2020-01-01"]
    assert "%{y:.1f} deaths per 100,000 residents" in area["hovertemplate"]
    assert "count %{customdata[1]:,.0f}" in area["hovertemplate"] and area["customdata"][1] == ["2020", 116.0]
    assert "%{y:.1f}" in national["hovertemplate"] and "England" in national["hovertemplate"]
    assert figure["layout"]["yaxis"]["title"]["text"] == "Deaths per 100,000 residents"
    assert figure["layout"]["showlegend"] is True


def test_the_card_shows_chart_sentence_table_and_csv(dataset):
    from components.comparator_card import comparator_card, comparator_table

    indicator = dataset.indicator(DRUGS)
    frame = comparators.comparison(dataset, DRUGS)
    card = comparator_card(indicator=indicator, frame=frame, dates="Published 2021.")
    text = str(card)
    assert card.id == f"comparator-{DRUGS}"
    assert ("Deaths related to drug poisoning: Kent and Medway and England, deaths per 100,000 residents, "
            "1997 to 2020") in text
    assert comparators.words(frame) in text and "not age-standardised" in text
    table = comparator_table(frame)
    assert list(table.columns) == ["Year", "Kent and Medway: count", "Kent and Medway: residents",
                                   "Kent and Medway: rate per 100,000", "England: rate per 100,000"]
    assert len(table) == 24 and table.iloc[-1]["Year"] == "2020"
    link = next(c for c in card.children.children if getattr(c, "id", None) == {"card": "comparator", "key": DRUGS,
                                                                                 "part": "csv"})
    rows = unquote(link.href.split(",", 1)[1]).splitlines()
    assert rows[0].startswith("period,period_label,area_code") and len(rows) == 25
    assert comparator_card(indicator=indicator, frame=frame.iloc[0:0]) is None
