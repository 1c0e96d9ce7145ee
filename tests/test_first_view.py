"""A page's first layout already holds the page (issue 16): what Dash Pages' router would have sent as
the page's first callback, for the same address, and committee mode's bar set for it."""

from __future__ import annotations

import json

import pytest
from plotly.utils import PlotlyJSONEncoder

ADDRESSES = [
    ("/", ""),
    ("/priority/road-safety", ""),
    ("/priority/neighbourhood-crime-asb", "?district=maidstone&from=2022-03"),
    ("/district/dover", ""),
    ("/actions", "?status=red"),
    ("/data", ""),
    ("/no-such-page", ""),
    ("/priority/not-a-priority", ""),
]
ROUTER = ".._pages_content.children..._pages_store.data.."


def _json(value) -> object:
    return json.loads(json.dumps(value, cls=PlotlyJSONEncoder))


def _find(component, component_id):
    """The component with this id in a layout tree (None when there is none)."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "to_plotly_json"):
            found = _find(child, component_id)
            if found is not None:
                return found
    return None


def _first_layout(app, path: str, search: str, referrer: str | None = "default"):
    headers = {} if referrer is None else {
        "Referer": f"http://localhost{path}{search}" if referrer == "default" else referrer}
    with app.server.test_request_context("/_dash-layout", headers=headers):
        return app.layout()


def _routed(client, path: str, search: str) -> dict:
    """What Dash Pages' router answers for this address (its callback, as the browser would send it)."""
    body = {"output": ROUTER, "outputs": [{"id": "_pages_content", "property": "children"},
                                          {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return response.get_json()["response"]


@pytest.mark.parametrize(("path", "search"), ADDRESSES)
def test_first_layout_holds_what_the_router_would_send(path, search):
    import app

    shell = _first_layout(app.app, path, search)
    location = _find(shell, "_pages_location")
    assert (location.pathname, location.search) == (path, search)
    url = _find(shell, "url")
    assert (url.pathname, url.search) == (path, search)
    routed = _routed(app.server.test_client(), path, search)
    assert _json(_find(shell, "_pages_content").children) == _json(routed["_pages_content"]["children"])
    assert _find(shell, "_pages_store").data == routed["_pages_store"]["data"]


@pytest.mark.parametrize("referrer", [None, "http://elsewhere.example/priority/road-safety", "not a url"])
def test_without_a_referrer_from_this_site_the_router_fills_the_page(referrer):
    import dash

    import app

    shell = _first_layout(app.app, "/priority/road-safety", "", referrer)
    assert _find(shell, "_pages_content").children is None
    assert _find(shell, "main").children is dash.page_container
    url = _find(shell, "url")
    assert url.pathname is None and url.search is None  # reported by the browser when it mounts


def test_only_the_layout_request_reads_the_referrer():
    import app

    with app.server.test_request_context("/priority/road-safety", headers={
            "Referer": "http://localhost/priority/road-safety"}):
        assert app.first_view() is None
    with app.server.test_request_context("/_dash-layout", headers={
            "Referer": "http://localhost/priority/road-safety?district=dover"}):
        assert app.first_view() == ("/priority/road-safety", "?district=dover")


@pytest.mark.parametrize(("path", "search"), [("/priority/road-safety", "?present=1"), ("/", "?present=1"),
                                              ("/priority/road-safety", ""), ("/meeting", "?present=1")])
def test_committee_bar_in_the_first_layout_matches_the_callback(path, search):
    import app

    shell = _first_layout(app.app, path, search)
    with app.server.test_request_context("/"):
        outputs = app.committee_mode(path, search)
    for (component_id, prop), value in zip(app.COMMITTEE_OUTPUTS, outputs, strict=True):
        assert getattr(_find(shell, component_id), prop) == value, (component_id, prop)
    assert ("present-mode" in shell.className) == ("present=1" in search)


def test_committee_mode_no_longer_runs_at_start():
    from dash._callback import GLOBAL_CALLBACK_LIST

    import app

    callbacks = [*app.app._callback_list, *GLOBAL_CALLBACK_LIST]
    found = [cb for cb in callbacks if "committee-count.children" in cb["output"]]
    assert found and all(cb["prevent_initial_call"] is True for cb in found)


def test_index_asks_for_the_layout_at_once_and_for_plotly_on_pages_with_charts():
    import app

    client = app.server.test_client()
    chart_page = client.get("/priority/road-safety").get_data(as_text=True)
    head = chart_page.split("</head>", 1)[0]
    assert '<link rel="preload" href="/_dash-layout" as="fetch" crossorigin="anonymous">' in head
    assert '<link rel="preload" href="/_dash-dependencies" as="fetch" crossorigin="anonymous">' in head
    assert f'<script src="{app.PLOTLY_URL}" async></script>' in head
    assert "/_dash-component-suites/plotly/package_data/plotly.v" in app.PLOTLY_URL
    plain = client.get("/actions").get_data(as_text=True)
    assert "_dash-layout" in plain.split("</head>", 1)[0] and app.PLOTLY_URL not in plain


def test_the_fingerprinted_plotly_is_served_and_cached_for_long():
    import app

    response = app.server.test_client().get(app.PLOTLY_URL)
    assert response.status_code == 200 and len(response.data) > 1_000_000
    assert "max-age=31536000" in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize(("path", "status"), [
    ("/", 200), ("/priority/road-safety", 200), ("/priority/road-safety/", 200), ("/district/dover", 200),
    ("/data/import", 200), ("/priority/no-such-priority", 404), ("/district/nowhere", 404),
    ("/priority/road-safety/extra", 404), ("/no-such-page", 404), ("/404", 404)])
def test_an_address_no_page_answers_is_a_404(path, status):
    """The status comes from the same resolution of addresses as the page itself (app.resolve)."""
    import app

    assert app.server.test_client().get(path).status_code == status
