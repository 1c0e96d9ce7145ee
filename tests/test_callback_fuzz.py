"""A malformed callback body never answers 5xx: every registered callback, fed wrong types in each input and
state position (and broken structure around them), answers 2xx or 4xx, never with a traceback.

The bodies go through the Flask test client as the browser sends them (application/json to
/_dash-update-component), signed in as an admin so the role-checked callbacks run their full code. A
private copy of the store takes any write. The three cases of the security review are pinned
explicitly, and so is the rule that a callback failing on inputs that passed the checks is logged as an
error, not hidden as a 4xx.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import shutil

import pytest

from tests.support import sign_in

CALLBACK = "/_dash-update-component"
JUNK = {
    "dict": {"not": "a value"},
    "list": ["a", ["nested"]],
    "list of dicts": [{"a": 1}],
    "huge int": 10**400,
    "huge negative int": -(10**400),
    "int over 2**53": 2**53 + 1,
    "negative": -1,
    "zero": 0,
    "float": 1.5,
    "nan": float("nan"),
    "infinity": float("inf"),
    "true": True,
    "none": None,
    "empty text": "",
    "long text": "x" * 200_000,
    "path without /": "actions",
    "dotted path": "../../etc/passwd",
    "nested junk": {"a": [{"b": [None, {"c": 10**400}]}], "d": "e"},
}
STRUCTURE = {
    "entry is text": "junk",
    "entry is a number": 7,
    "entry has no id": {"property": "value", "value": None},
    "entry id is a list": {"id": ["x"], "property": "value", "value": None},
}


@pytest.fixture(scope="module")
def client(tmp_path_factory, demo_store):
    """A signed-in admin's client on a private copy of the demo store (restored afterwards)."""
    import app
    from kcsp import runtime
    from kcsp.settings import load_settings

    root = tmp_path_factory.mktemp("fuzz") / "store"
    shutil.copytree(demo_store.root, root, ignore=shutil.ignore_patterns(".*"))
    runtime.configure(load_settings({**os.environ, "KCSP_DATA_DIR": str(root)}))
    try:
        browser = app.server.test_client()
        assert sign_in(browser, "admin").status_code == 302
        yield browser
    finally:
        runtime.configure()


def _callbacks() -> dict:
    import app

    return app.app.callback_map


def _wildcard(component_id: str) -> bool:
    return component_id.startswith("{") and any(w in component_id for w in ('["ALL"]', '["ALLSMALLER"]'))


def _entry(dep: dict, value=None):
    """A body entry for a declared input or state, as the renderer sends it (a wildcard: a list)."""
    if _wildcard(dep["id"]):
        pattern = json.loads(dep["id"])
        concrete = {k: ("x" if isinstance(v, list) else v) for k, v in pattern.items()}
        return [{"id": concrete, "property": dep["property"], "value": value}]
    return {"id": dep["id"], "property": dep["property"], "value": value}


def _outputs(key: str):
    """The body's outputs for a callback key: one for a single output, a list for several (an output with
    allow_duplicate keeps its @hash, as the renderer sends it)."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    entries = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]
    entries = [[] if _wildcard(e["id"]) else e for e in entries]
    return entries if key.startswith("..") else entries[0]


def baseline(key: str) -> dict:
    """A well-formed body for the callback `key`: every input and state present, each value None."""
    cb = _callbacks()[key]
    deps = cb["inputs"] + cb["state"]
    first = cb["inputs"][0] if cb["inputs"] else None
    changed = [] if first is None or _wildcard(first["id"]) else [f"{first['id']}.{first['property']}"]
    return {"output": key, "outputs": _outputs(key), "changedPropIds": changed,
            "inputs": [_entry(d) for d in cb["inputs"]], "state": [_entry(d) for d in deps[len(cb["inputs"]):]]}


def with_value(body: dict, position: int, value) -> dict:
    """The body with the value at input/state `position` (inputs first) replaced."""
    body = copy.deepcopy(body)
    part, index = ("inputs", position) if position < len(body["inputs"]) else \
        ("state", position - len(body["inputs"]))
    entry = body[part][index]
    for item in entry if isinstance(entry, list) else [entry]:
        item["value"] = value
    return body


def with_entry(body: dict, position: int, entry) -> dict:
    body = copy.deepcopy(body)
    part, index = ("inputs", position) if position < len(body["inputs"]) else \
        ("state", position - len(body["inputs"]))
    body[part][index] = entry
    return body


def post(client, body: dict):
    # json.dumps writes NaN and Infinity as Python's json reads them; the Flask client's json= would too.
    return client.post(CALLBACK, data=json.dumps(body), content_type="application/json")


def _server_error(response) -> str | None:
    text = response.get_data(as_text=True)
    if response.status_code >= 500:
        return f"{response.status_code}: {text[:120]!r}"
    if "Traceback" in text:
        return f"{response.status_code} with a traceback"
    return None


def _registered_callbacks() -> list[str]:
    """Every callback key in Dash's callback map, the browser-side ones too (a POST for one is refused)."""
    import app  # noqa: F401 (registers every page's callbacks)

    return sorted(_callbacks())


