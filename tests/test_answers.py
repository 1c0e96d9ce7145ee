"""Answers kept per store version and viewer (web.answers): built once, never shared between
viewers, never kept for writes, errors or an older dataset, and bounded."""

from __future__ import annotations

import json

import dash
import pytest

from kcsp import runtime
from tests.support import basic
from web import answers

HOST = "http://localhost"


@pytest.fixture
def client():
    import app

    return app.server.test_client()


@pytest.fixture
def builds(monkeypatch):
    """Count the builds of the data page's and the priority page's layouts."""
    calls: list[str] = []
    for page in dash.page_registry.values():
        if page["module"].endswith((".data", ".priority")):
            original = page["layout"]

            def counting(*args, _original=original, _name=page["module"], **kwargs):
                calls.append(_name)
                return _original(*args, **kwargs)

            monkeypatch.setitem(page, "layout", counting)
    return calls


def _layout(client, address: str, headers: dict | None = None):
    return client.get("/_dash-layout", headers={"Referer": HOST + address, **(headers or {})})


def test_a_layout_is_built_once_and_then_sent_as_kept(client, builds):
    first = _layout(client, "/data?answers=1")
    again = _layout(client, "/data?answers=1")
    assert first.status_code == again.status_code == 200
    assert builds == ["pages.data"] and first.data == again.data
    assert again.mimetype == "application/json"
    assert "Content-Security-Policy" in again.headers and again.headers["Cache-Control"] == "no-store"
    _layout(client, "/data?answers=2")
    assert builds == ["pages.data", "pages.data"]


def test_each_viewer_gets_their_own_answer(client, builds, dataset):
    restricted = dataset.actions[dataset.actions["classification"] == "restricted"].iloc[0]
    address = f"/priority/{restricted['priority_id']}?answers=viewer"
    anonymous = _layout(client, address).get_data(as_text=True)
    signed_in = _layout(client, address, basic("viewer")).get_data(as_text=True)
    assert restricted["title"] not in anonymous and restricted["title"] in signed_in
    assert restricted["title"] not in _layout(client, address).get_data(as_text=True)
    assert len(builds) == 2


def test_a_new_dataset_starts_with_no_answers(client, builds, monkeypatch):
    _layout(client, "/data?answers=new")
    from kcsp.queries import Dataset

    fresh = Dataset(runtime.store().read_all())
    monkeypatch.setattr(runtime, "dataset", lambda: fresh)
    _layout(client, "/data?answers=new")
    assert builds == ["pages.data", "pages.data"]


def test_only_read_only_callbacks_are_kept(client):
    import app

    kept = set(app.cacheable_outputs())
    assert app.ROUTER_OUTPUT in kept
    assert any(key.startswith("..priority-trends-heading.children") for key in kept)
    writers = [key for key, cb in app.app.callback_map.items() if "update-message.children" in key
               and "update-target.data" not in key]
    assert writers and not kept & set(writers)  # saving an update is never kept


def test_a_router_answer_is_kept_but_an_error_is_not(client, builds):
    import app

    body = json.dumps({"output": app.ROUTER_OUTPUT,
                       "outputs": [{"id": "_pages_content", "property": "children"},
                                   {"id": "_pages_store", "property": "data"}],
                       "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/data"},
                                  {"id": "_pages_location", "property": "search", "value": "?answers=router"}],
                       "changedPropIds": ["_pages_location.pathname"], "state": []})
    for _ in range(2):
        response = client.post("/_dash-update-component", data=body, content_type="application/json")
        assert response.status_code == 200
    assert builds == ["pages.data"]
    broken = body.replace('"inputs"', '"ignored"')
    for _ in range(2):
        assert client.post("/_dash-update-component", data=broken, content_type="application/json").status_code == 400


def test_the_answers_are_bounded(client, monkeypatch):
    monkeypatch.setattr(answers, "MAX_BYTES", 150_000)
    for n in range(4):
        assert _layout(client, f"/data?answers=bound{n}").status_code == 200
    kept = answers._kept[runtime.dataset()]
    assert sum(len(body) for body, _ in kept.values()) <= 150_000
    assert not any(f"bound{n}" in str(key) for key in kept for n in range(2))
