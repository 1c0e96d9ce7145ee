"""The open data of a partnership converted from its folder (kcsp.opendata): Kent's shipped files are what
the conversion writes, byte for byte; Surrey's test folder (tests/partnerships/surrey) holds 11 districts
whose county total is the force-area total, and their boundaries cut from the England districts."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kcsp import opendata
from kcsp.areas import Register
from kcsp.settings import PARTNERSHIP_DIR

SURREY = Path(__file__).parent / "partnerships" / "surrey"
SURREY_STREET = SURREY / "police-uk-files" / "2023-01-surrey-street.csv"
LOCAL_FILES = (opendata.POPULATION_FILE, opendata.DEATHS_FILE, opendata.DEPRIVATION_FILE)
needs_source = pytest.mark.skipif(not opendata.SOURCE_DIR.exists(),
                                  reason=f"the shared source files are not on this machine ({opendata.SOURCE_DIR})")


def folder_copy(source: Path, target: Path, *names: str) -> Path:
    """A partnership folder holding only the named files of ``source`` (the converter's inputs)."""
    target.mkdir(parents=True)
    for name in ("partnership.csv", "areas.csv", *names):
        shutil.copy(source / name, target / name)
    return target


def surrey() -> Register:
    return Register.from_folder(SURREY)


@needs_source
def test_converting_for_kent_writes_the_shipped_files_and_keeps_its_boundaries(tmp_path):
    folder = folder_copy(PARTNERSHIP_DIR, tmp_path / "kent", opendata.BOUNDARIES_FILE)
    written = opendata.convert(opendata.SOURCE_DIR, folder, national=tmp_path / "ons")
    assert {p.relative_to(tmp_path).as_posix(): n for p, n in written.items()} == {
        "kent/open-data/population_mid_year.csv": 15 * 24, "kent/open-data/drug_poisoning_deaths.csv": 13 * 28,
        "kent/open-data/deprivation.csv": 13, "ons/drug_poisoning_deaths_national.csv": 2 * 28}
    for name in LOCAL_FILES:
        shipped = PARTNERSHIP_DIR / opendata.OPEN_DATA_DIR / name
        assert (folder / opendata.OPEN_DATA_DIR / name).read_bytes() == shipped.read_bytes(), name
    national = opendata.NATIONAL_DIR / opendata.NATIONAL_DEATHS_FILE
    assert (tmp_path / "ons" / opendata.NATIONAL_DEATHS_FILE).read_bytes() == national.read_bytes()
    shipped_boundaries = PARTNERSHIP_DIR / opendata.BOUNDARIES_FILE
    assert (folder / opendata.BOUNDARIES_FILE).read_bytes() == shipped_boundaries.read_bytes(), \
        "a folder's own boundaries are kept unless --boundaries is given"


@needs_source
def test_surreys_test_folder_holds_what_the_conversion_writes(tmp_path):
    folder = folder_copy(SURREY, tmp_path / "surrey")
    written = opendata.convert(opendata.SOURCE_DIR, folder, national=None)
    assert {p.name: n for p, n in written.items()} == {
        opendata.POPULATION_FILE: 13 * 24, opendata.DEATHS_FILE: 11 * 28, opendata.DEPRIVATION_FILE: 11,
        opendata.BOUNDARIES_FILE: 11}
    for name in (*(f"{opendata.OPEN_DATA_DIR}/{n}" for n in LOCAL_FILES), opendata.BOUNDARIES_FILE,
                 opendata.BOUNDARIES_LICENCE):
        assert (folder / name).read_bytes() == (SURREY / name).read_bytes(), name


@needs_source
def test_surreys_districts_add_up_to_the_ons_county_figure():
    raw = pd.read_csv(opendata.SOURCE_DIR / opendata.DEATHS_SOURCE, encoding="cp1252", dtype={"code": "str"})
    county = raw[raw["code"] == surrey().county_code].iloc[0]
    deaths = opendata.read(opendata.DEATHS_FILE, SURREY).groupby("year")["deaths"].sum()
    assert all(deaths[year] == int(county[str(year)]) for year in deaths.index)


def test_surrey_has_11_districts_and_its_county_total_is_its_force_area_total():
    register = surrey()
    districts = [c for c in register.local_codes(None) if not register.made_of(c)]
    assert len(districts) == 11 and set(register.members(register.county_code, "2025-01-01")) == set(districts)
    population = opendata.read(opendata.POPULATION_FILE, SURREY)
    totals = {register.county_code, register.force_code}
    assert set(population["area_code"]) == set(districts) | totals
    by_area = population.pivot(index="year", columns="area_code", values="population")
    assert by_area.index.tolist() == list(range(1997, 2021))
    assert (by_area[register.county_code] == by_area[register.force_code]).all()
    assert (by_area[register.county_code] == by_area[districts].sum(axis=1)).all()
    for name in (opendata.DEATHS_FILE, opendata.DEPRIVATION_FILE):
        assert set(opendata.read(name, SURREY)["area_code"]) == set(districts), name


def test_the_new_unitaries_are_made_of_whole_districts_and_hold_no_converted_rows():
    register = surrey()
    unitaries = [c for c in register.local_codes(None) if register.made_of(c)]
    assert len(unitaries) == 2
    parts = [code for u in unitaries for code in register.made_of(u)]
    assert sorted(parts) == sorted(c for c in register.local_codes(None) if c not in unitaries)
    assert register.local_codes("2027-04-01") == unitaries
    for name in LOCAL_FILES:
        assert not set(opendata.read(name, SURREY)["area_code"]) & set(unitaries), name


def test_surreys_boundaries_are_one_feature_per_district():
    register = surrey()
    collection = json.loads((SURREY / opendata.BOUNDARIES_FILE).read_text(encoding="utf-8"))
    features = collection["features"]
    codes = opendata.source_areas(register)
    assert len(features) == 11 and [f["properties"]["code"] for f in features] == codes
    assert [f["properties"]["name"] for f in features] == [register.area_name(c) for c in codes]
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for ring in (r for polygon in polygons for r in polygon):
            assert ring[0] == ring[-1] and len(ring) >= 4
            assert all(-1.0 < x < 0.2 and 51.0 < y < 51.5 for x, y in ring)  # Surrey, roughly
            assert all(round(v, opendata.DECIMALS) == v for point in ring for v in point)


def test_topojson_arcs_are_delta_decoded_scaled_and_reversed():
    topology = {
        "type": "Topology", "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
        "arcs": [[[2, 0], [0, 4]], [[2, 4], [-2, 0], [0, -4], [2, 0]], [[2, 0], [2, 0], [0, 4], [-2, 0]]],
        "objects": {"lad": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "id": "A", "arcs": [[0, 1]]},
            {"type": "MultiPolygon", "properties": {"LAD13CD": "B"}, "arcs": [[[2, ~0]]]},
        ]}},
    }
    geometries = opendata.topojson_geometries(topology)
    assert geometries["A"] == {"type": "Polygon", "coordinates": [
        [[11.0, 20.0], [11.0, 21.0], [10.0, 21.0], [10.0, 20.0], [11.0, 20.0]]]}
    assert geometries["B"] == {"type": "MultiPolygon", "coordinates": [[
        [[11.0, 20.0], [12.0, 20.0], [12.0, 21.0], [11.0, 21.0], [11.0, 20.0]]]]}


