"""components.context_text: partners' words in the pack, with who wrote them when."""

from __future__ import annotations

from components.context_text import context_block, shortened, written_line
from tests.component_tree import by_id, text


def test_who_wrote_it_when_and_a_cut_at_a_word():
    assert written_line({"written_by": "Pat", "written_at": "2026-11-19T10:00:00+00:00", "version": 2}) == \
        "Written by Pat, 19 November 2026 (version 2)"
    assert shortened("alpha beta gamma", limit=12) == "alpha beta\u2026"


def test_nothing_written_says_so_under_its_heading():
    block = context_block(None, heading="Context", block_id="ctx", empty_text="Nothing has been written yet.")
    assert by_id(block, "ctx")
    assert "Context" in text(block) and "Nothing has been written yet." in text(block)
