"""components.briefing: the pack cover's words, counts and verdicts."""

from __future__ import annotations

import pandas as pd

from components.briefing import counts_text, cover_moves, short, verdict_span
from tests.component_tree import by_class, text


def test_counts_are_in_the_status_order_as_shape_word_number():
    shown = counts_text({"green": 3, "red": 1})
    assert [c.className.split()[-1] for c in by_class(shown, "brag-count-text")] == ["brag-red", "brag-green"]
    assert text(counts_text({})) == "No actions"


def test_long_titles_are_cut_at_a_word_with_an_ellipsis():
    assert short("one two three four", limit=9) == "one two\u2026"
    assert short("short", limit=9) == "short"


def test_no_verdict_says_so_in_words():
    assert text(verdict_span(None)) == "Not judged for this measure"


def test_cover_moves_name_each_action_or_say_none_moved():
    moves = pd.DataFrame([{"action_id": "A1", "priority_id": "p1", "title": "Open a refuge", "status_before": "red",
                           "status_now": "green", "move": "improved", "became_overdue": False}])
    assert "A1" in text(cover_moves(moves, {"p1": "Domestic abuse"}))
    assert text(cover_moves(moves.iloc[0:0], {}))
