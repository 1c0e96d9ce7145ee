"""The findings of the attacker's test of issue 13, one class per finding, through Flask's test client:
sign-in limits shared by every route, server-held sessions, store problems without values, bounded
requests, and no 500 for a malformed input. (The server's own behaviour under slow clients is in
test_server_hardening.py.)"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import PASSWORDS, basic, csrf_token, sign_in, sign_out

ROOT = Path(__file__).resolve().parent.parent


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def restricted_rows(response) -> list[dict]:
    return [r for r in rows(response) if r["classification"] == "restricted"]


def configure(**env: str):
    """Point the app's runtime at these settings (on top of the test environment)."""
    from kcsp import runtime
    from kcsp.settings import load_settings

    return runtime.configure(load_settings({**os.environ, **env}))


@pytest.fixture
def fresh_auth(tmp_path):
    """The app with its own sign-in database and the default limit (10 failures per 10 minutes)."""
    import app
    from kcsp import runtime

    configure(KCSP_AUTH_DB=str(tmp_path / "auth.sqlite3"), KCSP_SIGN_IN_LIMIT="10 per 10 minutes")
    try:
        yield app.server.test_client()
    finally:
        runtime.configure()


def kcsp_cli(*args: str, env: dict, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kcsp", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **env}, timeout=60)


class TestFinding1SignInLimit:
    def test_30_wrong_passwords_by_basic_and_by_the_form_get_429_before_the_31st(self, fresh_auth):
        codes = []
        for i in range(30):
            if i % 2:
                codes.append(fresh_auth.get("/api/actions.csv", headers=basic("admin", f"guess-{i}")).status_code)
            else:
                codes.append(sign_in(fresh_auth, "admin", f"guess-{i}").status_code)
        assert codes[:10] == [401] * 10
        assert set(codes[10:]) == {429}
        right = fresh_auth.get("/api/actions.csv", headers=basic("admin", PASSWORDS["admin"]))
        assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
        assert "try again" in right.get_data(as_text=True)

    def test_the_limit_is_per_client_across_accounts(self, fresh_auth):
        codes = [fresh_auth.get("/", headers=basic(f"nobody-{i}", "guess")).status_code for i in range(12)]
        assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]

    def test_the_limit_is_per_account_across_clients(self, fresh_auth):
        codes = [fresh_auth.get("/api/actions.csv", headers=basic("viewer", "guess"),
                                environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(12)]
        assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
        other = fresh_auth.get("/api/actions.csv", headers=basic("admin", PASSWORDS["admin"]),
                               environ_base={"REMOTE_ADDR": "10.0.1.1"})
        assert other.status_code == 200

    def test_wrong_credentials_never_fall_back_to_an_anonymous_view(self, fresh_auth):
        response = fresh_auth.get("/api/actions.csv", headers=basic("viewer", "wrong"))
        assert response.status_code == 401 and "WWW-Authenticate" in response.headers

    def test_a_repeated_wrong_password_and_a_blocked_client_cost_no_hashing(self, fresh_auth, monkeypatch):
        import kcsp.users

        calls = []
        real = kcsp.users.check_password_hash
        monkeypatch.setattr(kcsp.users, "check_password_hash", lambda *a: calls.append(1) or real(*a))
        for _ in range(3):
            fresh_auth.get("/priority/domestic-abuse", headers=basic("da-lead", "the same wrong one"))
        assert len(calls) == 1
        for i in range(10):
            fresh_auth.get("/", headers=basic("da-lead", f"other {i}"))
        assert fresh_auth.get("/", headers=basic("da-lead", "yet another")).status_code == 429
        assert len(calls) <= 1 + 10

    def test_a_right_password_is_checked_once_per_request(self, fresh_auth, monkeypatch):
        import web.auth

        calls = []
        real = web.auth.authenticate
        monkeypatch.setattr(web.auth, "authenticate", lambda *a: calls.append(1) or real(*a))
        assert fresh_auth.get("/api/actions.csv", headers=basic("viewer", PASSWORDS["viewer"])).status_code == 200
        assert len(calls) == 1


class TestApiTokens:
    def test_a_token_is_shown_once_stored_hashed_and_revocable(self, fresh_auth, tmp_path):
        from kcsp import runtime

        env = {"KCSP_USERS_FILE": str(runtime.settings().users_file), "KCSP_AUTH_DB": str(tmp_path / "auth.sqlite3")}
        issued = kcsp_cli("users", "token", "viewer", env=env)
        assert issued.returncode == 0, issued.stderr
        token = issued.stdout.strip().splitlines()[-1]
        assert token.startswith("kcsp_")
        assert token.split("_")[-1].encode() not in (tmp_path / "auth.sqlite3").read_bytes()
        bearer = {"Authorization": f"Bearer {token}"}
        assert restricted_rows(fresh_auth.get("/api/actions.csv", headers=bearer))
        assert kcsp_cli("users", "token", "viewer", "--revoke", "all", env=env).returncode == 0
        assert fresh_auth.get("/api/actions.csv", headers=bearer).status_code == 401

    def test_a_token_for_an_unknown_account_is_refused(self, tmp_path):
        done = kcsp_cli("users", "token", "nobody", env={"KCSP_AUTH_DB": str(tmp_path / "a.sqlite3")})
        assert done.returncode == 2 and "no account" in done.stderr

    def test_wrong_tokens_count_against_the_client(self, fresh_auth):
        codes = [fresh_auth.get("/api/actions.csv",
                                headers={"Authorization": f"Bearer kcsp_{i:012x}_{'x' * 43}"}).status_code
                 for i in range(12)]
        assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]


