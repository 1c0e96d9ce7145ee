"""The area register (kcsp.areas): names as people type them, totals defined by data, and dates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kcsp.areas import Register
from kcsp.reference import register

SURREY = Path(__file__).parent / "partnerships" / "surrey"


def test_kent_resolves_former_names_and_typed_forms_from_its_data():
    kent = register()
    folkestone = kent.resolve("Folkestone and Hythe")
    assert folkestone and kent.resolve("Shepway") == folkestone == kent.resolve("Folkestone & Hythe District Council")
    assert kent.resolve("Tonbridge & Malling Borough Council") == kent.resolve("tonbridge-and-malling")
    assert kent.resolve("Kent and Medway") == kent.force_code and kent.resolve("KCC") == kent.county_code
    assert kent.resolve("Atlantis") is None and kent.resolve("  ") is None


def test_totals_are_defined_by_the_areas_in_the_agreement():
    kent = register()
    county, force = kent.members(kent.county_code), kent.members(kent.force_code)
    assert len(county) == 12 and len(force) == 13 and set(county) < set(force)
    outside = set(force) - set(county)
    assert all(kent.frame.set_index("area_code").at[c, "in_csa"] == "false" for c in outside)
    assert kent.totals() == [kent.county_code, kent.force_code]
    assert kent.total_for("county") == kent.total_for(kent.slug(kent.county_code)) == kent.county_code
    assert kent.total_for("force-area") == kent.force_code
    with pytest.raises(ValueError, match="unknown coverage"):
        kent.total_for("narnia")


def test_names_and_labels_come_from_the_partnership_row():
    surrey = register(SURREY)
    assert surrey.product_name == "Surrey Community Safety Dashboard"
    assert surrey.all_areas_label == "All of Surrey"
    assert surrey.total_label(surrey.force_code) == surrey.force_area_name


def test_areas_begin_and_end_on_their_dates():
    surrey = register(SURREY)
    before, after = pd.Timestamp("2027-03-31"), pd.Timestamp("2027-04-01")
    assert len(surrey.local_codes(before)) == 11 and len(surrey.local_codes(after)) == 2
    assert surrey.dated and not register().dated
    members_after = surrey.members(surrey.county_code, on=after)
    parts = [part for code in members_after for part in surrey.made_of(code)]
    assert sorted(parts) == sorted(surrey.local_codes(before))


def _reorganised(tables: dict[str, pd.DataFrame], cut: bool) -> dict[str, pd.DataFrame]:
    """Surrey's tables with figures for April 2027 for the two new unitaries, and (cut) a third new area
    whose boundary cuts the old districts (valid from April 2027, made of nothing)."""
    out = dict(tables)
    obs = tables["observations"]
    new = pd.DataFrame({"indicator_id": "police-uk-burglary", "area_code": ["PROV-EAST-SURREY", "PROV-WEST-SURREY"],
                        "period": pd.Timestamp("2027-04-01"), "value": [40, 60]})
    out["observations"] = pd.concat([obs, new], ignore_index=True)
    if cut:
        areas = tables["areas"]
        row = areas[areas["area_code"] == "PROV-EAST-SURREY"].assign(
            area_code="PROV-CUT", area_name="Cut Area", area_slug="cut-area", made_of=None, sort_order=99)
        out["areas"] = pd.concat([areas, row], ignore_index=True)
    return out


def test_a_total_runs_on_across_a_reorganisation(surrey_tables):
    from kcsp.queries import Dataset

    ds = Dataset(_reorganised(surrey_tables, cut=False), today=pd.Timestamp("2027-06-01"))
    total = ds.series("police-uk-burglary")
    assert int(total.loc[total["period"] == pd.Timestamp("2027-04-01"), "value"].iloc[0]) == 100
    before = Dataset(surrey_tables, today=pd.Timestamp("2026-12-01")).series("police-uk-burglary")
    january = pd.Timestamp("2023-01-01")
    then = before.loc[before["period"] == january, "value"]
    assert list(total.loc[total["period"] == january, "value"]) == list(then)


def test_an_area_whose_boundary_cuts_the_old_ones_starts_its_own_series(surrey_tables):
    from kcsp.queries import Dataset

    ds = Dataset(_reorganised(surrey_tables, cut=True), today=pd.Timestamp("2027-06-01"))
    assert not ds.has_data("police-uk-burglary", "PROV-CUT"), "no history is made up for a cut boundary"
    assert ds.register.formed_words("PROV-CUT") is None
    assert ds.has_data("police-uk-burglary", "PROV-EAST-SURREY")


@pytest.fixture(scope="module")
def surrey_tables() -> dict[str, pd.DataFrame]:
    import tempfile

    from kcsp.demo import build_demo_tables
    from kcsp.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(tmp)
        store.write(build_demo_tables(today=pd.Timestamp("2026-12-01"), folder=SURREY))
        return store.read_all()


def test_a_register_needs_no_partnership_code_in_the_code():
    frame = pd.DataFrame({"area_code": ["A1", "A2", "C1", "F1"], "area_name": ["One", "Two", "Shire", "Force"],
                          "area_slug": ["one", "two", "shire", "force"],
                          "area_type": ["district", "unitary", "county", "force"],
                          "in_csa": ["true", "false", "true", "false"], "sort_order": [1, 2, 3, 4]})
    shire = Register(frame, {"county_code": "C1", "county_name": "Shire", "force_area_code": "F1",
                             "force_area_name": "Shire Police area", "name": "Shire CSP"})
    assert shire.members("C1") == ["A1"] and shire.members("F1") == ["A1", "A2"]
    assert shire.resolve("one borough council") == "A1"
