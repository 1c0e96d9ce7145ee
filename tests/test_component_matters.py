"""components.matters: a matter arising's state and where it reports, in words."""

from __future__ import annotations

from types import SimpleNamespace

from components.matters import report_to_words, state_words


def row(**values):
    base = {"report_to_name": "", "report_to_meeting_id": "", "state": "open", "kind": "carried", "due_here": False,
            "carried": 1, "answered_on": None}
    return SimpleNamespace(**{**base, **values})


def test_where_a_matter_reports_to():
    assert report_to_words(row()) == "The next meeting"
    assert report_to_words(row(report_to_name="Working group")) == "The next meeting (Working group)"
    assert report_to_words(row(report_to_meeting_id="wg-1", report_to_name="Working group")) == "Working group"


def test_an_open_matter_says_how_long_it_was_carried():
    assert state_words(row(kind="raised here")) == "Open: raised at this meeting"
    assert state_words(row(carried=3, due_here=True)) == "Open, due at this meeting: carried to 3 meetings"