class TestFinding2Sessions:
    def test_a_cookie_copied_before_sign_out_is_anonymous_after_it(self, fresh_auth):
        import app

        assert sign_in(fresh_auth, "viewer").status_code == 302
        copied = fresh_auth.get_cookie("session").value
        thief = app.server.test_client()
        thief.set_cookie("session", copied)
        assert restricted_rows(thief.get("/api/actions.csv"))
        sign_out(fresh_auth)
        assert not restricted_rows(thief.get("/api/actions.csv"))
        assert "Signed in as" not in thief.get("/_dash-layout").get_data(as_text=True)

    def test_the_cookie_holds_only_an_id_and_sign_in_starts_a_new_session(self, fresh_auth):
        import app

        csrf_token(fresh_auth)
        before = fresh_auth.get_cookie("session").value
        sign_in(fresh_auth, "viewer")
        after = fresh_auth.get_cookie("session").value
        assert before != after and "." not in after and len(after) == 43
        fixated = app.server.test_client()
        fixated.set_cookie("session", before)
        assert not restricted_rows(fixated.get("/api/actions.csv"))

    def test_a_password_change_ends_the_accounts_sessions(self, tmp_path):
        import app
        from kcsp import runtime

        env = {"KCSP_USERS_FILE": str(tmp_path / "users.csv"), "KCSP_AUTH_DB": str(tmp_path / "auth.sqlite3")}
        assert kcsp_cli("users", "add", "pat", "--role", "viewer", "--password-stdin", env=env,
                        stdin="first password\n").returncode == 0
        configure(**env)
        try:
            client = app.server.test_client()
            client.post("/login", data={"name": "pat", "password": "first password",
                                        "csrf_token": csrf_token(client)})
            assert restricted_rows(client.get("/api/actions.csv"))
            changed = kcsp_cli("users", "add", "pat", "--role", "viewer", "--password-stdin", env=env,
                               stdin="second password\n")
            assert "ended 1 session" in changed.stdout
            assert not restricted_rows(client.get("/api/actions.csv"))
        finally:
            runtime.configure()

    def test_idle_and_absolute_lifetimes(self, tmp_path):
        from kcsp.authdb import AuthDB

        db = AuthDB(tmp_path / "auth.sqlite3")
        sid = db.create_session({"_user_id": "viewer"}, "viewer", idle_s=600)
        now = time.time()
        assert db.load_session(sid, 600, 3600, now=now + 500) == {"_user_id": "viewer"}
        assert db.load_session(sid, 600, 3600, now=now + 1050) == {"_user_id": "viewer"}, "used, so not idle"
        assert db.load_session(sid, 600, 3600, now=now + 3700) is None
        idle = db.create_session({"_user_id": "viewer"}, "viewer", idle_s=600)
        assert db.load_session(idle, 600, 3600, now=now + 700) is None


SECRET = "Operation Nightjar informant list"


