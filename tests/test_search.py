"""The site search (kcsp.search) and its box: measures by words, actions by id, districts by alias,
restricted actions only for signed-in viewers."""

from __future__ import annotations

from contextvars import copy_context

from dash._callback_context import context_value
from dash._utils import AttributeDict

from kcsp import search
from tests.support import text, walk


def test_marac_finds_the_measure_and_a011_finds_its_action_first(dataset):
    marac = search.search(dataset, "MARAC", include_restricted=False)
    assert any(r.kind == "measure" and r.label == "MARAC cases heard" for r in marac)
    for query in ("A011", "a11", " A011 "):
        found = search.search(dataset, query, include_restricted=False)
        assert found and found[0].kind == "action" and found[0].label.startswith("A011: "), query
        assert found[0].href == "/actions?priority=" + dataset.actions.set_index("action_id").at["A011", "priority_id"]


def test_several_words_must_all_match_and_districts_are_found_by_name(dataset):
    assert [r.label for r in search.search(dataset, "tonbridge", include_restricted=False)
            if r.kind == "district"] == ["Tonbridge and Malling"]
    assert search.search(dataset, "marac zebra", include_restricted=False) == []
    assert search.search(dataset, "", include_restricted=False) == []
    assert search.search(dataset, "x" * 101, include_restricted=False) == []


def test_restricted_actions_are_found_only_when_signed_in(dataset):
    restricted = dataset.actions[dataset.actions["classification"] == "restricted"].iloc[0]
    query = restricted["action_id"]
    assert not any(r.label.startswith(f"{query}: ") for r in search.search(dataset, query, include_restricted=False))
    assert search.search(dataset, query, include_restricted=True)[0].label.startswith(f"{query}: ")


def test_the_box_answers_with_links_for_this_viewer(monkeypatch):
    import app
    from kcsp import runtime
    from kcsp.users import User

    shown = runtime.dataset()
    restricted = shown.actions[shown.actions["classification"] == "restricted"].iloc[0]["action_id"]

    def run(query):
        def call():
            context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "site-search.value", "value": query}]))
            with app.server.test_request_context("/_dash-update-component", method="POST"):
                return app.site_search(query)
        return copy_context().run(call)

    found = run("MARAC")
    links = [c for c in walk(found) if type(c).__name__ == "Link"]
    assert any(text(link) == "MARAC cases heard" for link in links)
    assert "Nothing found" in text(run("zzzz"))
    assert "Nothing found" in text(run(restricted))
    monkeypatch.setattr(app, "request_user", lambda: User("viewer", "viewer", ()))
    assert f"{restricted}: " in text(run(restricted))
