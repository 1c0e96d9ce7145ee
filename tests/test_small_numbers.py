"""No count of 1 to 4 of a small-number indicator reaches anyone not signed in.

A store is made in which Thanet's road casualties are 3 every month (a small count each month,
36 a year) and Dover's are 4 in the latest year (a small year total); every other district counts
in the thousands, so a 3 or a 4 anywhere in an anonymous response can only be one of theirs. The
pages, the district change callback, and the CSV and API routes are all checked, then the same
figures are shown, marked, to a signed-in viewer. (tests/test_disclosure_audit.py proves, by linear
programming, that nothing published lets a small count be worked out either.)
"""

from __future__ import annotations

import csv
import io
import os
import re

import pandas as pd
import pytest

from tests.fixture_store import KENT_DISTRICTS, monthly, small_store
from tests.support import sign_in, text, walk

THANET, DOVER = "E07000114", "E07000108"
TODAY = pd.Timestamp("2026-11-27")


@pytest.fixture(scope="module")
def app_with_small_numbers(tmp_path_factory):
    import app
    from kcsp import runtime
    from kcsp.settings import load_settings

    rows = []
    for i, code in enumerate(KENT_DISTRICTS):
        values = ([3] * 24 if code == THANET else [0] * 20 + [1] * 4 if code == DOVER
                  else [1000 + 37 * i + m for m in range(24)])
        rows += monthly("road-casualties", [code], "2024-11", values)
    root = tmp_path_factory.mktemp("small") / "store"
    small_store(root, rows, TODAY)
    runtime.configure(load_settings({**os.environ, "KCSP_DATA_DIR": str(root)}))
    try:
        yield app
    finally:
        runtime.configure()


def numbers_in_figures(node) -> list[float]:
    found = []
    for c in walk(node):
        figure = getattr(c, "figure", None)
        for trace in (figure or {}).get("data", []):
            for key in ("x", "y", "z", "customdata"):
                for value in trace.get(key) or []:
                    items = value if isinstance(value, list) else [value]
                    found += [v for v in items if isinstance(v, int | float)]
    return found


def texts(node) -> str:
    out = []
    for c in walk(node):
        for attr in ("children",):
            value = getattr(c, attr, None)
            if isinstance(value, str):
                out.append(value)
    return "\n".join(out)


SMALL_IN_TEXT = re.compile(r"(?<![\d.,])[1-4] casualt|\| [1-4]\\?\*? \|")


def anonymous_pages(app):
    import dash

    from pages import priority

    layouts = {p["path_template"] or p["path"]: p["layout"] for p in dash.page_registry.values()}
    with app.server.test_request_context("/"):
        for district in (None, "thanet", "dover"):
            params = {"district": district} if district else {}
            yield layouts["/"](**params)
            page = layouts["/priority/<priority_id>"](priority_id="road-safety", **params)
            yield page
            drawn = next(c for c in walk(page) if getattr(c, "id", None) == "priority-view").data
            ids = [c.id for c in walk(page)
                   if isinstance(getattr(c, "id", None), dict) and c.id.get("part") == "graph-0"]
            yield list(priority.show_district(
                "?district=thanet", "/priority/road-safety", drawn,
                [i for i in ids if i["card"] == "trend"], [i for i in ids if i["card"] == "districts"], []))
            yield layouts["/meeting"](**params)
            yield layouts["/meeting"](pack="1", **params)
        for slug in ("thanet", "dover"):
            yield layouts["/district/<area_slug>"](area_slug=slug)


def test_no_page_or_callback_shows_a_small_count_to_the_public(app_with_small_numbers):
    drawn = 0
    for page in anonymous_pages(app_with_small_numbers):
        numbers = numbers_in_figures(page)
        drawn += len(numbers)
        assert not [n for n in numbers if n in (3, 4)]
        assert not SMALL_IN_TEXT.search(texts(page))
    assert drawn > 1000, "the pages draw charts"


