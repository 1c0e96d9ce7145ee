"""Keeping the plan in the app through the JSON API (Flask's test client, a private store copy):
actions created by an admin and proposed by a lead, edits with the revision check, roles and
validation, closing and withdrawing, meetings added, moved and cancelled, and the audit record."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from kcsp.queries import DatasetCache
from kcsp.store import Store
from tests.support import basic

NEW = {"priority_id": "domestic-abuse", "title": "Train GP practice staff to ask about domestic abuse.",
       "lead_agency": "Kent County Council", "owner_role": "Domestic Abuse Lead, KCC",
       "themes": ["early-intervention"], "areas": ["ashford", "dover"], "start": "2026-04-01",
       "due": "2027-03-31"}


@pytest.fixture
def client(writable_store):
    import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def create(client, user="admin", **changes):
    return client.post("/api/actions", json=NEW | changes, headers=basic(user))


def revision(store, action_id) -> int:
    acts = store.read("actions")
    return int(acts.loc[acts["action_id"] == action_id, "revision"].iloc[0])


class TestCreate:
    def test_a_lead_proposes_and_an_admin_creates_and_both_are_in_the_csv_at_once(self, client):
        proposed = create(client, "da-lead", title="Proposed by the lead.")
        created = create(client, "admin")
        assert proposed.status_code == 201 and created.status_code == 201
        assert proposed.get_json()["state"] == "proposed" and created.get_json()["state"] == "open"
        listed = {r["action_id"]: r for r in rows(client.get("/api/actions.csv"))}
        assert listed[proposed.get_json()["action_id"]]["state"] == "proposed"
        new = listed[created.get_json()["action_id"]]
        assert (new["title"], new["areas"], new["themes"], new["due"], new["revision"]) == (
            NEW["title"], "ashford;dover", "early-intervention", "2027-03-31", "1")

    def test_every_worker_sees_a_new_action_at_once(self, client, writable_store):
        other_worker = DatasetCache(Store(writable_store.root))
        before = set(other_worker.get().actions["action_id"])
        action_id = create(client).get_json()["action_id"]
        assert action_id not in before
        assert action_id in set(other_worker.get().actions["action_id"])

    def test_a_lead_may_not_propose_for_another_priority(self, client):
        assert create(client, "da-lead", priority_id="road-safety").status_code == 403

    @pytest.mark.parametrize(("user", "status"), [(None, 401), ("viewer", 403)])
    def test_anonymous_and_viewers_are_refused(self, client, user, status):
        headers = basic(user) if user else {}
        assert client.post("/api/actions", json=NEW, headers=headers).status_code == status

    @pytest.mark.parametrize(("changes", "field"), [
        ({"title": "  "}, "title"), ({"due": "31/03/2027"}, "due"), ({"due": "2026-01-01"}, "due"),
        ({"priority_id": "no-such"}, "priority_id"), ({"themes": ["no-such"]}, "themes"),
        ({"areas": ["atlantis"]}, "areas"), ({"classification": "secret"}, "classification"),
        ({"colour": "red"}, "colour"), ({"title": "x" * 301}, "title"),
    ])
    def test_invalid_fields_get_422_naming_the_field(self, client, writable_store, changes, field):
        before = writable_store.path("actions").read_bytes()
        response = create(client, **changes)
        assert response.status_code == 422
        assert field in response.get_json()["problems"]
        assert writable_store.path("actions").read_bytes() == before

    def test_not_json_is_422(self, client):
        response = client.post("/api/actions", data="title=x", headers=basic("admin"))
        assert response.status_code == 422


class TestEdit:
    def test_an_admin_edits_and_the_history_says_who_what_and_when(self, client, writable_store):
        start = revision(writable_store, "A008")
        response = client.patch("/api/actions/A008", json={"expected_revision": start, "due": "2027-06-30",
                                                            "lead_agency": "Kent Police"}, headers=basic("admin"))
        assert response.status_code == 200 and response.get_json()["revision"] == start + 1
        history = client.get("/api/actions/A008/history", headers=basic("admin")).get_json()
        fields = {c["field"]: c for c in history["changes"] if c["revision"] == start + 1}
        assert set(fields) == {"due", "lead_agency"}
        assert fields["due"]["after"] == "2027-06-30" and fields["due"]["changed_by"] == "admin"
        assert fields["due"]["changed_at"].endswith("Z")
        a008 = next(r for r in rows(client.get("/api/actions.csv")) if r["action_id"] == "A008")
        assert a008["due"] == "2027-06-30"

    def test_a_stale_edit_gets_409_and_changes_nothing(self, client, writable_store):
        start = revision(writable_store, "A008")
        first = client.patch("/api/actions/A008", json={"expected_revision": start, "due": "2027-06-30"},
                             headers=basic("admin"))
        assert first.status_code == 200
        before = writable_store.path("actions").read_bytes()
        stale = client.patch("/api/actions/A008", json={"expected_revision": start, "title": "Something else"},
                             headers=basic("admin"))
        assert stale.status_code == 409
        assert stale.get_json()["current_revision"] == start + 1
        assert writable_store.path("actions").read_bytes() == before

    def test_a_lead_editing_another_prioritys_action_gets_403(self, client, writable_store):
        acts = writable_store.read("actions")
        other = acts.loc[acts["priority_id"] != "domestic-abuse", "action_id"].iloc[0]
        response = client.patch(f"/api/actions/{other}", json={"expected_revision": 0, "due": "2027-06-30"},
                                headers=basic("da-lead"))
        assert response.status_code == 403

    def test_a_lead_edits_their_own_proposal_but_not_an_action_in_the_plan(self, client, writable_store):
        action_id = create(client, "da-lead").get_json()["action_id"]
        own = client.patch(f"/api/actions/{action_id}", json={"expected_revision": 1, "title": "Better title."},
                           headers=basic("da-lead"))
        assert own.status_code == 200
        in_plan = client.patch("/api/actions/A008", json={"expected_revision": revision(writable_store, "A008"),
                                                          "title": "Mine now."}, headers=basic("da-lead"))
        assert in_plan.status_code == 403

    def test_an_admin_approves_closes_and_withdraws_with_a_reason(self, client):
        action_id = create(client, "da-lead").get_json()["action_id"]
        approve = client.patch(f"/api/actions/{action_id}", json={"expected_revision": 1, "state": "open"},
                               headers=basic("admin"))
        assert approve.get_json()["state"] == "open"
        no_reason = client.patch(f"/api/actions/{action_id}", json={"expected_revision": 2, "state": "withdrawn"},
                                 headers=basic("admin"))
        assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["problems"]
        withdrawn = client.patch(f"/api/actions/{action_id}", headers=basic("admin"),
                                 json={"expected_revision": 2, "state": "withdrawn", "reason": "Duplicate of A008."})
        assert withdrawn.status_code == 200
        history = client.get(f"/api/actions/{action_id}/history", headers=basic("admin")).get_json()
        assert any(c["field"] == "state" and c["after"] == "withdrawn" and c["reason"] == "Duplicate of A008."
                   for c in history["changes"])

    def test_an_edit_that_changes_nothing_is_422(self, client, writable_store):
        acts = writable_store.read("actions")
        due = f"{acts.loc[acts['action_id'] == 'A008', 'due'].iloc[0]:%Y-%m-%d}"
        response = client.patch("/api/actions/A008", json={"expected_revision": revision(writable_store, "A008"),
                                                            "due": due}, headers=basic("admin"))
        assert response.status_code == 422


class TestMeetings:
    def test_an_admin_adds_moves_and_cancels_and_since_the_last_meeting_follows(self, client, writable_store):
        from kcsp import runtime

        added = client.post("/api/meetings", json={"date": "2026-11-26", "body": "kcsp"}, headers=basic("admin"))
        assert added.status_code == 201
        meeting_id = added.get_json()["meeting_id"]
        assert runtime.dataset().last_meeting()["meeting_id"] == meeting_id
        moved = client.patch(f"/api/meetings/{meeting_id}", json={"date": "2026-11-25"}, headers=basic("admin"))
        assert moved.status_code == 200
        assert runtime.dataset().last_meeting()["date"] == pd.Timestamp("2026-11-25")
        client.patch(f"/api/meetings/{meeting_id}", json={"cancelled": True}, headers=basic("admin"))
        assert runtime.dataset().last_meeting()["meeting_id"] != meeting_id
        assert meeting_id in set(writable_store.read("meetings")["meeting_id"])

    def test_only_admins_change_the_calendar(self, client):
        body = {"date": "2026-12-10", "body": "kcsp"}
        assert client.post("/api/meetings", json=body, headers=basic("da-lead")).status_code == 403
        assert client.post("/api/meetings", json={"date": "10/12/2026", "body": "kcsp"},
                           headers=basic("admin")).status_code == 422


class TestAudit:
    def test_every_write_is_recorded_and_only_admins_read_it(self, client, writable_store):
        create(client)
        ups = writable_store.read("action_updates")
        version = int(ups.loc[ups["action_id"] == "A008", "version"].max())
        client.post("/api/action-updates", headers=basic("admin"),
                    json={"action_id": "A008", "status": "green", "progress": "On track.", "expected_version": version})
        assert client.get("/api/audit.csv", headers=basic("da-lead")).status_code == 403
        assert client.get("/api/audit.csv").status_code == 401
        entries = rows(client.get("/api/audit.csv", headers=basic("admin")))
        assert [(e["user"], e["kind"]) for e in entries[-2:]] == [("admin", "create"), ("admin", "update")]


class TestAuditPage:
    def test_only_an_admin_sees_the_entries(self, client):
        import dash

        from tests.test_actions_page import run

        create(client)
        layout = next(p["layout"] for p in dash.page_registry.values() if p["path"] == "/audit")
        admin = str(run(layout, "x", user="admin"))
        assert "Download the whole record as CSV" in admin and NEW["title"] in admin
        for user in (None, "da-lead"):
            shown = str(run(layout, "x", user=user))
            assert "Only administrators" in shown and NEW["title"] not in shown
