"""components.committee: the committee bar and what committee mode sets from the URL."""

from __future__ import annotations

from components.committee import committee_bar, committee_props
from kcsp.committee import committee_nav
from tests.component_tree import by_id, ids


def test_outside_committee_mode_the_steps_are_hidden_and_the_toggle_enters_it():
    props = committee_props(None)
    assert props[("present-toggle", "children")] == "Committee mode"
    assert props[("shell", "className")] == "kcsp-shell"
    bar = committee_bar(None)
    assert {"committee-previous", "committee-next", "committee-count", "present-toggle"} <= set(ids(bar))


def test_in_committee_mode_the_next_step_is_the_first_priority(dataset):
    order = list(zip(dataset.priorities["priority_id"], dataset.priorities["name"], strict=True))
    nav = committee_nav("/", "?present=1", order, set(dataset.districts()["area_slug"]))
    props = committee_props(nav)
    assert "present-mode" in props[("shell", "className")]
    assert props[("present-toggle", "children")] == "Leave committee mode"
    assert by_id(committee_bar(nav), "committee-next").href == props[("committee-next", "href")]
