"""`import plan` and `import reference` on a private copy of the demo store: adds, changes and
retirements exactly as the file says, every update kept, problems by row and column (and cell in
XLSX), and the store byte-identical after a bad file or a dry run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kcsp.cli import main
from kcsp.importers.common import ImportFailed
from kcsp.importers.plan import import_plan
from kcsp.importers.reference import import_reference
from kcsp.queries import Dataset
from kcsp.settings import REFERENCE_DIR
from kcsp.store import Store
from tests.fixture_store import copy_store, file_hashes

HEADINGS = {"action_id": "Ref", "priority_id": "Priority", "title": "Action", "lead_agency": "Lead agency",
            "owner_role": "Owner", "themes": "Themes", "areas": "Areas", "start": "Start", "due": "Due",
            "classification": "Classification"}


@pytest.fixture
def store(tmp_path, demo_store) -> Store:
    return copy_store(demo_store, tmp_path / "store")


def fingerprint(store: Store) -> dict[str, str]:
    return file_hashes(store.root)


def plan_frame(store: Store) -> pd.DataFrame:
    """The store's plan as a partnership would write it: 3 new rows, 2 changed, A003 left out."""
    acts = store.read("actions").copy()
    acts["start"] = acts["start"].dt.strftime("%Y-%m-%d")
    acts["due"] = acts["due"].dt.strftime("%d/%m/%Y")
    acts = acts[list(HEADINGS)].rename(columns=HEADINGS)
    acts.loc[acts["Ref"] == "A001", "Due"] = "30/06/2027"
    acts.loc[acts["Ref"] == "A002", "Lead agency"] = "Kent Police"
    acts = acts[acts["Ref"] != "A003"]
    new = pd.DataFrame([
        {"Ref": "", "Priority": "Domestic Abuse", "Action": "Fund two more IDVAs in east Kent.",
         "Lead agency": "KCC", "Owner": "DA Lead, KCC", "Themes": "Reduce re-offending and support victims",
         "Areas": "Thanet, Dover", "Start": "01/04/2026", "Due": "31/03/2027", "Classification": ""},
        {"Ref": "", "Priority": "road-safety", "Action": "Pilot average speed cameras on the A20.",
         "Lead agency": "KCC Highways", "Owner": "Road Safety Manager", "Themes": "",
         "Areas": "all", "Start": "2026-04-01", "Due": "2027-03-31", "Classification": "public"},
        {"Ref": "", "Priority": "vawg", "Action": "Safe spaces scheme in night-time venues.",
         "Lead agency": "Kent Police", "Owner": "VAWG Lead", "Themes": "early-intervention",
         "Areas": "Folkestone and Hythe;Shepway", "Start": "2026-04-01", "Due": "2027-03-31",
         "Classification": "restricted"},
    ])
    return pd.concat([acts, new], ignore_index=True).fillna("")


def test_three_new_two_changed_one_missing_and_every_update_kept(store, tmp_path):
    path = tmp_path / "plan.csv"
    plan_frame(store).to_csv(path, index=False)
    updates_before = store.path("action_updates").read_bytes()
    report = import_plan(store, path)
    assert [t for _, t in report.added] == ["Fund two more IDVAs in east Kent.",
                                            "Pilot average speed cameras on the A20.",
                                            "Safe spaces scheme in night-time venues."]
    assert [a for a, _ in report.changed] == ["A001", "A002"]
    assert [a for a, _ in report.retired] == ["A003"]
    assert store.path("action_updates").read_bytes() == updates_before
    acts = store.read("actions").set_index("action_id")
    assert acts.at["A001", "due"] == pd.Timestamp("2027-06-30") and acts.at["A001", "revision"] == 1
    assert acts.at["A003", "state"] == "retired"
    new_ids = [a for a, _ in report.added]
    assert acts.at[new_ids[0], "areas"] == "thanet;dover" and acts.at[new_ids[0], "priority_id"] == "domestic-abuse"
    assert acts.at[new_ids[0], "themes"] == "reoffending-victims"
    assert acts.at[new_ids[2], "areas"] == "folkestone-and-hythe"
    changes = store.read("action_changes")
    a003 = changes[changes["action_id"] == "A003"].iloc[0]
    assert (a003["field"], a003["after"], a003["reason"]) == ("state", "retired", "not in the plan plan.csv")
    assert store.read("audit").iloc[-1]["kind"] == "import-plan"
    assert store.validate() == []