def rows(response) -> list[dict]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_no_csv_or_api_row_gives_a_small_count_away(app_with_small_numbers):
    client = app_with_small_numbers.server.test_client()
    for area in (THANET, DOVER):
        got = rows(client.get(f"/api/observations.csv?indicator=road-casualties&area={area}"))
        assert got and {r["value"] for r in got} <= {"", "0"}
        hidden = [r for r in got if r["value"] == ""]
        assert hidden and all(r["withheld"] == "true" and r["disclosure"] == "withheld"
                              and "from 1 to 4" in r["withheld_reason"] for r in hidden)
    for route in ("judgements", "district-comparison"):
        got = rows(client.get(f"/api/{route}.csv?indicator=road-casualties"))
        dover = [r for r in got if r["area_code"] == DOVER]
        assert dover and all(r["count"] == "" and r["rate"] == "" and r["verdict"] == "" for r in dover)
        assert all(r["disclosure"] == "derived-withheld" and r["withheld_reason"] for r in dover)
        withheld = {r["area_code"] for r in got if r["count"] == "" and r.get("kind", "comparison") == "comparison"}
        assert withheld == {DOVER}, "no cover is withheld: the totals are worked out from the published months"
        assert all(r.get("previous_count", "") != "4" and r["count"] not in ("1", "2", "3", "4") for r in got)
        assert all(float(r["count"]) % 5 == 0 for r in got if r["count"])


def test_a_signed_in_viewer_sees_them_marked(app_with_small_numbers):
    client = app_with_small_numbers.server.test_client()
    sign_in(client, "viewer")
    got = rows(client.get(f"/api/observations.csv?indicator=road-casualties&area={THANET}"))
    assert {r["value"] for r in got} == {"3"} and all(r["withheld"] == "true" for r in got)
    assert all(r["disclosure"] == "exact" and r["withheld_reason"].startswith("figure: not for publication")
               for r in got)
    dover = [r for r in rows(client.get("/api/judgements.csv?indicator=road-casualties"))
             if r["area_code"] == DOVER and r["kind"] == "comparison"]
    assert dover[0]["count"] == "4"


def test_every_view_says_what_is_withheld_and_why(app_with_small_numbers):
    """Where a figure is withheld the view says so in words: Thanet's months (all 3s) are marked on
    the chart's axis with why, its table says withheld, the rolling year is drawn as the sum of the
    published months, the CSV gives the reason; no chart of Thanet is empty."""
    import dash

    layouts = {p["path_template"] or p["path"]: p["layout"] for p in dash.page_registry.values()}
    with app_with_small_numbers.server.test_request_context("/"):
        page = layouts["/priority/<priority_id>"](priority_id="road-safety", district="thanet")
    card = next(c for c in walk(page) if getattr(c, "id", None) == "trend-road-casualties")
    figure = next(c.figure for c in walk(card) if getattr(c, "id", None) == {"card": "trend",
                                                                             "key": "road-casualties",
                                                                             "part": "graph-0"})
    marks = [t for t in figure["data"] if t["name"] == "Withheld: 1 to 4, too small to publish"]
    assert marks and len(marks[0]["x"]) == 24 and "withheld (1 to 4" in marks[0]["hovertemplate"]
    rolling = [y for t in figure["data"] if t.get("yaxis") == "y2" for y in t["y"] if y is not None]
    assert rolling and set(rolling) == {30.0}, "twelve withheld months, each counted as 2.5"
    words = text(card)
    assert "counts of 1 to 4 withheld" in words and "| withheld |" in words
    control = next(c.figure for c in walk(card) if getattr(c, "id", None) == {"card": "trend",
                                                                              "key": "road-casualties",
                                                                              "part": "graph-1"})
    assert "No control chart" in control["layout"]["annotations"][0]["text"]
    client = app_with_small_numbers.server.test_client()
    got = rows(client.get(f"/api/observations.csv?indicator=road-casualties&area={THANET}"))
    assert all(r["withheld_reason"].startswith("figure: withheld: from 1 to 4") for r in got)
