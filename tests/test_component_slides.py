"""components.slides: committee slides; a district's bar carries its verdict as shape + word."""

from __future__ import annotations

import pandas as pd

from components.slides import district_bars
from kcsp.vocabulary import COMPARISON
from tests.component_tree import by_class, text


def test_each_district_is_a_bar_with_its_verdict_word_and_the_selected_one_is_marked():
    frame = pd.DataFrame([
        {"area_code": "a", "area_name": "Dover", "rate": 12.0, "verdict": "worse"},
        {"area_code": "b", "area_name": "Thanet", "rate": 6.0, "verdict": "better"},
        {"area_code": "c", "area_name": "Ashford", "rate": None, "verdict": None},
    ])
    bars = district_bars(frame, total_label="County", window="2025", selected_code="b")
    words = text(bars)
    assert words.index("Dover") < words.index("Thanet") < words.index("Ashford")
    assert COMPARISON["worse"].word in words and "Withheld" in words
    assert len(by_class(bars, "bar-selected")) == 1
    assert "County figures only" in text(district_bars(frame.iloc[0:0], total_label="x", window="y"))
