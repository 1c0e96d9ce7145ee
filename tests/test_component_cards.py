"""components.cards: chart cards' parts, their tables as text, and the real/illustrative badge."""

from __future__ import annotations

import pandas as pd

from components.cards import csv_href, data_table, illustrative_badge, markdown_table, part_id
from tests.component_tree import attr, by_id, text


def test_the_badge_says_real_or_illustrative_in_words():
    assert text(illustrative_badge(False)) == "Real data"
    assert text(illustrative_badge(True)) == "Illustrative"


def test_a_table_is_markdown_with_escaped_cells_in_a_named_region():
    frame = pd.DataFrame({"Area": ["Dover|East"], "Count": [3]})
    assert markdown_table(frame) == "| Area | Count |\n|---|---|\n| Dover\\|East | 3 |"
    ids = (part_id("trend", "asb", "caption"), part_id("trend", "asb", "table"))
    table = data_table(frame, caption="Counts by area", ids=ids)
    assert attr(table, "aria-label") == "Counts by area" and table.tabIndex == 0
    assert by_id(table, ids[1]).children.startswith("| Area")


def test_the_csv_link_names_the_indicator_and_area():
    href = csv_href("asb-incidents", "E07000108", "2024-01", "2024-12")
    assert href.startswith("/api/") and "indicator=asb-incidents" in href and "area=E07000108" in href
