"""POST /api/action-updates and /api/actions.csv through Flask's test client, on a private store copy:
every status the contract gives, both ways of signing in, and restricted actions kept from anonymous
clients."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support import PASSWORDS, basic, sign_in

URL = "/api/action-updates"


@pytest.fixture
def client(writable_store):
    import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


def version(store, action_id: str) -> int:
    ups = store.read("action_updates")
    return int(ups.loc[ups["action_id"] == action_id, "version"].max())


def body(store, action_id="A008", **changes) -> dict:
    return {"action_id": action_id, "status": "red", "progress": "Partner funding has been withdrawn.",
            "expected_version": version(store, action_id)} | changes


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


class TestWrites:
    def test_201_with_update_id_and_version_and_the_row_is_stored(self, client, writable_store):
        sent = body(writable_store)
        response = client.post(URL, json=sent, headers=basic("da-lead"))
        assert response.status_code == 201
        answer = response.get_json()
        assert set(answer) == {"update_id", "version"}
        assert answer["version"] == sent["expected_version"] + 1
        ups = writable_store.read("action_updates")
        row = ups[ups["update_id"] == answer["update_id"]].iloc[0]
        assert (row["action_id"], row["status"], row["updated_by"]) == ("A008", "red", "da-lead")
        assert row["progress"] == sent["progress"]

    def test_the_new_status_shows_in_the_csv(self, client, writable_store):
        client.post(URL, json=body(writable_store, status="blue"), headers=basic("admin"))
        a008 = next(r for r in rows(client.get("/api/actions.csv")) if r["action_id"] == "A008")
        assert (a008["status"], a008["updated_by"], a008["overdue"]) == ("blue", "admin", "False")

    def test_a_session_cookie_works_too(self, client, writable_store):
        sign_in(client, "da-lead")
        assert client.post(URL, json=body(writable_store)).status_code == 201

    def test_401_without_credentials(self, client, writable_store):
        response = client.post(URL, json=body(writable_store))
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic")

    def test_401_with_a_wrong_password(self, client, writable_store):
        response = client.post(URL, json=body(writable_store), headers=basic("admin", "not-the-password"))
        assert response.status_code == 401

    @pytest.mark.parametrize(("user", "action_id"), [("viewer", "A008"), ("da-lead", "A031"), ("da-lead", "A014")])
    def test_403_for_a_priority_that_is_not_the_users(self, client, writable_store, user, action_id):
        before = len(writable_store.read("action_updates"))
        response = client.post(URL, json=body(writable_store, action_id), headers=basic(user))
        assert response.status_code == 403
        assert len(writable_store.read("action_updates")) == before

    def test_409_for_a_stale_version_with_the_current_one(self, client, writable_store):
        stale = body(writable_store)
        assert client.post(URL, json=stale, headers=basic("da-lead")).status_code == 201
        response = client.post(URL, json=stale | {"progress": "Written from an old copy."}, headers=basic("admin"))
        assert response.status_code == 409
        answer = response.get_json()
        assert answer["current_version"] == stale["expected_version"] + 1
        assert answer["latest"]["updated_by"] == "da-lead"

    @pytest.mark.parametrize(("changes", "field"), [
        ({"action_id": "A999"}, "action_id"),
        ({"status": "purple"}, "status"),
        ({"progress": ""}, "progress"),
        ({"progress": "x" * 2001}, "progress"),
        ({"expected_version": "3"}, "expected_version"),
        ({"expected_version": None}, "expected_version"),
    ])
    def test_422_for_invalid_updates(self, client, writable_store, changes, field):
        before = len(writable_store.read("action_updates"))
        response = client.post(URL, json=body(writable_store) | changes, headers=basic("admin"))
        assert response.status_code == 422
        assert field in response.get_json()["problems"]
        assert len(writable_store.read("action_updates")) == before

    def test_422_when_a_field_is_missing(self, client, writable_store):
        sent = body(writable_store)
        del sent["expected_version"]
        assert client.post(URL, json=sent, headers=basic("admin")).status_code == 422

    @pytest.mark.parametrize("payload", ["not json", "[1, 2]", '"text"'])
    def test_422_for_a_body_that_is_not_a_json_object(self, client, writable_store, payload):
        response = client.post(URL, data=payload, content_type="application/json", headers=basic("admin"))
        assert response.status_code == 422

    def test_a_cross_site_form_post_with_the_session_cookie_is_refused(self, client, writable_store):
        sign_in(client, "da-lead")
        before = len(writable_store.read("action_updates"))
        response = client.post(URL, data=body(writable_store))
        assert response.status_code == 422
        assert "application/json" in response.get_json()["problems"]["body"]
        assert len(writable_store.read("action_updates")) == before

    def test_passwords_are_not_logged(self, client, writable_store, caplog):
        with caplog.at_level("DEBUG"):
            client.post(URL, json=body(writable_store), headers=basic("da-lead"))
            sign_in(client, "admin")
            client.post(URL, json=body(writable_store), headers=basic("admin", "a-wrong-password"))
        assert not any(p in caplog.text for p in (*PASSWORDS.values(), "a-wrong-password"))


class TestActionsCsv:
    def test_filters_are_honoured(self, client):
        got = rows(client.get("/api/actions.csv?priority=domestic-abuse&status=amber&status=red"))
        assert got and {r["priority_id"] for r in got} == {"domestic-abuse"}
        assert {r["status"] for r in got} <= {"amber", "red"}

    def test_district_keeps_county_wide_actions(self, client):
        got = rows(client.get("/api/actions.csv?district=thanet"))
        assert all(r["areas"] == "all" or "thanet" in r["areas"].split(";") for r in got)
        assert any(r["areas"] == "all" for r in got) and any(r["areas"] != "all" for r in got)

    def test_overdue_and_due_dates(self, client):
        got = rows(client.get("/api/actions.csv?overdue=1&due_to=2025-12-31"))
        assert got and all(r["overdue"] == "True" and r["due"] <= "2025-12-31" for r in got)

    @pytest.mark.parametrize("query", ["status=purple", "due_from=31-12-2025"])
    def test_bad_filters_are_422(self, client, query):
        assert client.get(f"/api/actions.csv?{query}").status_code == 422

    @pytest.mark.parametrize("query", ["", "?priority=domestic-abuse", "?district=tunbridge-wells", "?status=green"])
    def test_restricted_actions_only_when_signed_in(self, client, query):
        anonymous = rows(client.get(f"/api/actions.csv{query}"))
        assert all(r["classification"] == "public" for r in anonymous)
        signed_in = rows(client.get(f"/api/actions.csv{query}", headers=basic("viewer")))
        assert any(r["classification"] == "restricted" for r in signed_in)
