"""components.action_form: the plan's create/edit form and the meeting calendar's controls."""

from __future__ import annotations

import pandas as pd

from components.action_form import action_form, calendar_form, plan_changes_list
from tests.component_tree import by_id, ids, text

KEYS = ("heading", "priority", "title", "agency", "owner", "themes", "areas", "start", "due", "classification",
        "state", "state_box", "reason", "save", "cancel", "form")
CALENDAR = ("box", "body", "date", "add", "meeting", "new_date", "move", "cancel", "message")


def test_every_control_has_the_id_it_was_given_and_a_label():
    form = action_form({k: f"f-{k}" for k in KEYS}, priorities=[("p1", "Road safety")], themes=[("t1", "Youth")],
                       districts=[("dover", "Dover")])
    assert {f"f-{k}" for k in KEYS} <= set(ids(form))
    words = text(form)
    for label in ("Priority", "Lead agency", "Cross-cutting themes", "Areas", "Due", "Road safety", "Youth", "Dover"):
        assert label in words
    assert [o["value"] for o in by_id(form, "f-priority").options] == ["p1"]


def test_the_calendar_form_offers_each_body():
    form = calendar_form({k: f"c-{k}" for k in CALENDAR}, bodies=[("kcsp", "The partnership"), ("wg", "Working group")])
    assert by_id(form, "c-body").value == "kcsp"
    assert "Add meeting" in text(form)


def test_plan_changes_list_each_field_with_before_and_after():
    changes = pd.DataFrame([{"revision": 2, "field": "due", "before": "2026-03-01", "after": "2026-06-01",
                             "reason": "Funding moved", "changed_at": "2026-01-05T10:00:00+00:00",
                             "changed_by": "admin"}])
    words = text(plan_changes_list(changes))
    assert "2026-03-01 \u2192 2026-06-01" in words and "Funding moved" in words and "admin" in words
    assert "has not been changed" in text(plan_changes_list(changes.iloc[0:0]))
