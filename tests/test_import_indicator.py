"""Importing a partner's figures: realistic files land, bad ones are refused with exact lines and the
store byte-identical, a dry run changes nothing, a re-import replaces; indicators add / edit; periods."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from kcsp import periods
from kcsp.cli import main
from kcsp.importers.indicator import ImportFailed, import_file
from kcsp.indicators import IndicatorError, add_indicator, edit_indicator
from kcsp.queries import Dataset
from kcsp.store import Store
from tests import partner_files as pf
from tests.fixture_store import copy_store, file_hashes

NOW = pd.Timestamp("2026-11-27T10:00:00Z")


@pytest.fixture
def store(tmp_path, demo_store) -> Store:
    return copy_store(demo_store, tmp_path / "store")


def snapshot(store: Store) -> dict[str, str]:
    return file_hashes(store.root)


def values(store: Store, indicator_id: str) -> pd.DataFrame:
    obs = store.read("observations")
    return obs[obs["indicator_id"] == indicator_id]


def add_quarterly(store: Store) -> None:
    add_indicator(store, "marac-quarterly", {
        "priority_id": "domestic-abuse", "name": "MARAC cases heard (quarterly)", "unit": "cases",
        "polarity": "no-judgement", "frequency": "quarterly", "geography": "district",
        "source": "Kent and Medway MARAC coordinators"})


def test_long_csv_with_title_rows_totals_and_typed_names_lands(store, tmp_path):
    path = pf.da_long_csv(tmp_path / "da.csv")
    plan = import_file(store, "da-incidents", path, source="Kent Police", who="analyst1", now=NOW)
    assert plan.layout == "long" and plan.import_id == "I000001"
    assert plan.counts() == {"new": 0, "changed": 39, "unchanged": 0}
    stored = values(store, "da-incidents").set_index(["area_code", "period"])
    for m, start in enumerate(pf.MONTH_STARTS):
        for code in pf.TYPED:
            row = stored.loc[(code, pd.Timestamp(start))]
            assert (row["value"], row["import_id"]) == (pf.da_value(code, m), "I000001")
    assert pd.isna(stored.loc[("E07000110", pd.Timestamp("2023-07-01")), "import_id"])
    assert not stored.index.isin(["E23000032"], level=0).any()  # the total row was checked, not stored
    record = store.read("imports").iloc[0]
    assert record["file_name"] == "da.csv"
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (record["source"], record["imported_by"], record["imported_at"]) == ("Kent Police", "analyst1",
                                                                              "2026-11-27T10:00:00Z")
    assert (record["rows"], record["periods"]) == (39, "2023-04-01;2023-05-01;2023-06-01")


def test_real_figures_replace_illustrative_period_by_period(store, tmp_path):
    import_file(store, "da-incidents", pf.da_long_csv(tmp_path / "da.csv"), now=NOW)
    ds = Dataset(store.read_all())
    series = ds.series("da-incidents", None, pd.Timestamp("2023-03-01"), pd.Timestamp("2023-07-01"))
    assert list(series["illustrative"]) == [True, False, False, False, True]
    assert series["value"].iloc[1] == sum(pf.da_value(c, 0) for c in pf.TYPED)
    assert series["import_id"].iloc[1] == "I000001"


def test_xlsx_financial_year_quarters_on_a_chosen_sheet_land(store, tmp_path):
    add_quarterly(store)
    plan = import_file(store, "marac-quarterly", pf.marac_quarters_xlsx(tmp_path / "marac.xlsx"),
                       sheet="MARAC by district", now=NOW)
    assert plan.layout == "areas-down"
    assert [f"{p:%Y-%m-%d}" for p in plan.periods] == pf.QUARTER_STARTS
    stored = values(store, "marac-quarterly").set_index(["area_code", "period"])["value"]
    assert len(stored) == 13 * 4
    assert stored[("E07000112", pd.Timestamp("2024-01-01"))] == pf.marac_value("E07000112", 3)
    assert stored[("E07000115", pd.Timestamp("2023-04-01"))] == pf.marac_value("E07000115", 0)


def test_wide_csv_with_periods_down_and_codes_across_lands(store, tmp_path):
    plan = import_file(store, "road-casualties", pf.road_periods_down_csv(tmp_path / "road.csv"), now=NOW)
    assert plan.layout == "periods-down"
    stored = values(store, "road-casualties").set_index(["area_code", "period"])["value"]
    assert stored[("E07000105", pd.Timestamp("2023-02-01"))] == 11
    assert stored[("E07000116", pd.Timestamp("2023-01-01"))] == 21


def test_bad_xlsx_is_refused_with_exact_lines_and_the_store_byte_identical(store, tmp_path):
    add_quarterly(store)
    before = snapshot(store)
    path = pf.bad_xlsx(tmp_path / "bad.xlsx")
    with pytest.raises(ImportFailed) as info:
        import_file(store, "marac-quarterly", path, now=NOW)
    lines = [str(p).replace(str(tmp_path) + "/", "") for p in info.value.problems]
    assert lines == [*pf.BAD_LINES,
                     "bad.xlsx:Return!B17: Thanet Q2 2023 appears twice (first on row 13)",
                     "bad.xlsx:Return!C17: Thanet Q3 2023 appears twice (first on row 13)"]
    assert snapshot(store) == before


def test_a_total_that_does_not_add_up_is_refused_by_row_and_column(store, tmp_path):
    before = snapshot(store)
    path = pf.da_long_csv(tmp_path / "da.csv", total_error=5)
    with pytest.raises(ImportFailed) as info:
        import_file(store, "da-incidents", path, now=NOW)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:32: Incidents: total 2514 does not add up: its areas sum to 2509 for May 2023"]
    assert snapshot(store) == before


def test_a_missing_district_and_an_unknown_indicator_are_refused(store, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("Area,2023-01\nAshford,5\nDover,6\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        import_file(store, "road-casualties", path)
    assert "Jan 2023 has no figure for Canterbury, Dartford" in str(info.value)
    with pytest.raises(ImportFailed, match="unknown indicator 'no-such'"):
        import_file(store, "no-such", path)


def test_dry_run_reports_changes_and_writes_nothing(store, tmp_path):
    before = snapshot(store)
    plan = import_file(store, "da-incidents", pf.da_long_csv(tmp_path / "da.csv"), dry_run=True)
    assert snapshot(store) == before
    text = "\n".join(plan.lines(dry_run=True))
    assert "periods replaced (3): Apr 2023, May 2023, Jun 2023" in text
    assert "cells: 0 new, 39 changed, 0 unchanged" in text
    assert "changed: Folkestone and Hythe Apr 2023:" in text and "(was illustrative)" in text


def test_reimport_replaces_and_never_doubles(store, tmp_path):
    path = pf.da_long_csv(tmp_path / "da.csv")
    import_file(store, "da-incidents", path, now=NOW)
    again = import_file(store, "da-incidents", path, now=NOW)
    assert again.counts() == {"new": 0, "changed": 0, "unchanged": 39}
    maidstone, total = pf.da_value("E07000110", 0), sum(pf.da_value(c, 0) for c in pf.TYPED)
    text = path.read_text().replace(f"Maidstone,Apr-23,{maidstone}", "Maidstone,Apr-23,160").replace(
        f'Kent and Medway,Apr-23,"{total:,}"', f'Kent and Medway,Apr-23,"{total - maidstone + 160:,}"')
    assert text != path.read_text()
    path.write_text(text)
    third = import_file(store, "da-incidents", path, now=NOW)
    assert third.counts()["changed"] == 1
    april = values(store, "da-incidents")
    april = april[april["period"] == pd.Timestamp("2023-04-01")]
    assert len(april) == 13 and set(april["import_id"]) == {"I000003"}
    assert april.set_index("area_code").at["E07000110", "value"] == 160
    assert list(store.read("imports")["import_id"]) == ["I000001", "I000002", "I000003"]


def test_command_line_import_dry_run_and_refusal(store, tmp_path, capsys):
    good = pf.da_long_csv(tmp_path / "da.csv")
    before = snapshot(store)
    assert main(["import", "indicator", "--store", str(store.root), "--indicator", "da-incidents", "--dry-run",
                 str(good)]) == 0
    assert "dry run: nothing written" in capsys.readouterr().out
    assert snapshot(store) == before
    bad = pf.da_long_csv(tmp_path / "bad.csv", total_error=1)
    assert main(["import", "indicator", "--store", str(store.root), "--indicator", "da-incidents", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:32: Incidents: total 2510 does not add up" in err
    assert snapshot(store) == before
    assert main(["import", "indicator", "--store", str(store.root), "--indicator", "da-incidents",
                 "--source", "Kent Police", str(good)]) == 0
    assert "imported as I000001" in capsys.readouterr().out


def test_indicators_add_and_edit(store, capsys):
    assert main(["indicators", "add", "prevent-quarterly", "--store", str(store.root), "--priority", "extremism-hate",
                 "--name", "Prevent referrals (quarterly)", "--unit", "referrals", "--polarity", "no-judgement",
                 "--frequency", "quarterly", "--geography", "county", "--source", "Home Office"]) == 0
    row = store.read("indicators").set_index("indicator_id").loc["prevent-quarterly"]
    assert (row["frequency"], row["disclosure"], bool(row["illustrative"])) == ("quarterly", "suppress-small", False)
    assert main(["indicators", "edit", "prevent-quarterly", "--store", str(store.root), "--name", "Prevent",
                 "--disclosure", "open"]) == 0
    row = store.read("indicators").set_index("indicator_id").loc["prevent-quarterly"]
    assert (row["name"], row["disclosure"]) == ("Prevent", "open")
    with pytest.raises(IndicatorError, match="exists"):
        add_indicator(store, "prevent-quarterly", {"priority_id": "extremism-hate", "name": "x", "unit": "x",
                                                   "polarity": "no-judgement", "frequency": "yearly",
                                                   "geography": "county", "source": "x"})
    with pytest.raises(IndicatorError, match=r"holds \d+ values"):
        edit_indicator(store, "da-incidents", {"frequency": "quarterly"})
    assert main(["indicators", "edit", "da-incidents", "--store", str(store.root), "--priority", "nope"]) == 1
    assert "unknown priority 'nope'" in capsys.readouterr().err


def test_county_quarterly_indicator_takes_its_total(store, tmp_path):
    add_indicator(store, "prevent-q", {"priority_id": "extremism-hate", "name": "Prevent referrals",
                                       "unit": "referrals", "polarity": "no-judgement", "frequency": "quarterly",
                                       "geography": "county", "source": "Home Office"})
    path = tmp_path / "prevent.csv"
    path.write_text("Prevent referrals, Kent and Medway\nArea,Q1 2023/24,Q2 2023/24\nKent & Medway,31,28\n")
    import_file(store, "prevent-q", path)
    stored = values(store, "prevent-q")
    assert list(stored["area_code"]) == ["E23000032"] * 2 and list(stored["value"]) == [31, 28]


@pytest.mark.parametrize(("text", "frequency", "first"), [
    ("2023-04", "monthly", "2023-04-01"), ("Apr-23", "monthly", "2023-04-01"), ("April 2023", "monthly", "2023-04-01"),
    ("2023 Q1", "quarterly", "2023-01-01"), ("Q1 2023/24", "quarterly", "2023-04-01"),
    ("Q4 2023/24", "quarterly", "2024-01-01"), ("2023/24", "financial-year", "2023-04-01"),
    ("2023-24", "financial-year", "2023-04-01"), ("2023", "yearly", "2023-01-01"),
])
def test_periods_as_people_write_them(text, frequency, first):
    assert periods.parse(text, frequency) == pd.Timestamp(first)


@pytest.mark.parametrize(("text", "frequency", "reason"), [
    ("2023 Q1", "monthly", "is a quarter: a monthly indicator holds months"),
    ("2023/24", "yearly", "is a financial year: a yearly indicator holds years"),
    ("2023/25", "financial-year", "is not a financial year"),
    ("Smarch 2023", "monthly", "is not a month name"),
    ("2023-13", "monthly", "has no month 13"),
])
def test_periods_a_frequency_cannot_hold_are_explained(text, frequency, reason):
    with pytest.raises(periods.PeriodError, match=reason):
        periods.parse(text, frequency)


def test_template_is_importable_once_filled(store):
    import io

    from openpyxl import load_workbook

    from kcsp.importers.indicator import import_indicator
    from kcsp.importers.template import template_csv, template_xlsx

    indicators = store.read("indicators").set_index("indicator_id", drop=False)
    data = template_xlsx(indicators.loc["marac-cases"], store.read("areas"), pd.Timestamp("2026-11-27"))
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert [c.value for c in sheet[4]] == ["Area code", "Area", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026"]
    for row in range(5, 18):
        for col in range(3, 7):
            sheet.cell(row, col).value = row + col
    buf = io.BytesIO()
    book.save(buf)
    plan = import_indicator(store, "marac-cases", buf.getvalue(), "filled.xlsx", dry_run=True)
    assert len(plan.changes) == 13 * 4
    assert b"Area code,Area,Jul 2026" in template_csv(indicators.loc["marac-cases"], store.read("areas"),
                                                      pd.Timestamp("2026-11-27"))


def test_empty_and_unreadable_files_are_refused(store, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFailed, match="file is empty"):
        import_file(store, "da-incidents", empty)
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFailed, match="not a readable XLSX workbook"):
        import_file(store, "da-incidents", fake)
    with pytest.raises(ImportFailed, match="cannot be read"):
        import_file(store, "da-incidents", Path(tmp_path / "missing.csv"))


def test_totals_across_periods_are_checked_then_ignored(store, tmp_path):
    codes = ",".join(pf.KENT)
    across = tmp_path / "across.csv"
    lines = ["Road casualties by district", "District,Jan 2023,Feb 2023,Total"]
    lines += [f"{pf.TYPED[c]},{i},{i + 1},{2 * i + 1}" for i, c in enumerate(pf.KENT)]
    across.write_text("\n".join(lines) + "\n")
    assert import_file(store, "road-casualties", across, dry_run=True).counts()["changed"] == 24
    across.write_text(across.read_text().replace("Thanet,9,10,19", "Thanet,9,10,20"))
    with pytest.raises(ImportFailed) as info:
        import_file(store, "road-casualties", across)
    assert [str(p) for p in info.value.problems] == [
        f"{across}:12: Total: row total 20 does not add up: its periods sum to 19"]
    down = tmp_path / "down.csv"
    down.write_text(f"Month,{codes}\n2023-01,{','.join(['1'] * 12)}\n2023-02,{','.join(['2'] * 12)}\n"
                    f"Total,{','.join(['3'] * 11)},4\n")
    with pytest.raises(ImportFailed) as info:
        import_file(store, "road-casualties", down)
    assert [str(p) for p in info.value.problems] == [
        f"{down}:4: E07000116: column total 4 does not add up: its periods sum to 3"]
