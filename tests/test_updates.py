"""The update service as plain Python: who may update, what is valid, versions, and append-only writes."""

from __future__ import annotations

import hashlib
import multiprocessing
import shutil

import pandas as pd
import pytest

from kcsp.store import Store
from kcsp.updates import MAX_PROGRESS, Conflict, Forbidden, Invalid, NotSignedIn, append_update, check_fields
from kcsp.users import User

ADMIN = User("admin", "admin", ())
DA_LEAD = User("da-lead", "lead", ("domestic-abuse",))
VIEWER = User("viewer", "viewer", ())
NOW = pd.Timestamp("2026-11-23T09:30:00Z")


@pytest.fixture
def store(tmp_path, demo_store):
    root = tmp_path / "store"
    shutil.copytree(demo_store.root, root, ignore=shutil.ignore_patterns(".*"))
    return Store(root)


def version_of(store: Store, action_id: str) -> int:
    ups = store.read("action_updates")
    mine = ups[ups["action_id"] == action_id]
    return int(mine["version"].max()) if len(mine) else 0


def digest(store: Store) -> str:
    return hashlib.sha256(store.path("action_updates").read_bytes()).hexdigest()


class TestAppendUpdate:
    def test_appends_the_next_version_with_user_and_utc_time(self, store):
        before = store.read("action_updates")
        seen = version_of(store, "A008")
        result = append_update(store, DA_LEAD, "A008", "red", "  Funding withdrawn.  ", seen, now=NOW)
        after = store.read("action_updates")
        assert len(after) == len(before) + 1
        row = after[after["update_id"] == result.update_id].iloc[0]
        assert result.version == seen + 1 == row["version"]
        assert (row["action_id"], row["status"], row["progress"]) == ("A008", "red", "Funding withdrawn.")
        assert row["updated_by"] == "da-lead"
        assert row["updated_at"] == "2026-11-23T09:30:00Z"
        assert not row["illustrative"]
        assert store.validate() == []

    def test_update_ids_are_sequential(self, store):
        last = int(store.read("action_updates")["update_id"].str.slice(1).astype(int).max())
        first = append_update(store, ADMIN, "A031", "green", "One.", version_of(store, "A031"))
        second = append_update(store, ADMIN, "A031", "amber", "Two.", first.version)
        assert (first.update_id, second.update_id) == (f"U{last + 1:06d}", f"U{last + 2:06d}")
        assert second.version == first.version + 1

    def test_rows_are_appended_never_rewritten(self, store):
        old = store.path("action_updates").read_bytes()
        append_update(store, ADMIN, "A001", "blue", "Closed again.", version_of(store, "A001"))
        new = store.path("action_updates").read_bytes()
        assert new.startswith(old) and len(new) > len(old)

    def test_an_action_with_no_update_starts_at_version_one(self, store):
        ups = store.read("action_updates")
        store.write({"action_updates": ups[ups["action_id"] != "A036"]})
        result = append_update(store, ADMIN, "A036", "not-started", "Planning.", 0)
        assert result.version == 1

    def test_time_defaults_to_now_in_utc(self, store):
        result = append_update(store, ADMIN, "A031", "green", "Now.", version_of(store, "A031"))
        ups = store.read("action_updates")
        stamp = pd.Timestamp(ups.loc[ups["update_id"] == result.update_id, "updated_at"].iloc[0])
        assert stamp.tzinfo is not None
        assert abs(pd.Timestamp.now(tz="UTC") - stamp) < pd.Timedelta(minutes=1)


class TestWhoMayUpdate:
    def test_nobody_signed_in_is_refused(self, store):
        with pytest.raises(NotSignedIn):
            append_update(store, None, "A008", "red", "x", version_of(store, "A008"))

    @pytest.mark.parametrize(("user", "action_id"), [(VIEWER, "A008"), (DA_LEAD, "A031"), (DA_LEAD, "A014")])
    def test_viewers_and_leads_of_other_priorities_are_forbidden(self, store, user, action_id):
        before = digest(store)
        with pytest.raises(Forbidden):
            append_update(store, user, action_id, "red", "x", version_of(store, action_id))
        assert digest(store) == before

    def test_a_lead_may_update_a_restricted_action_of_their_priority(self, store):
        assert append_update(store, DA_LEAD, "A007", "amber", "x", version_of(store, "A007")).version > 1

    def test_an_admin_may_update_any_priority(self, store):
        assert append_update(store, ADMIN, "A031", "red", "x", version_of(store, "A031")).version > 1


