"""components.actions_grid: one grid row per action, status as shape + word, sorted in the vocabulary's order."""

from __future__ import annotations

from components.actions_grid import COLUMN_DEFS, actions_grid, grid_rows
from kcsp.vocabulary import STATUS, STATUS_POSITION


def test_rows_carry_the_status_word_and_the_vocabulary_s_sort_position(dataset):
    actions = dataset.action_status(include_restricted=False)
    rows = grid_rows(actions, priority_names={}, theme_names={}, area_names={})
    assert [r["action_id"] for r in rows] == list(actions["action_id"])
    for row in rows:
        assert row["status_sort"] == STATUS_POSITION[row["status"]]
        assert row["status_label"].endswith(STATUS[row["status"]].word)
        assert row["due_label"].endswith("overdue") == row["overdue"]


def test_the_grid_has_its_id_and_one_column_per_field(dataset):
    grid = actions_grid("grid", [])
    assert grid.id == "grid"
    assert [c["field"] for c in grid.columnDefs] == [c["field"] for c in COLUMN_DEFS]
    assert grid.getRowId == "params.data.action_id"
