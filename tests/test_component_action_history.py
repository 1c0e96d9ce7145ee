"""components.action_history: an action's updates, newest first, and its facts."""

from __future__ import annotations

import pandas as pd

from components.action_history import action_facts, history_timeline
from tests.component_tree import by_class, text


def test_updates_are_listed_newest_first_with_their_status_word():
    updates = pd.DataFrame([
        {"version": 1, "status": "amber", "updated_at": "2026-01-02T09:00:00+00:00", "updated_by": "lead",
         "progress": "Started", "illustrative": False},
        {"version": 2, "status": "green", "updated_at": "2026-02-02T09:00:00+00:00", "updated_by": "lead",
         "progress": "On track now", "illustrative": False},
    ])
    timeline = history_timeline(updates)
    words = text(timeline)
    assert words.index("On track now") < words.index("Started")
    assert "Green" in words and "Amber" in words
    assert timeline.reversed is True
    assert "No update" in text(history_timeline(updates.iloc[0:0]))


def test_the_facts_of_an_overdue_action_say_so(dataset):
    action = dataset.action_status(include_restricted=True).iloc[0].copy()
    action["overdue"] = True
    facts = action_facts(action, priority_name="Road safety", theme_names={}, area_names={})
    assert "Road safety" in text(facts)
    assert by_class(facts, "overdue-flag")
