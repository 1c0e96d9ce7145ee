"""The one vocabulary: no shape means two things, and the stylesheet is generated from it."""

from __future__ import annotations

import re

from kcsp import judgements, vocabulary
from tests.support import ROOT


def test_no_shape_is_shared_between_status_comparison_and_change_or_any_other_kind():
    shapes = [t.shape for terms in vocabulary.KINDS.values() for t in terms.values()]
    assert len(shapes) == len(set(shapes))


def test_every_verdict_the_judgements_give_has_a_term():
    assert set(judgements.COMPARISON_VERDICTS) == set(vocabulary.COMPARISON)
    assert set(judgements.CHANGE_VERDICTS) == set(vocabulary.CHANGE)


def test_the_stylesheet_is_the_generated_one():
    assert (ROOT / "assets" / "05-vocabulary.css").read_text() == vocabulary.css()


def test_text_colours_meet_wcag_aa_on_white():
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for terms in vocabulary.KINDS.values():
        for t in terms.values():
            assert (1.05) / (luminance(t.colour) + 0.05) >= 4.5, t


def test_no_other_stylesheet_writes_a_vocabulary_colour_by_hand():
    """Other stylesheets name the vocabulary's colours by custom property (var(--vocabulary-blue),
    var(--marker-overdue)), so a colour changed in kcsp/vocabulary.py changes everywhere."""
    colours = {c.lower() for c in vocabulary.COLOURS.values()}
    generated = ROOT / "assets" / "05-vocabulary.css"
    for sheet in sorted((ROOT / "assets").glob("*.css")):
        if sheet == generated:
            continue
        found = {h.lower() for h in re.findall(r"#[0-9a-fA-F]{6}\b", sheet.read_text())}
        assert not found & colours, f"{sheet.name} writes {sorted(found & colours)}: use var(--vocabulary-...)"


def test_the_status_order_and_rank_are_the_vocabulary_s():
    assert set(vocabulary.STATUS_ORDER) == set(vocabulary.STATUS) == set(vocabulary.STATUS_RANK)
    assert vocabulary.STATUS_RANK[vocabulary.COMPLETE] == max(vocabulary.STATUS_RANK.values())
    assert tuple(s for s in vocabulary.STATUS_ORDER if s in vocabulary.OFF_TRACK) == vocabulary.OFF_TRACK
