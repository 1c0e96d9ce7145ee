"""Shell callbacks called as plain functions, with a Dash callback context set up by hand."""

from __future__ import annotations

from contextvars import copy_context

import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict


def run(callback, triggered, *args):
    def call():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": triggered, "value": None}]))
        return callback(*args)

    return copy_context().run(call)


@pytest.fixture(scope="module")
def shell():
    import app

    return app


def test_url_sets_the_filter_controls(shell):
    out = run(shell.sync_filters, "url.search", "?district=maidstone&from=2022-01&to=2022-12", "", "", "")
    assert out == (no_update, "maidstone", "2022-01", "2022-12")


def test_unknown_district_in_url_is_ignored(shell):
    out = run(shell.sync_filters, "url.search", "?district=atlantis", "", "", "")
    assert out[1] == ""


def test_choosing_a_district_writes_the_url_and_keeps_present_mode(shell):
    out = run(shell.sync_filters, "filter-district.value", "?present=1&from=2022-01", "thanet", "2022-01", "")
    assert out[0] == "?district=thanet&from=2022-01&present=1"


def test_clearing_the_district_removes_it_from_the_url(shell):
    out = run(shell.sync_filters, "filter-district.value", "?district=thanet", "", "", "")
    assert out[0] == ""


def test_navigation_links_carry_the_query(shell):
    ids = [{"type": "nav-link", "path": "/"}, {"type": "nav-link", "path": "/actions"}]
    hrefs = run(shell.keep_query_in_links, "url.search", "?district=dover&present=1", ids)
    assert hrefs == ["/?district=dover&present=1", "/actions?district=dover&present=1"]
