"""components.meeting: the meeting page's facts, calendar and error, and the pack's parts."""

from __future__ import annotations

from components.meeting import calendar_table, meeting_error, meeting_facts
from kcsp import meetings
from tests.component_tree import by_id, text


def test_the_calendar_marks_the_selected_meeting_and_links_each(dataset):
    every = meetings.calendar(dataset.meetings)
    table = calendar_table(every, selected=every[0].iso, href_for=lambda iso: f"/meeting?meeting={iso}")
    words = text(table)
    assert f"All {len(every)} meetings in the calendar" in words
    assert words.count("(selected)") == 1


def test_an_error_is_an_alert_and_facts_are_a_definition_list():
    error = meeting_error("No meeting is recorded on 1 January 2026.")
    assert by_id(error, "meeting-error").role == "alert" and "No meeting is recorded" in text(error)
    assert text(meeting_facts([("Meeting", "The partnership"), ("As at", "2 May 2026")])) == \
        "Meeting The partnership As at 2 May 2026"
