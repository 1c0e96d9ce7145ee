"""components.data_import: why a file was refused, and the preview of what an import changes."""

from __future__ import annotations

import pandas as pd

from components.data_import import problems_block, text_table
from tests.component_tree import attr, by_id, text


def test_a_refused_file_says_so_and_lists_each_problem():
    problems = pd.DataFrame({"row": [2, 5], "column": ["count", "month"], "problem": ["not a number", "no such month"]})
    block = problems_block(problems, 2)
    assert by_id(block, "import-refused").role == "alert"
    assert "2 problems found; nothing has been changed" in text(block)
    assert "no such month" in text(by_id(block, "import-problems"))


def test_a_long_table_shows_its_first_rows_and_says_how_many():
    table = text_table(pd.DataFrame({"n": range(10)}), caption="Rows", table_id="t", max_rows=3)
    assert "Rows (first 3 of 10)" in text(table)
    assert attr(table, "aria-label") == "Rows"
