"""Page callbacks called as plain functions (the shell's URL callbacks run in the browser: see
tests/browser/test_url_state.py)."""

from __future__ import annotations

import pytest
from dash.exceptions import PreventUpdate

from kcsp import runtime
from kcsp.urlstate import ViewState

PAGE = "/priority/neighbourhood-crime-asb"
PID = "neighbourhood-crime-asb"


@pytest.fixture(scope="module")
def priority():
    import app
    from pages import priority

    with app.server.test_request_context("/"):
        yield priority


@pytest.fixture(scope="module")
def page_ids():
    ds = runtime.dataset()
    trends = [{"card": "trend", "key": i, "part": "graph-0"} for i in ds.indicators_for(PID)["indicator_id"]]
    districts = [{"card": "districts", "key": "asb-incidents", "part": "graph-0"}]
    choices = [{"type": "indicator-choice", "indicator": i} for i in ("asb-incidents", "police-uk-burglary")]
    return trends, districts, choices


def drawn(priority, **state):
    return priority._drawn_for(runtime.dataset(), PID, ViewState(**state))


def test_a_district_change_updates_every_district_dependent_part(priority, page_ids):
    trends, districts, choices = page_ids
    out = priority.show_district("?district=maidstone", PAGE, drawn(priority), trends, districts, choices)
    (trend_heading, actions_heading, _actions, titles, figures, controls, summaries, captions, tables, hrefs,
     bars, funnels, choice_hrefs) = out
    assert trend_heading == "How the measures are moving in Maidstone"
    assert actions_heading == "Actions in Maidstone"
    parts = (titles, figures, controls, summaries, captions, tables, hrefs)
    assert {len(p) for p in parts} == {len(trends)}
    burglary = [t["key"] for t in trends].index("police-uk-burglary")
    assert titles[burglary] == "Burglary (police recorded): Maidstone, by month, Jan 2022 to Jan 2023"
    assert "area=E07000110" in hrefs[burglary]
    assert captions[burglary].endswith("Maidstone, by month") and tables[burglary].startswith("| Month |")
    assert len(bars) == len(funnels) == 1
    assert choice_hrefs == [f"{PAGE}?district=maidstone&indicator=asb-incidents",
                            f"{PAGE}?district=maidstone&indicator=police-uk-burglary"]


def test_the_chosen_district_is_picked_out_in_the_comparison(priority, page_ids):
    trends, districts, choices = page_ids
    county = priority.show_district("", PAGE, drawn(priority), trends, districts, choices)
    local = priority.show_district("?district=maidstone", PAGE, drawn(priority), trends, districts, choices)
    picked = [label for label in local[10][0]["data"][0]["y"] if "selected" in label]
    assert len(picked) == 1 and picked[0].startswith("<b>Maidstone (")
    assert not any("selected" in label for label in county[10][0]["data"][0]["y"])
    assert local[11] != county[11]


@pytest.mark.parametrize(("search", "pathname", "state"), [
    ("?district=maidstone&from=2022-01", PAGE, {}),
    ("?district=maidstone", "/actions", {}),
    ("?district=maidstone", PAGE, {"present": True}),
    ("?district=maidstone&indicator=police-uk-burglary", PAGE, {}),
])
def test_nothing_is_updated_when_the_page_is_being_drawn_again_or_left(priority, page_ids, search, pathname, state):
    trends, districts, choices = page_ids
    with pytest.raises(PreventUpdate):
        priority.show_district(search, pathname, drawn(priority, **state), trends, districts, choices)
