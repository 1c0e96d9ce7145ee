"""components.action_changes: what changed in the action plan, worst news first, as words and shapes."""

from __future__ import annotations

import pandas as pd

from components.action_changes import change_summary, changes_list, move_label
from kcsp.actions import CHANGE_COLUMNS
from tests.component_tree import by_class, text

CHANGES = pd.DataFrame([
    ["A1", "p1", "Open a refuge", "green", "red", "worsened", False, "2026-01-02", pd.Timestamp("2026-03-01"), False],
    ["A2", "p1", "Train staff", "amber", "blue", "completed", False, "2026-01-03", pd.Timestamp("2026-03-01"), False],
    ["A3", "p2", "Fix lights", "red", "red", "no change", True, None, pd.Timestamp("2025-12-01"), True],
], columns=CHANGE_COLUMNS)


def test_the_summary_counts_each_move_and_what_became_overdue():
    assert change_summary(CHANGES) == "1 worsened, 1 completed; 1 became overdue."
    assert change_summary(CHANGES.iloc[0:0]) == "No action changed status, started, was added or became overdue."


def test_the_list_puts_what_became_overdue_first_and_names_each_priority():
    shown = changes_list(CHANGES, priority_names={"p1": "Domestic abuse", "p2": "Road safety"})
    words = text(shown)
    assert words.index("A3") < words.index("A1")
    assert "Domestic abuse" in words and "Became overdue" in words
    assert len(by_class(shown, "overdue-flag")) == 1


def test_a_move_is_a_shape_and_a_word():
    label = move_label("worsened")
    assert "move-worsened" in label.className
    assert text(label).endswith("Worsened")
