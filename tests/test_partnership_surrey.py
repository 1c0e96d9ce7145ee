"""Any county's partnership from its folder alone: Surrey (11 districts, no unitary; its priorities,
meetings and police file are written for the test, see tests/partnerships/surrey/README.md).

The store is built with ``build-demo --partnership``, a police.uk file in Surrey's format is imported,
gunicorn serves it as deployed, and every page (its layout, and the main pages rendered in Chromium),
every CSV and the meeting pack are read: none fails and none names Kent or Medway.
"""

from __future__ import annotations

import http.client
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from kcsp.cli import main
from kcsp.reference import register
from kcsp.store import Store
from tests.support import chrome_options, gunicorn_on_a_copy

SURREY = Path(__file__).parent / "partnerships" / "surrey"
POLICE_FILE = SURREY / "police-uk-files" / "2023-01-surrey-street.csv"
KENT_FILE = Path(__file__).parent / "fixtures" / "police_uk" / "2022-01-kent-street.csv"
FOREIGN = re.compile(r"\b(Kent|Medway|KCSP)\b")
"""Visible words only: the code's own identifiers (CSS classes such as kcsp-shell) are lower case."""


@pytest.fixture(scope="module")
def surrey_store(tmp_path_factory) -> Store:
    root = tmp_path_factory.mktemp("surrey") / "store"
    assert main(["build-demo", "--partnership", str(SURREY), "--out", str(root)]) == 0
    assert main(["import", "police-uk", "--store", str(root), str(POLICE_FILE)]) == 0
    return Store(root)


@pytest.fixture(scope="module")
def served(tmp_path_factory, surrey_store):
    with gunicorn_on_a_copy(tmp_path_factory.mktemp("surrey-served"), surrey_store) as running:
        yield running