class TestFinding3StoreProblems:
    @pytest.mark.parametrize("column", ["due", "classification"])
    def test_a_bad_restricted_row_shows_no_value_of_it_anywhere(self, writable_store, column):
        import app

        path = writable_store.path("actions")
        text = path.read_text(encoding="utf-8").splitlines()
        header = text[0].split(",")
        line = next(i for i, row in enumerate(text) if ",restricted" in row)
        cells = next(csv.reader([text[line]]))
        cells[header.index(column)] = SECRET
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(cells)
        text[line] = buf.getvalue()
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
        client = app.server.test_client()
        for route in ("/", "/actions", "/healthz", "/api/actions.csv", "/_dash-layout"):
            response = client.get(route)
            body = response.get_data(as_text=True)
            assert response.status_code == 503, route
            assert SECRET not in body and "Nightjar" not in body, route
            assert f"actions.csv:{line + 1}: {column}:" in body, route
        assert str(writable_store.root) not in client.get("/healthz").get_data(as_text=True)

    def test_healthz_tells_anonymous_visitors_the_status_only(self):
        import app

        client = app.server.test_client()
        assert client.get("/healthz").get_json() == {"status": "ok"}, "no count of restricted actions or the audit"
        signed_in = client.get("/healthz", headers=basic("admin", PASSWORDS["admin"])).get_json()["tables"]
        every = rows(client.get("/api/actions.csv", headers=basic("admin", PASSWORDS["admin"])))
        assert signed_in["actions"] == len(every) > len(rows(client.get("/api/actions.csv")))

    def test_the_command_line_still_shows_the_value(self, tmp_path):
        from kcsp.store import Problem

        problem = Problem("/x/actions.csv", 3, "due", "is not a date (YYYY-MM-DD)", repr(SECRET))
        assert SECRET in str(problem) and SECRET not in problem.public()
        assert problem.public() == "actions.csv:3: due: is not a date (YYYY-MM-DD)"


def callback_payload(pathname, search) -> dict:
    """A request for the shell's committee-mode callback, as the browser sends it."""
    import app

    deps = app.server.test_client().get("/_dash-dependencies").get_json()
    out = next(d["output"] for d in deps if "shell.className" in d["output"])
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in out.strip(".").split("...")]
    return {"output": out, "outputs": outputs, "changedPropIds": ["url.pathname"], "state": [],
            "inputs": [{"id": "url", "property": "pathname", "value": pathname},
                       {"id": "url", "property": "search", "value": search}]}


@pytest.fixture(scope="module")
def client():
    import app

    return app.server.test_client()


class TestFinding4Bounds:
    def test_a_20_mb_body_gets_413(self, client):
        response = client.post("/api/action-updates", data=b"x" * (20 * 1024 * 1024),
                               content_type="application/json")
        assert response.status_code == 413 and "limit" in response.get_data(as_text=True)

    def test_a_callback_list_over_the_bound_is_refused_at_once(self, client):
        response = client.post("/_dash-update-component", json=callback_payload("/", ["x"] * 1000))
        assert response.status_code == 422 and "at most" in response.get_data(as_text=True)

    def test_the_committee_callback_answers_normally(self, client):
        response = client.post("/_dash-update-component", json=callback_payload("/priority/road-safety", "?present=1"))
        assert response.status_code == 200


