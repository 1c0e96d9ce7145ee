"""Callback exceptions are not suppressed: every id and property a callback names is in the app's
validation layout (the shell and every page's layout, ids only), so a wrong id fails here and in
the browser, and the validation layout stays small enough to send inside every page."""

from __future__ import annotations

import json

import pytest
from dash import _callback
from plotly.utils import PlotlyJSONEncoder

from tests.component_tree import walk


@pytest.fixture(scope="module")
def app_module():
    import app

    return app


def named(app_module) -> set[tuple[str, str]]:
    """(id, property) of every callback's inputs, states and outputs; pattern-matching ids left out."""
    found = set()
    for cb in app_module.app._callback_list + _callback.GLOBAL_CALLBACK_LIST:
        for dep in [*cb.get("inputs", []), *cb.get("state", [])]:
            found.add((dep["id"], dep["property"]))
        for out in cb["output"].strip(".").split("..."):
            component, prop = out.rsplit(".", 1)
            found.add((component, prop.split("@")[0]))
    return {(i, p) for i, p in found if not i.startswith("{")}


def test_callback_exceptions_are_not_suppressed(app_module):
    assert app_module.app.config.suppress_callback_exceptions is False
    assert app_module.app.validation_layout is app_module.VALIDATION_LAYOUT


def test_every_id_a_callback_names_is_in_the_validation_layout_with_that_property(app_module):
    layout = {c.id: c for c in walk(app_module.VALIDATION_LAYOUT) if isinstance(getattr(c, "id", None), str)}
    missing = sorted((i, p) for i, p in named(app_module) if i not in layout)
    assert not missing, f"callbacks name ids no layout has: {missing}"
    wrong = sorted((i, p) for i, p in named(app_module)
                   if p not in layout[i]._prop_names and not p.startswith(("data-", "aria-")))
    assert not wrong, f"callbacks name properties these components do not have: {wrong}"


def test_the_validation_layout_holds_ids_only(app_module):
    size = len(json.dumps(app_module.VALIDATION_LAYOUT, cls=PlotlyJSONEncoder))
    assert size < 60_000
