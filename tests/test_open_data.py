"""Real open data shipped in Kent's open-data/ and data/ons (converted by code from the shared files), its
use in rates, the API and district pages; the import page's callbacks and template routes called directly."""

from __future__ import annotations

import base64
import csv
import io

import pandas as pd
import pytest

from kcsp import opendata
from kcsp.settings import PARTNERSHIP_DIR
from tests import partner_files as pf
from tests.support import basic


@pytest.fixture(scope="module")
def client():
    import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


@pytest.mark.skipif(not opendata.SOURCE_DIR.exists(), reason="the shared source files are not on this machine")
def test_shipped_files_are_exactly_what_the_conversion_writes(tmp_path):
    written = opendata.convert(opendata.SOURCE_DIR, out=tmp_path, national=tmp_path, boundaries=False)
    assert {p.name: n for p, n in written.items()} == {
        opendata.POPULATION_FILE: 15 * 24, opendata.DEATHS_FILE: 13 * 28, opendata.DEPRIVATION_FILE: 13,
        opendata.NATIONAL_DEATHS_FILE: 2 * 28}
    for path in written:
        shipped = (opendata.NATIONAL_DIR if path.name == opendata.NATIONAL_DEATHS_FILE
                   else PARTNERSHIP_DIR / opendata.OPEN_DATA_DIR) / path.name
        assert path.read_bytes() == shipped.read_bytes(), path.name


def test_acceptance_maidstone_drug_poisoning_deaths_2020_is_11(client):
    response = client.get("/api/observations.csv?indicator=ons-drug-poisoning-deaths&area=E07000110"
                          "&from=2020-01&to=2020-12")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["period"], r["value"], r["illustrative"], r["import_id"]) for r in rows] == [
        ("2020-01", "11", "false", "")]


def test_the_indicator_is_real_yearly_and_under_substance_misuse(dataset):
    ind = dataset.indicator("ons-drug-poisoning-deaths")
    assert (ind["priority_id"], ind["frequency"], bool(ind["illustrative"])) == ("substance-misuse", "yearly", False)
    assert "legal or illegal" in ind["notes"] and "drug misuse" in ind["notes"]
    deaths = opendata.read(opendata.DEATHS_FILE)
    in_2020 = deaths[deaths["year"] == 2020].set_index("area_code")["deaths"]
    assert in_2020.drop("E06000035").sum() == 116  # the 12 districts add up to ONS's own Kent County figure
    total = dataset.series("ons-drug-poisoning-deaths").set_index("period")["value"]
    assert total[pd.Timestamp("2020-01-01")] == in_2020.sum()


def test_rates_for_2016_use_the_mid_2016_estimates(dataset):
    from kcsp import judgements

    verdicts = judgements.verdicts(dataset, "ons-drug-poisoning-deaths", pd.Timestamp("2016-01-01"),
                                   pd.Timestamp("2016-12-01"), reveal=True)
    frame = judgements.comparison_frame(verdicts)
    estimates = opendata.read(opendata.POPULATION_FILE)
    mid_2016 = estimates[estimates["year"] == 2016].set_index("area_code")["population"]
    assert len(frame) == 13
    for row in frame.itertuples():
        assert row.population == mid_2016[row.area_code]
    windows = {(v.window.first_month, v.window.last_month) for v in verdicts if v.window}
    assert windows == {("2016-01", "2016-12")}
    method = dataset.population.set_index(["area_code", "year"])["method"]
    assert method[("E07000110", 2016)] == "mid-year-estimate"
    assert method[("E07000110", 2021)] == "census"
    assert method[("E07000110", 2023)] == "extrapolated"


def test_deprivation_context_and_ordering(dataset):
    assert opendata.deprivation_sentence("E07000114").startswith(
        "Thanet ranks 30th most deprived of England's 317 local authority districts")
    from components.charts import district_figure
    from kcsp import judgements
    from pages.priority import _with_deprivation

    breakdown = _with_deprivation(judgements.comparison_frame(
        judgements.verdicts(dataset, "police-uk-burglary", reveal=False)))
    by_rate = district_figure(breakdown, total_label="Kent and Medway")["data"][0]["y"]
    by_imd = district_figure(breakdown, total_label="Kent and Medway", order="deprivation")["data"][0]["y"]
    assert by_imd[-1].startswith("Thanet, IMD rank 30")  # plotly draws the last bar at the top
    assert by_imd[0].startswith("Tunbridge Wells, IMD rank 274")
    assert by_rate != by_imd


def test_district_page_shows_deprivation_and_data_page_licences():
    import app
    from pages import data, district

    with app.server.test_request_context("/"):
        page = str(district.layout(area_slug="thanet"))
        assert "Index of Multiple Deprivation 2019" in page and "Open Government Licence v3.0" in page
        text = str(data.layout())
        assert "later years are estimated" in text and "deaths related to drug poisoning" in text