@pytest.mark.parametrize("key", _registered_callbacks())
def test_no_malformed_input_is_a_server_error(client, key):
    from web.answers import callback_body_problem

    body = baseline(key)
    assert callback_body_problem(body, _callbacks()[key]) is None  # each case below breaks one thing only
    positions = len(body["inputs"]) + len(body["state"])
    failures = []
    for position in range(positions):
        cases = [(name, with_value(body, position, value)) for name, value in JUNK.items()]
        cases += [(name, with_entry(body, position, entry)) for name, entry in STRUCTURE.items()]
        for name, bad in cases:
            problem = _server_error(post(client, bad))
            if problem:
                failures.append(f"position {position}, {name}: {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("key", _registered_callbacks())
def test_no_malformed_structure_is_a_server_error(client, key):
    body = baseline(key)
    broken = {
        "outputs missing": {k: v for k, v in body.items() if k != "outputs"},
        "outputs text": {**body, "outputs": "x"},
        "outputs junk": {**body, "outputs": [{"id": {"a": [1]}, "property": 5}]},
        "changed ids junk": {**body, "changedPropIds": [{"a": 1}, 10**400]},
        "an output too few": {**body, "outputs": body["outputs"][:-1] if isinstance(body["outputs"], list) else []},
        "an input too few": {**body, "inputs": body["inputs"][:-1]},
        "an input too many": {**body, "inputs": [*body["inputs"], {"id": "x", "property": "value", "value": 1}]},
        "output a dict": {**body, "output": {"a": 1}},
        "inputs a dict": {**body, "inputs": {"a": 1}},
    }
    failures = [f"{name}: {problem}" for name, bad in broken.items() if (problem := _server_error(post(client, bad)))]
    assert not failures, "\n".join(failures)


def _find(fragment: str) -> str:
    return next(key for key in _callbacks() if fragment in key)


class TestTheReportedCases:
    """The security review's three 500s: each is now a 4xx in words."""

    def _refused(self, response) -> None:
        assert response.status_code in (400, 422), response.status_code
        text = response.get_data(as_text=True)
        assert "Traceback" not in text and response.mimetype == "text/plain" and text.strip()

    def test_a_router_path_without_a_leading_slash(self, client):
        import app

        body = with_value(baseline(app.ROUTER_OUTPUT), 0, "data")
        self._refused(post(client, body))
        anonymous = app.server.test_client()
        self._refused(post(anonymous, body))
        assert post(client, with_value(baseline(app.ROUTER_OUTPUT), 0, "/data")).status_code == 200

    @pytest.mark.parametrize("value", [{"a": 1}, 10**400])
    @pytest.mark.parametrize("position", range(1, 8))
    def test_an_action_grid_filter_that_is_a_dict_or_a_huge_integer(self, client, value, position):
        body = with_value(baseline(_find("actions-grid.rowData")), position, value)
        self._refused(post(client, body))

    @pytest.mark.parametrize("value", [{"a": 1}, 10**400])
    def test_the_changes_list_meeting_value(self, client, value):
        body = with_value(baseline(_find("changes-list.children")), 0, value)
        self._refused(post(client, body))

    def test_well_formed_bodies_still_answer(self, client):
        grid = baseline(_find("actions-grid.rowData"))
        assert post(client, with_value(grid, 2, ["red", "amber"])).status_code == 200
        assert post(client, baseline(_find("changes-list.children"))).status_code == 200


def test_a_failure_on_checked_inputs_is_logged_as_an_error(client, monkeypatch, caplog):
    """A callback that breaks on inputs that passed the checks answers 400, and the log says so loudly:
    such a failure may be the app's own bug."""
    def broken(*args, **kwargs):
        raise TypeError("a bug in the app")

    key = _find("..update-message.children@")  # saving an update: never a kept answer
    monkeypatch.setitem(_callbacks()[key], "callback", broken)
    with caplog.at_level(logging.WARNING):
        response = post(client, baseline(key))
    assert response.status_code == 400 and "Traceback" not in response.get_data(as_text=True)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info
              and "a bug in the app" in str(r.exc_info[1])]
    assert errors, [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records]


HARDENED = ("app", "pages.actions", "pages.meeting", "pages.data_import")
"""The modules whose callbacks take junk without failing: each refuses it at the boundary or reads it as no
value (a filter that is not a text is no filter), so none reaches the logged 400 of a failing callback."""


def _module(key: str) -> str:
    func = _callbacks()[key].get("callback")
    return getattr(getattr(func, "__wrapped__", func), "__module__", "")


@pytest.mark.parametrize("key", [k for k in _registered_callbacks() if _module(k) in HARDENED])
def test_junk_never_makes_a_hardened_callback_fail(client, key, caplog):
    body = baseline(key)
    failed = []
    for position in range(len(body["inputs"]) + len(body["state"])):
        for name, value in JUNK.items():
            caplog.clear()
            with caplog.at_level(logging.ERROR, logger="web.answers"):
                post(client, with_value(body, position, value))
            failed += [f"position {position}, {name}: {r.exc_info[1]!r}" for r in caplog.records if r.exc_info]
    assert not failed, "\n".join(failed)
