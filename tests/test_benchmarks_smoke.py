"""The benchmarks' pure helpers (no browser, no server): statistics, synthetic months, store growth."""

from __future__ import annotations

import csv
import json
import math
import os

import pytest

from benchmarks.common import percentile, table
from benchmarks.growth import GROWTH_PRIORITY, grow_tables
from benchmarks.imports import FIXTURES, month_sequence, read_rows, street_files, write_synthetic_months
from benchmarks.server import LoadResult, Sample, callbacks_from_log, callbacks_only, label_for


def test_percentile_interpolates_between_ranks():
    values = [5, 1, 4, 2, 3]
    assert percentile(values, 0) == 1
    assert percentile(values, 50) == 3
    assert percentile(values, 100) == 5
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile([7], 95) == 7
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_month_sequence_crosses_years():
    months = month_sequence("2013-01", 120)
    assert len(months) == 120 and len(set(months)) == 120
    assert months[0] == "2013-01" and months[11] == "2013-12" and months[12] == "2014-01"
    assert months[-1] == "2022-12"


def test_synthetic_months_have_the_rows_asked_for_and_import(tmp_path):
    from kcsp.importers.police_uk import read_police_uk

    header, pool = read_rows(street_files(FIXTURES))
    assert len(pool) == 300
    months = month_sequence("2019-11", 3)
    paths = write_synthetic_months(tmp_path, header, pool, months=months, rows_per_month=250)
    assert [p.parent.name for p in paths] == months
    for path, month in zip(paths, months, strict=True):
        assert path.name == f"{month}-kent-street.csv"
        assert path.read_bytes().count(b"\r\n") == 251
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == header and {r[1] for r in rows[1:]} == {month}
    again = write_synthetic_months(tmp_path / "again", header, pool, months=months, rows_per_month=250)
    assert again[0].read_bytes() == paths[0].read_bytes()  # seeded: the same files every run
    frame, report = read_police_uk(paths)
    assert report.rows_read == 750 and report.months == months
    assert frame["value"].sum() == 750


def test_grown_store_has_factor_times_the_observations_and_stays_valid(dataset, tmp_path):
    from kcsp.store import Store

    tables = dataset.tables
    grown = grow_tables(tables, factor=3)
    assert len(grown["observations"]) == 3 * len(tables["observations"])
    assert len(grown["indicators"]) == 3 * len(tables["indicators"])
    assert grown["indicators"]["indicator_id"].is_unique
    copies = grown["indicators"][grown["indicators"]["priority_id"] == GROWTH_PRIORITY]
    assert len(copies) == 2 * len(tables["indicators"])
    store = Store(tmp_path)
    store.write(grown)
    assert store.validate() == []


def test_callbacks_are_read_from_a_performance_log():
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/actions"}]}
    request = {"method": "POST", "url": "http://127.0.0.1:1/_dash-update-component?endId=x",
               "postData": json.dumps(body), "headers": {"Content-Type": "application/json", "Cookie": "no"}}
    layout = {"method": "GET", "url": "http://127.0.0.1:1/_dash-layout",
              "headers": {"Referer": "http://127.0.0.1:1/priority/road-safety?district=dover", "Accept": "*/*"}}
    ignored = {"method": "GET", "url": "http://127.0.0.1:1/_dash-dependencies", "headers": {}}
    entries = [{"message": json.dumps({"message": {"method": "Network.requestWillBeSent", "params": {"request": r}}})}
               for r in (layout, request, ignored)]
    page, cb = callbacks_from_log(entries, "/priority/road-safety")
    assert (page.method, page.path, page.body) == ("GET", "/_dash-layout", "")
    assert page.label == "layout /priority/road-safety" and page.route == "/priority/road-safety"
    assert page.headers == {"Referer": "http://127.0.0.1:1/priority/road-safety?district=dover", "Accept": "*/*"}
    assert cb.method == "POST" and cb.path == "/_dash-update-component?endId=x"
    assert cb.headers == {"Content-Type": "application/json"}
    assert cb.label == label_for(body) == "_pages_content /actions"
    only = callbacks_only(LoadResult([Sample(page.label, 0.1, True), Sample(cb.label, 0.2, True)], 1.0))
    assert only.times() == [0.2]


def test_floor_pages_hold_the_live_figures(tmp_path):
    from benchmarks.pages import write_floor_page

    figures = [{"data": [{"type": "bar", "y": [1, 2]}], "layout": {"title": {"text": "</script>"}},
                "config": {"responsive": True}, "width": 640.5}]
    assert write_floor_page(tmp_path, "floor-0", "/route", figures) == "floor-0.html"
    html = (tmp_path / "floor-0.html").read_text()
    assert 'style="width: 640px"' in html and "</script>\"" not in html and "<\\/script>" in html
    assert json.loads((tmp_path / "floor-0.json").read_text()) == figures


DASH_FLOOR_CHECK = """
import json
from benchmarks import dash_floor
client = dash_floor.server.test_client()
graphs = client.get("/_dash-layout", headers={"Referer": "http://x/floor-3"}).get_json()
empty = client.get("/_dash-layout", headers={"Referer": "http://x/empty"}).get_json()
print(json.dumps([client.get("/healthz").status_code, json.dumps(graphs).count('"type": "Graph"'),
                  json.dumps(empty).count('"type": "Graph"')]))
"""


def test_dash_floor_serves_the_figures_named_by_the_page(tmp_path):
    """In a process of its own: a second Dash app must not share this one's globals."""
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "floor-3.json").write_text(json.dumps([{"data": [], "layout": {}, "config": {}, "width": 500}]))
    env = {**os.environ, "KCSP_FLOOR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", DASH_FLOOR_CHECK], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent, env=env, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [200, 1, 0]


def test_the_app_does_not_import_the_benchmarks():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sources = [root / "app.py", *[p for d in ("kcsp", "components", "pages") for p in (root / d).rglob("*.py")]]
    offenders = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [path.name for n in names if n.split(".")[0] == "benchmarks"]
    assert offenders == []


def test_table_pads_columns():
    text = table(["a", "bb"], [["xxx", 1]])
    assert text.splitlines() == ["a    bb", "---  --", "xxx  1"]
