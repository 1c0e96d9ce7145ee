"""components.comparator_card: the card comparing a measure with a national comparator."""

from __future__ import annotations

import pandas as pd

from components.comparator_card import comparator_card


def test_an_empty_comparison_has_no_card(dataset):
    indicator = dataset.indicators.iloc[0]
    assert comparator_card(indicator=indicator, frame=pd.DataFrame()) is None
