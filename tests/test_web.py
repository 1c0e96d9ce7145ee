"""Server routes through Flask's test client: health, CSV API, sign-in, every page's status."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from tests.support import PASSWORDS, basic, sign_in, sign_out


@pytest.fixture(scope="module")
def client():
    import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


def rows(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("path", ["/", "/priority/road-safety", "/district/medway", "/actions", "/meeting",
                                  "/data", "/login", "/district/tonbridge-and-malling?district=maidstone&present=1"])
def test_routes_answer_200(client, path):
    assert client.get(path).status_code == 200


def test_healthz_counts_rows_for_signed_in_callers_only(client, demo_store):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    body = client.get("/healthz", headers=basic("viewer")).get_json()
    assert body["status"] == "ok"
    assert body["tables"]["observations"] == len(demo_store.read("observations"))


def test_observations_csv_returns_the_stored_values(client, demo_store):
    response = client.get("/api/observations.csv?indicator=police-uk-burglary&area=E07000110&from=2022-01&to=2022-12")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    got = {(r["period"], int(r["value"])) for r in rows(response)}
    obs = demo_store.read("observations")
    stored = obs[(obs["indicator_id"] == "police-uk-burglary") & (obs["area_code"] == "E07000110")
                 & (obs["period"] <= "2022-12-01")]
    assert got == {(p.strftime("%Y-%m"), int(v)) for p, v in zip(stored["period"], stored["value"], strict=True)}


@pytest.mark.parametrize("query", ["indicator=nope", "indicator=police-uk-burglary&area=XX",
                                   "indicator=police-uk-burglary&from=2022-13"])
def test_observations_csv_rejects_bad_parameters(client, query):
    response = client.get(f"/api/observations.csv?{query}")
    assert response.status_code == 422
    assert ":" in response.get_data(as_text=True)


def test_actions_csv_hides_restricted_actions_from_anonymous_clients(client):
    anonymous = rows(client.get("/api/actions.csv"))
    assert anonymous and all(r["classification"] == "public" for r in anonymous)
    signed_in = rows(client.get("/api/actions.csv", headers=basic("viewer")))
    assert any(r["classification"] == "restricted" for r in signed_in)


def test_login_with_a_wrong_password_is_refused(client):
    response = sign_in(client, "admin", "wrong-password")
    assert response.status_code == 401


def test_login_then_logout(client):
    response = sign_in(client, "admin", next="/actions")
    assert response.status_code == 302 and response.headers["Location"].endswith("/actions")
    assert any(r["classification"] == "restricted" for r in rows(client.get("/api/actions.csv")))
    sign_out(client)
    assert all(r["classification"] == "public" for r in rows(client.get("/api/actions.csv")))


def test_login_refuses_an_off_site_next(client):
    response = sign_in(client, "admin", next="https://example.org/")
    assert response.headers["Location"].endswith("/")
    sign_out(client)


def test_district_comparison_csv_matches_the_judgements(client, dataset):
    from kcsp import judgements

    response = client.get("/api/district-comparison.csv?indicator=police-uk-burglary&from=2022-01&to=2022-12")
    assert response.status_code == 200
    got = {r["area_code"]: r for r in rows(response)}
    expected = {v.area_code: v for v in judgements.judge(dataset, "police-uk-burglary", pd.Timestamp("2022-01-01"),
                                                           pd.Timestamp("2022-12-01")) if v.kind == "comparison"}
    assert set(got) == set(expected)
    maidstone = expected["E07000110"]
    assert float(got["E07000110"]["count"]) == maidstone.count
    assert got["E07000110"]["verdict"] == maidstone.verdict
    assert (got["E07000110"]["from"], got["E07000110"]["to"]) == ("2022-01", "2022-12")


def test_observations_csv_counts_equal_raw_rows_of_an_import(tmp_path):
    """End to end: a real police.uk file imported, then served, gives a count of its raw rows."""
    import app
    from kcsp import runtime
    from kcsp.importers.police_uk import import_police_uk
    from kcsp.settings import load_settings
    from kcsp.store import Store

    fixture = Path(__file__).parent / "fixtures" / "police_uk" / "2022-01-kent-street.csv"
    store = Store(tmp_path / "store")
    import_police_uk(store, [fixture])
    with open(fixture, newline="", encoding="utf-8-sig") as fh:
        raw = [r for r in csv.DictReader(fh) if (r["LSOA name"] or "").startswith("Maidstone ")]
    expected = sum(1 for r in raw if r["Crime type"] == "Violence and sexual offences")
    assert expected > 0
    try:
        runtime.configure(replace(load_settings(), data_dir=store.root))
        response = app.server.test_client().get(
            "/api/observations.csv?indicator=police-uk-violence-and-sexual-offences&area=E07000110")
        assert [int(r["value"]) for r in rows(response)] == [expected]
    finally:
        runtime.configure()


def test_sign_in_without_the_form_token_is_refused(client):
    response = client.post("/login", data={"name": "admin", "password": PASSWORDS["admin"]})
    assert response.status_code == 400
    assert all(r["classification"] == "public" for r in rows(client.get("/api/actions.csv")))


def test_sign_out_needs_a_post_with_its_token(client):
    sign_in(client, "viewer")
    assert "Sign out" in client.get("/logout").get_data(as_text=True)
    assert client.post("/logout", data={}).status_code == 400
    assert any(r["classification"] == "restricted" for r in rows(client.get("/api/actions.csv")))
    sign_out(client)
    assert all(r["classification"] == "public" for r in rows(client.get("/api/actions.csv")))


@pytest.mark.parametrize("header", ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"])
def test_security_headers_are_sent(client, header):
    response = client.get("/")
    assert response.headers.get(header)
    if header == "Content-Security-Policy":
        assert "frame-ancestors 'none'" in response.headers[header]
        assert "'unsafe-eval'" not in response.headers[header]


def test_session_cookie_is_http_only_and_same_site(client):
    response = sign_in(client, "viewer")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    sign_out(client)


def test_csv_cells_cannot_become_spreadsheet_formulas():
    from web.api import spreadsheet_safe

    frame = pd.DataFrame({"progress": ["=HYPERLINK(1)", "+1", "-2", "@x", "fine"], "version": [1, 2, 3, 4, 5]})
    out = spreadsheet_safe(frame)
    assert list(out["progress"]) == ["'=HYPERLINK(1)", "'+1", "'-2", "'@x", "fine"]
    assert list(out["version"]) == [1, 2, 3, 4, 5]


def test_a_corrupt_store_at_start_up_gives_a_clear_error_page(writable_store):
    """The app starts, and every page names the bad file, row, column and reason (no traceback)."""
    import subprocess
    import sys

    areas = writable_store.path("areas")
    areas.write_text(areas.read_text().replace(",true,", ",maybe,", 1))
    probe = ("import app\n"
             "c = app.server.test_client()\n"
             "r = c.get('/priority/road-safety')\n"
             "print(r.status_code)\n"
             "print(r.get_data(as_text=True))\n"
             "print(c.get('/healthz').status_code)\n")
    env = {**os.environ, "KCSP_DATA_DIR": str(writable_store.root)}
    result = subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).resolve().parent.parent, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "503" and lines[-1] == "503"
    assert "areas.csv:3: in_csa: is not true or false" in result.stdout
    assert "maybe" not in result.stdout and "Traceback" not in result.stdout
    assert f"{areas}:3: in_csa" in result.stderr


def test_the_dataset_is_built_when_the_app_is_imported(demo_store):
    """gunicorn's preload_app imports the app before forking: the workers must inherit a built
    dataset, not each build their own on their first request."""
    import subprocess
    import sys

    script = "import app; from kcsp import runtime; print(runtime._state['cache']._dataset is not None)"
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parent.parent,
                          env={**os.environ, "KCSP_DATA_DIR": str(demo_store.root)}, capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "True"
