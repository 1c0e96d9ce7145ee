"""Every verdict the pages show agrees with every other and with /api/judgements.csv.

The crawl renders the overview, every priority page (and its in-place district change), every
district page, the meeting page and the meeting pack for three periods and two districts (and
none), collects every element marked with `data-verdict`, and checks that one kind, indicator,
area and window always has one verdict, equal to the API's row for that window.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import pytest

from tests.support import walk

PERIODS = [{}, {"from": "2022-08", "to": "2023-01"}, {"to": "2025-06"}]
DISTRICTS = [None, "thanet", "dover"]
ATTRS = ("data-verdict-kind", "data-indicator", "data-area", "data-from", "data-to")
HOW = ("data-verdict", "data-verdict-method", "data-verdict-signal")


@pytest.fixture(scope="module")
def app_module():
    import app

    return app


def verdicts_in(node) -> list[tuple[tuple[str, ...], str]]:
    found = []
    for c in walk(node):
        if getattr(c, "data-verdict", None) is not None:
            found.append((tuple(getattr(c, a) for a in ATTRS), tuple(getattr(c, a) for a in HOW)))
    return found


def views(dataset):
    districts = list(dataset.districts()["area_slug"])
    for period in PERIODS:
        for district in DISTRICTS:
            params = {**period, **({"district": district} if district else {})}
            yield "/", {}, params
            for pid in dataset.priorities["priority_id"]:
                yield "/priority/<priority_id>", {"priority_id": pid}, params
            yield "/meeting", {}, params
            yield "/meeting", {"pack": "1"}, params
        for slug in districts:
            yield "/district/<area_slug>", {"area_slug": slug}, period


@pytest.fixture(scope="module")
def crawl(app_module, dataset):
    import dash

    from pages import priority

    layouts = {p["path_template"] or p["path"]: p["layout"] for p in dash.page_registry.values()}
    seen: dict[tuple, set[str]] = defaultdict(set)
    where: dict[tuple, list[str]] = defaultdict(list)
    with app_module.server.test_request_context("/"):
        for path, path_args, params in views(dataset):
            page = layouts[path](**path_args, **params)
            label = f"{path} {path_args} {params}"
            for key, value in verdicts_in(page):
                seen[key].add(value)
                where[key].append(label)
            if path == "/priority/<priority_id>" and params.get("district") != "dover":
                query = "&".join(f"{k}={v}" for k, v in {**params, "district": "dover"}.items())
                drawn = next(c for c in walk(page) if getattr(c, "id", None) == "priority-view").data
                ids = {kind: [c.id for c in walk(page) if isinstance(getattr(c, "id", None), dict)
                              and c.id.get("card") == kind and c.id.get("part") == "graph-0"]
                       for kind in ("trend", "districts")}
                choices = [c.id for c in walk(page) if isinstance(getattr(c, "id", None), dict)
                           and c.id.get("type") == "indicator-choice"]
                out = priority.show_district(f"?{query}", f"/priority/{path_args['priority_id']}", drawn,
                                             ids["trend"], ids["districts"], choices)
                for key, value in verdicts_in(list(out)):
                    seen[key].add(value)
                    where[key].append(label + " -> dover in place")
    return seen, where


def test_the_crawl_finds_verdicts_of_both_kinds_on_every_kind_of_page(crawl):
    seen, where = crawl
    kinds = {key[0] for key in seen}
    assert kinds == {"comparison", "change"}
    pages = {label.split(" ")[0] for labels in where.values() for label in labels}
    assert pages == {"/", "/priority/<priority_id>", "/meeting", "/district/<area_slug>"}
    assert len(seen) > 300


def test_one_verdict_for_each_kind_indicator_area_and_window(crawl):
    seen, where = crawl
    clashes = {key: (values, where[key][:3]) for key, values in seen.items() if len(values) > 1}
    assert not clashes


def test_every_verdict_equals_the_api(app_module, crawl):
    seen, _ = crawl
    client = app_module.server.test_client()
    api: dict[tuple, dict] = {}
    for kind, indicator, area, first, last in {k for k in seen}:
        assert first and last, ("every verdict names its window", kind, indicator, area)
        key = (indicator, first, last)
        if key not in api:
            response = client.get(f"/api/judgements.csv?indicator={indicator}&from={first}&to={last}")
            assert response.status_code == 200
            api[key] = {(r["kind"], r["area_code"], r["from"], r["to"]): (r["verdict"], r["method"], r["signal"])
                        for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
        assert api[key].get((kind, area, first, last)) == next(iter(seen[(kind, indicator, area, first, last)])), \
            (kind, indicator, area, first, last)
