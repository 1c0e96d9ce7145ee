"""components.verdicts: a verdict as shape + word + colour, with data attributes; withheld says so."""

from __future__ import annotations

from components.verdicts import verdict_badge
from kcsp import judgements
from kcsp.vocabulary import term
from tests.component_tree import attr, text


def test_a_verdict_badge_is_the_vocabulary_s_and_says_which_verdict(dataset):
    iid = dataset.indicators["indicator_id"].iloc[0]
    shown = next(v for v in judgements.verdicts(dataset, iid, reveal=True) if v.verdict is not None)
    badge = verdict_badge(shown)
    t = term(shown.kind, shown.verdict)
    assert t.css_class in badge.className and text(badge).endswith(t.word)
    assert attr(badge, "data-verdict") == shown.verdict and attr(badge, "data-indicator") == iid


def test_no_verdict_is_withheld_in_words():
    badge = verdict_badge(None)
    assert text(badge) == "Withheld (small numbers)" and "verdict-withheld" in badge.className