class TestFinding5NoServerErrors:
    def test_a_json_type_other_than_application_json_is_refused(self, writable_store):
        import app

        body = json.dumps({"action_id": "A008", "status": "amber", "progress": "x", "expected_version": 99})
        response = app.server.test_client().post("/api/action-updates", data=body, content_type="application/x+json",
                                                 headers=basic("admin", PASSWORDS["admin"]))
        assert response.status_code == 422

    def test_deep_json_is_a_4xx(self, client):
        deep = "[" * 100000 + "]" * 100000
        api = client.post("/api/action-updates", data=deep, content_type="application/json",
                          headers=basic("admin", PASSWORDS["admin"]))
        assert api.status_code == 422
        dash_route = client.post("/_dash-update-component", data=deep, content_type="application/json")
        assert dash_route.status_code == 400

    def test_a_lone_surrogate_and_invisible_characters_in_progress_are_removed(self, writable_store):
        import app

        body = ('{"action_id": "A008", "status": "amber", "expected_version": %d, '
                '"progress": "Venue \\ud800booked\\u202e\\u200b."}')
        ups = writable_store.read("action_updates")
        version = int(ups.loc[ups["action_id"] == "A008", "version"].max())
        response = app.server.test_client().post("/api/action-updates", data=body % version,
                                                 content_type="application/json",
                                                 headers=basic("admin", PASSWORDS["admin"]))
        assert response.status_code == 201, response.get_data(as_text=True)
        stored = writable_store.read("action_updates")
        assert stored.iloc[-1]["progress"] == "Venue booked."

    @pytest.mark.parametrize("value", ["0000-01-01", "\u0662\u0660\u0662\u0665-\u0661\u0661-\u0662\u0660"])
    def test_a_meeting_date_out_of_range_or_in_other_digits_is_a_clear_error(self, value):
        from kcsp.meetings import MeetingError, parse_date

        with pytest.raises(MeetingError):
            parse_date(value)

    def test_the_meeting_page_with_year_zero_says_so(self):
        import app  # noqa: F401
        import pages.meeting as meeting_page

        page = str(meeting_page.layout(meeting="0000-01-01"))
        assert "is not a year" in page

    def test_non_ascii_digits_are_not_months_or_dates(self, client):
        from kcsp.urlstate import parse_month

        assert parse_month("\u0662\u0660\u0662\u0662-\u0660\u0661") is None
        assert client.get("/api/actions.csv?due_from=\u0662\u0660\u0662\u0665-01-01").status_code == 422

    def test_a_dict_where_a_string_is_expected_is_a_400(self, client):
        response = client.post("/_dash-update-component", json=callback_payload({"not": "a path"}, ""))
        assert response.status_code == 400 and "inputs" in response.get_data(as_text=True)

    def test_links_built_from_the_request_stay_on_the_site(self):
        from kcsp.committee import committee_nav

        for path in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
            nav = committee_nav(path, "?present=1", [("road-safety", "Road Safety")])
            assert nav.toggle_href.startswith("/") and nav.toggle_href[1:2] not in ("/", "\\")

    def test_sign_in_never_sends_one_off_the_site(self):
        import app

        client = app.server.test_client()
        assert sign_in(client, "viewer", next="/\\evil.example/").headers["Location"] == "/"

    @pytest.mark.parametrize("path", ["/loginx", "/login/../api/actions.csv", "/healthzx", "/logout/x"])
    def test_open_paths_are_matched_exactly(self, path):
        import app
        from kcsp import runtime

        configure(KCSP_REQUIRE_LOGIN="1")
        try:
            assert app.server.test_client().get(path).status_code in (302, 401)
        finally:
            runtime.configure()

    @pytest.mark.parametrize("path", ["/_dash-layout", "/logout", "/healthz", "/login", "/", "/api/actions.csv"])
    def test_answers_that_depend_on_who_asks_are_not_stored(self, client, path):
        assert client.get(path).headers.get("Cache-Control") == "no-store"

    @pytest.mark.parametrize("method,path", [("get", "/nope/nope.txt"), ("put", "/api/action-updates"),
                                             ("get", "/assets/10-app.css"), ("post", "/api/action-updates")])
    def test_security_headers_on_every_answer(self, client, method, path):
        headers = getattr(client, method)(path).headers
        for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
            assert headers.get(name), (path, name)


class TestText:
    def test_user_names_are_normalised_and_stripped_of_invisible_characters(self, tmp_path):
        from kcsp.users import add_user, authenticate

        users = tmp_path / "users.csv"
        user = add_user(users, "ad\u200bmin\u202e2", "viewer", [], "a long password")
        assert user.name == "admin2"
        assert authenticate(users, "\uff41dmin2", "a long password").name == "admin2"

    def test_progress_keeps_line_breaks_and_drops_controls(self):
        from kcsp.updates import check_fields, clean_progress

        assert clean_progress(" one\r\ntwo\u2066\u0007 ") == "one\ntwo"
        assert "progress" in check_fields("A001", "red", "bell\u0007", 1)


class TestStoreHygiene:
    def test_stale_temporary_files_are_removed_at_start_up(self, writable_store):
        from kcsp import runtime
        from kcsp.settings import load_settings

        stale = writable_store.root / ".action_updates.abc123.tmp"
        stale.write_text("half a write")
        runtime.configure(load_settings({**os.environ, "KCSP_DATA_DIR": str(writable_store.root)}))
        assert not stale.exists()

    def test_the_lock_gives_up_before_the_worker_timeout(self):
        import runpy

        from kcsp.store import LOCK_TIMEOUT_S

        assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["timeout"] > LOCK_TIMEOUT_S

    def test_a_busy_store_answers_503_try_again(self, writable_store, monkeypatch):
        import app
        import kcsp.store

        monkeypatch.setattr(kcsp.store, "LOCK_TIMEOUT_S", 0.2)
        body = {"action_id": "A008", "status": "amber", "progress": "x", "expected_version": 0}
        with writable_store.lock():
            response = app.server.test_client().post("/api/action-updates", json=body,
                                                     headers=basic("admin", PASSWORDS["admin"]))
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert "busy" in response.get_data(as_text=True)