def test_templates_need_an_importer(client):
    assert client.get("/api/templates/marac-cases.xlsx").status_code == 401
    assert client.get("/api/templates/marac-cases.xlsx", headers=basic("viewer")).status_code == 403
    response = client.get("/api/templates/marac-cases.xlsx", headers=basic("admin"))
    assert response.status_code == 200 and response.data[:2] == b"PK"
    csv_template = client.get("/api/templates/ons-drug-poisoning-deaths.csv", headers=basic("admin"))
    assert b"Area code,Area," in csv_template.data
    assert client.get("/api/templates/nope.csv", headers=basic("admin")).status_code == 404


def upload(path) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()


def test_preview_then_confirm_through_the_page_callbacks(writable_store, tmp_path):
    import app
    from pages import data_import

    good = upload(pf.da_long_csv(tmp_path / "da.csv"))
    bad = upload(pf.da_long_csv(tmp_path / "bad.csv", total_error=3))
    with app.server.test_request_context("/", headers=basic("viewer")):
        assert data_import.preview(good, "da-incidents", None, "da.csv", None)[2] is True
        assert data_import.confirm(1, good, "da.csv", {"sha256": "x"}, None)[1] is True
    with app.server.test_request_context("/", headers=basic("admin")):
        refused, pending, disabled, _ = data_import.preview(bad, "da-incidents", None, "bad.csv", None)
        assert pending is None and disabled is True
        assert "total 2512 does not add up" in str(refused)
        shown, pending, disabled, _ = data_import.preview(good, "da-incidents", None, "da.csv", "Kent Police")
        assert disabled is False and pending["indicator"] == "da-incidents"
        assert "import-preview-chart" in str(shown) and "39 changed" in str(shown)
        assert len(writable_store.read("imports")) == 0
        done, disabled, history, preview_after = data_import.confirm(1, good, "da.csv", pending, "Kent Police")
        assert "Imported as I000001" in str(done) and disabled is True
        record = writable_store.read("imports").iloc[0]
        assert (record["imported_by"], record["source"], record["file_name"]) == ("admin", "Kent Police", "da.csv")
        assert "I000001" in str(history)
        assert preview_after == "", "the preview still shows after the import"


def test_a_yearly_headline_reads_as_years_and_a_mixed_one_says_how_much_is_real(dataset, tmp_path, demo_store):
    import shutil

    from kcsp.importers.indicator import import_file
    from kcsp.narrative import plain, priority_narrative
    from kcsp.queries import Dataset
    from kcsp.store import Store
    from kcsp.urlstate import ViewState

    tables = dict(dataset.tables)
    priorities = tables["priorities"].copy()
    substance = priorities["priority_id"] == "substance-misuse"
    priorities.loc[substance, "headline_indicator_id"] = "ons-drug-poisoning-deaths"
    tables["priorities"] = priorities
    yearly = Dataset(tables, today=dataset.today)
    text = " ".join(plain(s) for s in priority_narrative(yearly, "substance-misuse", ViewState()))
    assert "2020" in text and "January 2020" not in text

    root = tmp_path / "store"
    shutil.copytree(demo_store.root, root, ignore=shutil.ignore_patterns(".*"))
    store = Store(root)
    import_file(store, "da-incidents", pf.da_long_csv(tmp_path / "da.csv"))
    mixed = Dataset(store.read_all(), today=dataset.today)
    text = " ".join(plain(s) for s in priority_narrative(mixed, "domestic-abuse",
                                                         ViewState(start="2023-01", end="2023-12")))
    assert "only 3 of the 12 months shown hold real figures from partners" in text


def test_trend_figure_and_table_follow_the_frequency_and_mark_real_parts(dataset):
    from components.charts import trend_figure
    from components.indicator_cards import trend_table
    from components.meeting import pack_figure
    from kcsp.periods import frequency

    yearly = dataset.trend("ons-drug-poisoning-deaths", "E07000110")
    fig = trend_figure(yearly, unit="deaths", frequency=frequency("yearly"))
    assert "xaxis2" not in fig["layout"] and fig["data"][0]["name"] == "Per year"
    assert list(trend_table(yearly, "deaths", frequency("yearly")).columns) == ["Year", "Deaths"]
    assert "Data" not in trend_table(yearly, "deaths", frequency("yearly"))
    monthly = frequency("monthly")
    mixed = dataset.trend("da-incidents").tail(6).copy()
    mixed["illustrative"] = [True, True, False, False, True, True]
    traces = {t.get("meta"): t for t in trend_figure(mixed, unit="incidents", frequency=monthly)["data"]
              if t.get("meta")}
    assert [v is not None for v in traces["real"]["y"]] == [False, False, True, True, False, False]
    assert traces["illustrative"]["line"]["dash"] == "dot"
    assert list(trend_table(mixed, "incidents", monthly)["Data"]) == (["illustrative"] * 2 + ["real"] * 2
                                                                       + ["illustrative"] * 2)
    assert pack_figure(mixed, unit="incidents", breaks=[], frequency=monthly)["layout"]["showlegend"] is True
