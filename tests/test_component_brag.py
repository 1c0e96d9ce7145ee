"""components.brag: a status is always word + shape + colour, listed in the vocabulary's one order."""

from __future__ import annotations

from components.brag import legend, status_badge, status_counts, status_text
from kcsp.vocabulary import STATUS, STATUS_ORDER
from tests.component_tree import attr, by_class, text


def test_a_badge_is_shape_word_and_colour_class_with_its_meaning():
    badge = status_badge("red")
    assert "brag-red" in badge.className and badge.title == STATUS["red"].meaning
    shape = by_class(badge, "brag-shape")[0]
    assert shape.children == STATUS["red"].shape and attr(shape, "aria-hidden") == "true"
    assert status_text("amber") == f"{STATUS['amber'].shape} Amber"


def test_counts_and_the_legend_follow_the_status_order():
    counts = status_counts({"blue": 2, "red": 1, "green": 0})
    assert text(counts).split() == ["\u25a0", "Red", "1", "\u2714", "Complete", "2"]
    keyed = [c.className.split()[-1] for c in by_class(legend(), "brag")]
    assert keyed == [f"brag-{s}" for s in STATUS_ORDER]
    assert text(status_counts({})) == "No actions"
