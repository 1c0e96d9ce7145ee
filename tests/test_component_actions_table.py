"""components.actions_table: a plain table of actions with status badges and overdue flags."""

from __future__ import annotations

from components.actions_table import actions_table
from tests.component_tree import by_class, text


def test_each_action_is_a_row_with_its_status_and_overdue_flag(dataset):
    actions = dataset.action_status(include_restricted=False).head(6)
    table = actions_table(actions, caption="Actions of one priority")
    words = text(table)
    assert "Actions of one priority" in words
    for action_id in actions["action_id"]:
        assert action_id in words
    assert len(by_class(table, "overdue-flag")) == int(actions["overdue"].sum())
    assert len(by_class(table, "brag")) == len(actions)


def test_no_actions_says_so(dataset):
    empty = dataset.action_status(include_restricted=False).iloc[0:0]
    assert text(actions_table(empty, caption="x")) == "No actions match this selection."