def test_the_same_file_again_changes_nothing(store, tmp_path):
    path = tmp_path / "plan.csv"
    frame = plan_frame(store)
    frame = frame[frame["Ref"] != ""]
    frame.to_csv(path, index=False)
    import_plan(store, path)
    again = import_plan(store, path)
    assert (again.added, again.changed, again.retired) == ([], [], [])


def test_a_dry_run_reports_and_writes_nothing(store, tmp_path, capsys):
    path = tmp_path / "plan.xlsx"
    plan_frame(store).to_excel(path, sheet_name="Actions", index=False)
    before = fingerprint(store)
    assert main(["import", "plan", "--store", str(store.root), "--dry-run", str(path)]) == 0
    out = capsys.readouterr().out
    assert "3 action(s) would be added, 2 changed, 1 retired" in out and "retire A003" in out
    assert fingerprint(store) == before


def test_a_bad_file_names_row_column_and_cell_and_leaves_the_store_byte_identical(store, tmp_path, capsys):
    frame = plan_frame(store)
    frame.loc[4, "Due"] = "31/13/2026"
    frame.loc[6, "Areas"] = "Atlantis"
    frame.loc[7, "Priority"] = "Knitting"
    path = tmp_path / "plan.xlsx"
    frame.to_excel(path, sheet_name="Actions", index=False)
    before = fingerprint(store)
    assert main(["import", "plan", "--store", str(store.root), str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}!Actions:6: Due: '31/13/2026' is not a date" in err and "(cell I6)" in err
    assert f"{path}!Actions:8: Areas: 'Atlantis' is not a district" in err
    assert f"{path}!Actions:9: Priority: 'Knitting' is not a priority" in err
    assert fingerprint(store) == before


@pytest.mark.parametrize(("change", "expected"), [
    (lambda f: f.drop(columns="Due"), ":1: due: column is missing"),
    (lambda f: f.assign(Ref=["A001"] * len(f)), "Ref: A001 is also on row 2"),
    (lambda f: f.assign(Action=[""] * len(f)), ":2: Action: must not be empty"),
    (lambda f: f.assign(Start="2030-01-01"), "is before the start date"),
])
def test_csv_problems(store, tmp_path, change, expected):
    path = tmp_path / "plan.csv"
    change(plan_frame(store)).to_csv(path, index=False)
    before = fingerprint(store)
    with pytest.raises(ImportFailed) as info:
        import_plan(store, path)
    assert any(expected in str(p) for p in info.value.problems), info.value.problems
    assert fingerprint(store) == before


def test_a_priority_leaving_the_agreement_is_kept_as_past_with_its_actions(store, tmp_path):
    pri = store.read("priorities")
    path = tmp_path / "plan.xlsx"
    actions = plan_frame(store)
    actions = actions[actions["Priority"] != "road-safety"]
    with pd.ExcelWriter(path) as book:
        actions.to_excel(book, sheet_name="Actions", index=False)
        pri[pri["priority_id"] != "road-safety"][["name", "lead"]].to_excel(book, sheet_name="Priorities",
                                                                            index=False)
    report = import_plan(store, path)
    kept = store.read("priorities").set_index("priority_id")
    assert "road-safety" in kept.index and not kept.at["road-safety", "current"]
    assert kept["current"].sum() == len(pri) - 1
    road = store.read("actions").query("priority_id == 'road-safety'")
    assert set(road["state"]) <= {"retired", "closed", "withdrawn"}
    assert {a for a, _ in report.retired} >= set(road.loc[road["state"] == "retired", "action_id"])
    assert store.validate() == []


class TestImportReference:
    def test_a_new_meeting_date_moves_since_the_last_meeting_and_keeps_every_update(self, store, tmp_path):
        today = pd.Timestamp.today().normalize()
        before = Dataset(store.read_all()).last_meeting()
        ups = store.path("action_updates").read_bytes()
        obs = store.path("observations").read_bytes()
        folder = tmp_path / "ref"
        folder.mkdir()
        meetings = pd.read_csv(REFERENCE_DIR / "meetings.csv", dtype=str)
        day = today - pd.Timedelta(days=1)
        extra = {"meeting_id": f"kcsp-{day:%Y-%m-%d}", "date": f"{day:%Y-%m-%d}", "body": "kcsp",
                 "name": f"Kent Community Safety Partnership, {day:%d %B %Y}"}
        pd.concat([meetings, pd.DataFrame([extra])]).to_csv(folder / "meetings.csv", index=False)
        report = import_reference(store, folder)
        assert report.merged[0].added == [extra["meeting_id"]]
        after = Dataset(store.read_all()).last_meeting()
        assert after["meeting_id"] == extra["meeting_id"] != before["meeting_id"]
        assert store.path("action_updates").read_bytes() == ups
        assert store.path("observations").read_bytes() == obs

    def test_a_bad_or_dangling_reference_file_leaves_the_store_byte_identical(self, store, tmp_path, capsys):
        folder = tmp_path / "ref"
        folder.mkdir()
        pri = pd.read_csv(REFERENCE_DIR / "priorities.csv", dtype=str)
        pri.loc[1, "headline_indicator_id"] = "no-such-indicator"
        pri.to_csv(folder / "priorities.csv", index=False)
        meetings = pd.read_csv(REFERENCE_DIR / "meetings.csv", dtype=str)
        meetings.loc[0, "date"] = "27/01/2022"
        meetings.to_csv(folder / "meetings.csv", index=False)
        before = fingerprint(store)
        assert main(["import", "reference", "--store", str(store.root), str(folder)]) == 1
        err = capsys.readouterr().err
        assert f"{folder / 'meetings.csv'}:2: date:" in err
        assert fingerprint(store) == before
        (folder / "meetings.csv").unlink()
        assert main(["import", "reference", "--store", str(store.root), str(folder)]) == 1
        err = capsys.readouterr().err
        assert f"{folder / 'priorities.csv'}:3: headline_indicator_id: 'no-such-indicator'" in err
        assert fingerprint(store) == before

    def test_the_shipped_reference_folder_imports_into_the_demo_store_unchanged(self, store):
        report = import_reference(store, Path(REFERENCE_DIR), dry_run=True)
        assert all(not m.added and not m.kept for m in report.merged)


def test_a_past_priority_is_named_as_past_and_listed_after_the_current_ones(store):
    pri = store.read("priorities").copy()
    pri.loc[pri["priority_id"] == "domestic-abuse", "current"] = False
    store.write({"priorities": pri})
    ds = Dataset(store.read_all())
    assert ds.priorities["priority_id"].iloc[-1] == "domestic-abuse"
    assert ds.priorities["name"].iloc[-1] == "Domestic Abuse (past priority)"
    assert "domestic-abuse" not in set(ds.current_priorities["priority_id"])
    assert len(ds.action_status(include_restricted=True)) == len(store.read("actions"))


def test_a_day_before_a_reference_import_still_sees_that_years_priorities(store, tmp_path):
    from kcsp import history

    folder = tmp_path / "ref"
    folder.mkdir()
    priorities = pd.read_csv(REFERENCE_DIR / "priorities.csv", dtype=str)
    priorities.loc[priorities["priority_id"] == "road-safety", "name"] = "Safer Roads"
    priorities[priorities["priority_id"] != "vawg"].to_csv(folder / "priorities.csv", index=False)
    before = store.read("priorities")
    import_reference(store, folder)
    now = store.read("priorities").set_index("priority_id")
    assert now.at["road-safety", "name"] == "Safer Roads" and not now.at["vawg", "current"]
    versions = store.read("reference_versions")
    assert list(versions["table"]) == ["priorities"]
    yesterday = pd.Timestamp.today().normalize() - pd.Timedelta(days=1)
    then = history.as_at(store.read_all(), yesterday)["priorities"]
    pd.testing.assert_frame_equal(then.reset_index(drop=True), before.reset_index(drop=True))
    today = history.as_at(store.read_all(), pd.Timestamp.today())["priorities"]
    assert today.set_index("priority_id").at["road-safety", "name"] == "Safer Roads"


def test_a_plan_workbook_with_title_rows_imports(store, tmp_path):
    from openpyxl import Workbook

    frame = plan_frame(store)
    book = Workbook()
    sheet = book.active
    sheet.title = "Actions"
    sheet.append(["Kent Community Safety Agreement: action plan 2026-27"])
    sheet.append(["Agreed by the Working Group, March 2026"])
    sheet.append([])
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    path = tmp_path / "plan.xlsx"
    book.save(path)
    report = import_plan(store, path)
    assert [t for _, t in report.added] == ["Fund two more IDVAs in east Kent.",
                                            "Pilot average speed cameras on the A20.",
                                            "Safe spaces scheme in night-time venues."]
