"""The store: schema checks on load and write, atomic writes, cache refresh, cross-table checks."""

from __future__ import annotations

import pandas as pd
import pytest

from kcsp.reference import reference_tables
from kcsp.schema import TABLES
from kcsp.store import Store, StoreError, read_table_file
from tests.fixture_store import file_hashes


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "store")
    s.write(reference_tables(pd.Timestamp("2026-11-23")))
    return s




def test_reference_store_is_valid(store):
    assert store.validate() == []
    assert len(store.read("areas")) == 17
    assert set(store.read("priorities")["priority_id"]) >= {"road-safety", "vawg", "domestic-abuse"}


def test_bad_csv_row_names_file_row_column_and_reason(store):
    path = store.path("areas")
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(",true,", ",maybe,")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(StoreError) as err:
        store.read("areas")
    text = str(err.value)
    assert f"{path}:4: in_csa: 'maybe' is not true or false" in text


def test_missing_column_is_reported(store):
    frame = store.read("themes").drop(columns="name")
    with pytest.raises(StoreError, match="name: column is missing"):
        store.write({"themes": frame})


def test_invalid_write_leaves_store_byte_identical(store):
    before = file_hashes(store.root)
    bad = store.read("meetings").copy()
    bad.loc[0, "body"] = "pub-quiz"
    with pytest.raises(StoreError, match="body"):
        store.write({"meetings": bad})
    assert file_hashes(store.root) == before


def test_duplicate_keys_are_rejected(store):
    themes = store.read("themes")
    with pytest.raises(StoreError, match="duplicate"):
        store.write({"themes": pd.concat([themes, themes.iloc[[0]]])})


def test_reads_are_cached_and_refreshed_after_a_write(store):
    first = store.read("themes")
    assert store.read("themes") is first
    changed = first.copy()
    changed.loc[0, "name"] = "Renamed theme"
    store.write({"themes": changed})
    assert store.read("themes").loc[0, "name"] == "Renamed theme"


def test_write_leaves_no_temporary_files(store):
    store.write({"themes": store.read("themes")})
    assert not [p for p in store.root.iterdir() if p.suffix == ".tmp"]


def test_validate_reports_unknown_references(store):
    obs = pd.DataFrame({"indicator_id": ["no-such-indicator"], "area_code": ["E07000110"],
                        "period": [pd.Timestamp("2022-01-01")], "value": [3]})
    store.write({"observations": obs})
    problems = [str(p) for p in store.validate()]
    assert any("observations.parquet:1: indicator_id: 'no-such-indicator' is not in indicators" in p
               for p in problems)


def test_unreadable_parquet_is_a_clear_error(store):
    store.path("observations").write_bytes(b"not parquet at all")
    with pytest.raises(StoreError, match=r"observations\.parquet.*cannot be read"):
        store.read("observations")


def test_missing_table_file(tmp_path):
    with pytest.raises(StoreError, match="file is missing"):
        Store(tmp_path).read("areas")


def _meeting(meeting_id: str) -> pd.DataFrame:
    return pd.DataFrame({"meeting_id": [meeting_id], "date": [pd.Timestamp("2027-03-18")], "body": ["kcsp"],
                         "name": ["Kent Community Safety Partnership, 18 March 2027"]})


def test_append_keeps_the_old_bytes_and_adds_validated_rows(store):
    old = store.path("meetings").read_bytes()
    seen = {}

    def rows(tables):
        seen.update(tables)
        return _meeting("kcsp-2027-03-18")

    added = store.append("meetings", rows, reading=("themes",))
    assert set(seen) == {"meetings", "themes"}
    assert list(added["meeting_id"]) == ["kcsp-2027-03-18"]
    assert store.path("meetings").read_bytes().startswith(old)
    fresh = read_table_file(store.path("meetings"), TABLES["meetings"])
    pd.testing.assert_frame_equal(store.read("meetings"), fresh)
    assert fresh["meeting_id"].iloc[-1] == "kcsp-2027-03-18"


def test_append_rejects_invalid_rows_and_duplicate_keys(store):
    before = file_hashes(store.root)
    bad = _meeting("kcsp-2027-03-18").assign(body="pub-quiz")
    with pytest.raises(StoreError, match="body"):
        store.append("meetings", lambda tables: bad)
    existing = store.read("meetings")["meeting_id"].iloc[0]
    with pytest.raises(StoreError, match="duplicate"):
        store.append("meetings", lambda tables: _meeting(existing))
    assert file_hashes(store.root) == before


def test_append_writes_nothing_when_the_rows_function_raises(store):
    before = file_hashes(store.root)

    def refuse(tables):
        raise LookupError("not today")

    with pytest.raises(LookupError):
        store.append("meetings", refuse)
    assert file_hashes(store.root) == before


def test_a_store_written_before_the_plan_was_kept_in_the_app_still_reads_and_validates(tmp_path, demo_store):
    """Files without actions.state/revision, priorities.current, meetings.cancelled, action_changes or
    audit read with their defaults."""
    import shutil

    import pandas as pd

    from kcsp.store import Store

    root = tmp_path / "old"
    shutil.copytree(demo_store.root, root, ignore=shutil.ignore_patterns(".*", "action_changes.*", "audit.*"))
    for name, dropped in (("actions", ["state", "revision"]), ("priorities", ["current"]),
                          ("meetings", ["cancelled"])):
        path = root / f"{name}.csv"
        pd.read_csv(path, dtype=str).drop(columns=dropped).to_csv(path, index=False)
    store = Store(root)
    assert store.exists() and store.validate() == []
    acts = store.read("actions")
    assert set(acts["state"]) == {"open"} and set(acts["revision"]) == {0}
    assert store.read("priorities")["current"].all() and not store.read("meetings")["cancelled"].any()
    assert store.read("audit").empty and store.read("action_changes").empty