def test_deprivation_is_ranked_within_the_partnerships_own_county():
    sentence = opendata.deprivation_sentence("E07000213", SURREY)
    assert sentence.startswith("Spelthorne ranks 208th most deprived of England's 317 local authority districts")
    assert "1st most deprived of Surrey's 11 districts" in sentence
    assert "; 12th most deprived of Kent's 12 districts" in opendata.deprivation_sentence("E07000116")


def test_the_folder_names_no_other_partnership():
    for path in SURREY.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8").lower()
            assert "kent" not in text and "medway" not in text, path


def test_the_street_file_is_in_surrey_polices_format():
    raw = SURREY_STREET.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")
    with SURREY_STREET.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                             "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]
    assert {(r["Reported by"], r["Falls within"]) for r in rows} == {("Surrey Police", "Surrey Police")}
    assert len({r["Crime type"] for r in rows}) == 14
    areas = surrey()
    local = set(areas.local_codes("2025-01-01"))
    located = [r for r in rows if r["LSOA name"]]
    found = [areas.resolve(r["LSOA name"][:-5]) for r in located]
    assert {c for c in found if c in local} == local
    assert len(rows) - len(located) == 2 and sum(c not in local for c in found) == 1
    assert all(r["Crime ID"] == "" for r in rows if r["Crime type"] == "Anti-social behaviour")
