"""Sign-in and roles: `python -m kcsp users add`, KCSP_REQUIRE_LOGIN=1, the header, and what an
anonymous visitor can never receive (restricted actions, another user's name)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import PASSWORDS, basic, sign_in, sign_out

ROOT = Path(__file__).resolve().parent.parent


def kcsp_cli(*args: str, stdin: str, users_file: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "KCSP_USERS_FILE": str(users_file)}
    return subprocess.run([sys.executable, "-m", "kcsp", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)


class TestUsersAdd:
    def test_adds_a_lead_with_a_salted_hash_and_never_echoes_the_password(self, tmp_path):
        from kcsp.users import authenticate

        users = tmp_path / "users.csv"
        password = "correct horse battery"
        done = kcsp_cli("users", "add", "rs-lead", "--role", "lead", "--priority", "road-safety",
                        "--priority", "vawg", "--password-stdin", stdin=password + "\n", users_file=users)
        assert done.returncode == 0, done.stderr
        assert "saved rs-lead (lead for road-safety, vawg)" in done.stdout
        assert password not in done.stdout + done.stderr
        text = users.read_text()
        assert password not in text and "scrypt:" in text
        user = authenticate(users, "rs-lead", password)
        assert user is not None and user.can_update("vawg") and not user.can_update("domestic-abuse")
        assert authenticate(users, "rs-lead", "wrong password") is None

    def test_replacing_an_account_changes_its_password(self, tmp_path):
        from kcsp.users import authenticate

        users = tmp_path / "users.csv"
        for password in ("first password", "second password"):
            assert kcsp_cli("users", "add", "boss", "--role", "admin", "--password-stdin", stdin=password,
                            users_file=users).returncode == 0
        assert authenticate(users, "boss", "first password") is None
        assert authenticate(users, "boss", "second password").role == "admin"

    @pytest.mark.parametrize("args", [
        ("users", "add", "x", "--role", "owner", "--password-stdin"),
        ("users", "add", "x", "--role", "lead", "--password-stdin"),
        ("users", "add", "x", "--role", "lead", "--priority", "not-a-priority", "--password-stdin"),
        ("users", "add", "x", "--role", "viewer"),
    ])
    def test_bad_requests_exit_non_zero_and_save_nothing(self, tmp_path, args):
        users = tmp_path / "users.csv"
        done = kcsp_cli(*args, stdin="long enough password\n", users_file=users)
        assert done.returncode != 0 and done.stderr
        assert not users.exists()

    def test_a_short_password_is_refused(self, tmp_path):
        done = kcsp_cli("users", "add", "x", "--role", "viewer", "--password-stdin", stdin="short\n",
                        users_file=tmp_path / "users.csv")
        assert done.returncode == 2 and "at least" in done.stderr


@pytest.fixture
def login_required():
    import app
    from kcsp import runtime
    from kcsp.settings import load_settings

    runtime.configure(load_settings({**os.environ, "KCSP_REQUIRE_LOGIN": "1"}))
    try:
        yield app.server.test_client()
    finally:
        runtime.configure()


class TestRequireLogin:
    @pytest.mark.parametrize("path", ["/", "/actions", "/priority/road-safety", "/meeting?meeting=2026-11-19"])
    def test_pages_redirect_to_sign_in(self, login_required, path):
        response = login_required.get(path)
        assert response.status_code == 302
        assert "/login?next=" in response.headers["Location"]

    @pytest.mark.parametrize("path", ["/api/actions.csv", "/api/observations.csv?indicator=police-uk-burglary",
                                      "/_dash-layout", "/_dash-dependencies"])
    def test_data_and_dash_routes_answer_401(self, login_required, path):
        assert login_required.get(path).status_code == 401

    def test_the_dash_callback_route_answers_401(self, login_required):
        assert login_required.post("/_dash-update-component", json={}).status_code == 401

    @pytest.mark.parametrize("path", ["/login", "/healthz"])
    def test_sign_in_and_health_stay_open(self, login_required, path):
        assert login_required.get(path).status_code == 200

    def test_signed_in_users_get_through(self, login_required):
        assert login_required.get("/api/actions.csv", headers=basic("viewer")).status_code == 200
        sign_in(login_required, "viewer")
        assert login_required.get("/actions").status_code == 200
        assert login_required.get("/_dash-layout").status_code == 200


class TestHeader:
    def test_shows_who_is_signed_in_and_a_sign_out_link(self):
        import app

        client = app.server.test_client()
        anonymous = client.get("/_dash-layout").get_data(as_text=True)
        assert '"nav-login"' in anonymous and "Signed in as" not in anonymous
        sign_in(client, "da-lead")
        signed_in = client.get("/_dash-layout").get_data(as_text=True)
        assert "Signed in as" in signed_in and '"da-lead"' in signed_in and '"nav-logout"' in signed_in
        sign_out(client)
        assert "Signed in as" not in client.get("/_dash-layout").get_data(as_text=True)


LEAK_CHECK = """
import base64, sys
import app
restricted = sys.argv[1].split("|")
client = app.server.test_client()
token = base64.b64encode(sys.argv[2].encode()).decode()
assert client.get("/actions", headers={"Authorization": "Basic " + token}).status_code == 200
anonymous = app.server.test_client()
for path in ("/", "/actions", "/_dash-layout"):
    text = anonymous.get(path).get_data(as_text=True)
    assert "Signed in as" not in text, path
    assert not [t for t in restricted if t in text], path
print("clean")
"""


def test_an_authenticated_first_request_leaks_nothing_to_later_visitors(demo_store):
    """Dash sends every page's default layout to every visitor; it must never be a signed-in view."""
    actions = demo_store.read("actions")
    restricted = "|".join(actions.loc[actions["classification"] == "restricted", "title"])
    done = subprocess.run([sys.executable, "-c", LEAK_CHECK, restricted, f"admin:{PASSWORDS['admin']}"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "clean" in done.stdout, done.stderr[-2000:]
