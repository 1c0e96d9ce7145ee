"""components.rounds: an action's standing in an update round as shape + word, and the round's summary."""

from __future__ import annotations

import pandas as pd

from components.rounds import standing_badge, summary_line
from kcsp.vocabulary import ROUND
from tests.component_tree import attr, text


def test_a_standing_is_the_vocabulary_s_word_and_shape_and_says_when_late():
    badge = standing_badge("late")
    assert "round-late" in badge.className and attr(badge, "data-standing") == "late"
    assert ROUND["late"].word in text(badge) and badge.title == ROUND["late"].meaning
    assert "after the deadline" in text(standing_badge("updated", after_deadline=True))


def test_the_summary_counts_each_standing():
    frame = pd.DataFrame({"standing": ["updated", "updated", "not-yet", "late"], "after_deadline": [True, False,
                                                                                                  False, False]})
    words = " ".join(text(summary_line(frame)).split())
    assert words.startswith("2 of 4 actions") and "(1 after the deadline)" in words and "1 \u2b1f Late" in words
