"""/help explains every status and verdict word the pages use, each with its shape, under an anchor."""

from __future__ import annotations

import json

import plotly
import pytest

from kcsp.vocabulary import CHANGE, COMPARISON, MARKER, MOVE, STATUS
from tests.support import text, walk

CONTRACT_VERDICTS = ("better", "similar", "worse", "higher", "lower", "improving", "worsening", "rising", "falling",
                     "no-significant-change", "not-compared")


@pytest.fixture(scope="module")
def help_page():
    import app
    import pages.help as page

    with app.server.test_request_context("/help"):
        return page.layout()


def entries(layout) -> dict[tuple[str, str], str]:
    return {(c.__dict__.get("data-kind"), c.__dict__.get("data-term")): text(c) for c in walk(layout)
            if "help-entry" in (getattr(c, "className", "") or "") and c.__dict__.get("data-term")}


def test_every_status_and_verdict_word_is_explained_with_its_shape(help_page):
    found = entries(help_page)
    for kind, terms in (("status", STATUS), ("change", CHANGE), ("comparison", COMPARISON), ("move", MOVE),
                        ("marker", MARKER)):
        for t in terms.values():
            said = found[(kind, t.code)]
            assert t.word in said and t.shape in said and t.meaning in said, (kind, t.code)
    for verdict in CONTRACT_VERDICTS:
        assert ("change", verdict) in found or ("comparison", verdict) in found, verdict


def test_the_verdicts_the_pages_show_all_have_an_entry(help_page):
    import app
    import pages.overview as overview
    import pages.priority as priority

    with app.server.test_request_context("/"):
        shown = json.dumps([overview.layout(), priority.layout("domestic-abuse", district="thanet")],
                           cls=plotly.utils.PlotlyJSONEncoder)
    found = {code for _, code in entries(help_page)}
    used = {part.split('"')[0] for part in shown.split('"data-verdict": "')[1:]}
    assert used and used <= found


def test_the_ideas_behind_the_numbers_are_explained(help_page):
    ids = {getattr(c, "id", None) for c in walk(help_page)}
    assert {"control-chart", "interval", "funnel", "p-value", "illustrative", "withheld", "since"} <= ids
    assert "help" in json.dumps(help_page, cls=plotly.utils.PlotlyJSONEncoder)