class TestValidation:
    @pytest.mark.parametrize(("fields", "problem"), [
        ({"status": "purple"}, "status"),
        ({"status": None}, "status"),
        ({"progress": ""}, "progress"),
        ({"progress": "   \n "}, "progress"),
        ({"progress": "x" * (MAX_PROGRESS + 1)}, "progress"),
        ({"progress": None}, "progress"),
        ({"progress": "bell\x07"}, "progress"),
        ({"expected_version": "3"}, "expected_version"),
        ({"expected_version": True}, "expected_version"),
        ({"expected_version": None}, "expected_version"),
        ({"expected_version": -1}, "expected_version"),
        ({"expected_version": 2.0}, "expected_version"),
        ({"action_id": 7}, "action_id"),
    ])
    def test_malformed_fields_are_invalid(self, store, fields, problem):
        args = {"action_id": "A008", "status": "red", "progress": "Fine.", "expected_version": 5} | fields
        assert problem in check_fields(**args)
        before = digest(store)
        with pytest.raises(Invalid) as err:
            append_update(store, ADMIN, **args)
        assert problem in err.value.problems
        assert digest(store) == before

    def test_unknown_action_is_invalid(self, store):
        with pytest.raises(Invalid) as err:
            append_update(store, ADMIN, "A999", "red", "x", 0)
        assert "action_id" in err.value.problems

    def test_the_longest_allowed_text_is_accepted(self, store):
        result = append_update(store, ADMIN, "A031", "green", "y" * MAX_PROGRESS, version_of(store, "A031"))
        ups = store.read("action_updates")
        assert len(ups.loc[ups["update_id"] == result.update_id, "progress"].iloc[0]) == MAX_PROGRESS

    def test_markup_is_stored_exactly_as_written(self, store):
        text = '<script>alert(1)</script> <b>bold</b>, "quoted"\nsecond line'
        result = append_update(store, ADMIN, "A031", "green", text, version_of(store, "A031"))
        ups = Store(store.root).read("action_updates")
        assert ups.loc[ups["update_id"] == result.update_id, "progress"].iloc[0] == text


class TestVersions:
    def test_a_stale_version_is_a_conflict_naming_the_latest_update(self, store):
        seen = version_of(store, "A008")
        append_update(store, DA_LEAD, "A008", "green", "Mine first.", seen)
        before = digest(store)
        with pytest.raises(Conflict) as err:
            append_update(store, ADMIN, "A008", "red", "Also based on the old version.", seen)
        assert err.value.current_version == seen + 1
        assert err.value.latest["progress"] == "Mine first."
        assert err.value.latest["updated_by"] == "da-lead"
        assert digest(store) == before

    def test_a_version_from_the_future_is_a_conflict(self, store):
        with pytest.raises(Conflict):
            append_update(store, ADMIN, "A008", "red", "x", version_of(store, "A008") + 5)


def _writer(root: str, action_id: str, count: int) -> int:
    store = Store(root)
    done = 0
    while done < count:
        try:
            append_update(store, ADMIN, action_id, "green", f"{action_id} from process, number {done}",
                          version_of(store, action_id))
            done += 1
        except Conflict:
            continue
    return done


def test_processes_writing_at_once_lose_and_double_nothing(store):
    before = store.read("action_updates")
    jobs = [("A031", 6), ("A031", 6), ("A036", 6), ("A036", 6)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert pool.starmap(_writer, [(str(store.root), a, n) for a, n in jobs]) == [6, 6, 6, 6]
    after = Store(store.root).read("action_updates")
    added = after[~after["update_id"].isin(before["update_id"])]
    assert len(added) == 24
    assert after["update_id"].is_unique and not after.duplicated(["action_id", "version"]).any()
    for action_id in ("A031", "A036"):
        versions = sorted(after.loc[after["action_id"] == action_id, "version"])
        assert versions == list(range(1, len(versions) + 1))


def test_line_breaks_are_stored_as_newlines(store):
    result = append_update(store, ADMIN, "A031", "green", "First line\r\nsecond\rthird\n", version_of(store, "A031"))
    ups = store.read("action_updates")
    assert ups.loc[ups["update_id"] == result.update_id, "progress"].iloc[0] == "First line\nsecond\nthird"