def fetch(url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    host, port = url.rsplit("/", 1)[-1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_register_reads_surreys_areas_and_totals():
    areas = register(SURREY)
    assert len(areas.local_codes(pd.Timestamp("2026-12-01"))) == 11
    assert areas.totals() == [areas.force_code], "no unitary: the county and force-area totals are the same areas"
    later = areas.local_codes(pd.Timestamp("2027-06-01"))
    assert len(later) == 2 and all(areas.made_of(c) for c in later), "from April 2027, two unitaries of whole districts"
    assert areas.resolve("Epsom & Ewell") == areas.resolve("Epsom and Ewell Borough Council") is not None


def test_the_store_holds_surrey_and_the_police_file_counted_by_district(surrey_store):
    partnership = surrey_store.read("partnership").iloc[0]
    assert partnership["police_force"] == "surrey"
    obs = surrey_store.read("observations")
    january = obs[(obs["period"] == pd.Timestamp("2023-01-01")) & obs["indicator_id"].str.startswith("police-uk-")]
    codes = set(register(SURREY).local_codes(pd.Timestamp("2023-01-01")))
    assert codes <= set(january["area_code"])
    assert int(january["value"].sum()) == len(pd.read_csv(POLICE_FILE))


def test_another_forces_file_is_refused_by_a_surrey_store(surrey_store, capsys):
    before = {p.name: p.read_bytes() for p in surrey_store.root.iterdir() if p.is_file()}
    assert main(["import", "police-uk", "--store", str(surrey_store.root), str(KENT_FILE)]) == 1
    assert "a file of the kent force: this store's partnership reads surrey's files" in capsys.readouterr().err
    assert before == {p.name: p.read_bytes() for p in surrey_store.root.iterdir() if p.is_file()}


def routes(store: Store) -> list[str]:
    tables = store.read_all()
    pages = ["/", "/actions", "/meeting", "/data", "/data/import", "/assessment", "/help", "/rounds",
             "/following", "/audit", "/login", "/no-such-page"]
    pages += [f"/priority/{p}" for p in tables["priorities"]["priority_id"]]
    pages += [f"/district/{s}" for s in register(SURREY).local(pd.Timestamp("2026-12-01"))["area_slug"]]
    pages += [f"/?district={register(SURREY).slug(register(SURREY).local_codes()[0])}"]
    return pages


@pytest.mark.slow
def test_every_page_serves_and_names_no_other_county(served, surrey_store):
    for path in routes(surrey_store):
        status, body = fetch(served.url, "/_dash-layout", {"Referer": f"{served.url}{path}"})
        assert status == 200, path
        text = body.decode()
        assert not FOREIGN.search(text), f"{path}: {FOREIGN.search(text).group(0)!r} in the layout"
        assert "Surrey Community Safety Dashboard" in text, path
        status, page = fetch(served.url, path)
        assert status in (200, 404) and not FOREIGN.search(page.decode()), path


@pytest.mark.slow
def test_every_csv_serves_and_names_no_other_county(served, surrey_store):
    indicators = list(surrey_store.read("indicators")["indicator_id"])
    paths = ["/api/actions.csv", "/healthz", "/api/download.zip"]
    for iid in indicators:
        paths += [f"/api/observations.csv?indicator={iid}", f"/api/judgements.csv?indicator={iid}"]
    paths.append("/api/district-comparison.csv?indicator=police-uk-burglary")
    for path in paths:
        status, body = fetch(served.url, path)
        assert status < 500, (path, status)
        if path.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(body)) as zf:
                for name in zf.namelist():
                    assert not FOREIGN.search(zf.read(name).decode("utf-8", "replace")), f"{path}!{name}"
        else:
            assert not FOREIGN.search(body.decode()), path


@pytest.mark.slow
def test_the_main_pages_rendered_name_no_other_county(served, surrey_store):
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = chrome_options()
    options.add_argument("--headless=new")
    driver = webdriver.Chrome(options=options)
    try:
        for path in ["/", "/priority/neighbourhood-crime-asb", "/district/elmbridge", "/actions", "/meeting",
                     "/data"]:
            driver.get(served.url + path)
            WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#main h1"))
            WebDriverWait(driver, 60).until(
                lambda d: d.execute_script("return !document.querySelector('[data-dash-is-loading=\"true\"]')"))
            text = driver.find_element(By.TAG_NAME, "body").text
            assert not FOREIGN.search(text), f"{path}: {FOREIGN.search(text).group(0)!r}"
            assert not FOREIGN.search(driver.title) and "Surrey" in driver.title, path
            assert not driver.find_elements(By.CSS_SELECTOR, ".dash-fe-error__title"), path
    finally:
        driver.quit()


@pytest.mark.slow
def test_the_meeting_pack_names_no_other_county(served, surrey_store, tmp_path):
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing: install poppler-utils (make browser-deps)"
    meetings = surrey_store.read("meetings")
    board = meetings[(meetings["body"] == "board") & (meetings["date"] <= pd.Timestamp("2026-12-01"))]
    day = f"{board['date'].max():%Y-%m-%d}"
    status, body = fetch(served.url, f"/meeting/pack.pdf?meeting={day}")
    assert status == 200 and body.startswith(b"%PDF"), status
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(body)
    text = subprocess.run([tool, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Surrey" in text
    assert not FOREIGN.search(text), FOREIGN.search(text).group(0)


def test_a_unitary_of_whole_districts_inherits_their_summed_history(surrey_store):
    from kcsp.queries import Dataset

    tables = surrey_store.read_all()
    after = Dataset(tables, today=pd.Timestamp("2027-06-01"))
    areas = after.register
    east = areas.resolve("East Surrey")
    assert set(after.districts()["area_code"]) == set(areas.local_codes(pd.Timestamp("2027-06-01")))
    iid, month = "police-uk-burglary", pd.Timestamp("2023-01-01")
    obs = tables["observations"]
    parts = obs[(obs["indicator_id"] == iid) & (obs["period"] == month) & obs["area_code"].isin(areas.made_of(east))]
    assert len(parts) == 5
    inherited = after.series(iid, east, month, month)["value"]
    assert list(inherited) == [int(parts["value"].sum())]
    total = after.series(iid, None, month, month)["value"]
    before = Dataset(tables, today=pd.Timestamp("2026-12-01")).series(iid, None, month, month)["value"]
    assert list(total) == list(before), "the county total is the same whichever areas it is summed from"
    assert "formed on 1 April 2027 from Elmbridge" in areas.formed_words(east)
