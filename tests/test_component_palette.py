"""components.palette: chart colours, and status styles taken from the one vocabulary."""

from __future__ import annotations

from components.palette import BRAG, BRAG_ORDER, CATEGORICAL, PLOTLY_SYMBOLS
from kcsp.vocabulary import COMPARISON, STATUS, STATUS_ORDER


def test_status_styles_are_the_vocabulary_s():
    assert BRAG_ORDER == STATUS_ORDER
    for code, style in BRAG.items():
        assert (style.label, style.shape, style.colour) == (STATUS[code].word, STATUS[code].shape, STATUS[code].colour)


def test_every_comparison_shape_has_a_chart_symbol_and_colours_are_distinct():
    assert set(PLOTLY_SYMBOLS) == {t.shape for t in COMPARISON.values()}
    assert len(set(CATEGORICAL)) == len(CATEGORICAL)
