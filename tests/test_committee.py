"""Committee mode: where the step links and the toggle lead, and the shell callback that sets them."""

from __future__ import annotations

import pytest

from kcsp.committee import committee_nav, toggle_href

ORDER = [("neighbourhood-crime-asb", "Neighbourhood"), ("domestic-abuse", "Domestic Abuse"), ("vawg", "VAWG")]


class TestSteps:
    def test_next_and_previous_keep_mode_district_and_period(self):
        nav = committee_nav("/priority/domestic-abuse", "?district=dover&from=2022-01&present=1&meeting=x", ORDER)
        assert nav.next.href == "/priority/vawg?district=dover&from=2022-01&present=1"
        assert nav.previous.href == "/priority/neighbourhood-crime-asb?district=dover&from=2022-01&present=1"
        assert nav.present

    def test_the_last_priority_has_no_next(self):
        assert committee_nav("/priority/vawg", "?present=1", ORDER).next is None

    def test_the_summary_and_since_slides_come_before_the_priorities(self):
        summary = committee_nav("/", "?present=1&district=dover", ORDER)
        assert summary.previous is None and summary.counter == "1 of 5"
        assert (summary.next.href, summary.next.label) == ("/meeting?district=dover&present=1",
                                                           "Since the last meeting")
        since = committee_nav("/meeting", "?present=1", ORDER)
        assert since.counter == "2 of 5"
        assert (since.previous.href, since.previous.label) == ("/?present=1", "Summary of all priorities")
        assert since.next.href == "/priority/neighbourhood-crime-asb?present=1"

    def test_the_first_priority_steps_back_to_the_since_slide(self):
        nav = committee_nav("/priority/neighbourhood-crime-asb", "?present=1", ORDER)
        assert (nav.previous.href, nav.previous.label) == ("/meeting?present=1", "Since the last meeting")
        assert nav.counter == "3 of 5"
        assert committee_nav("/priority/vawg", "?present=1", ORDER).counter == "5 of 5"

    @pytest.mark.parametrize("path", ["/actions", "/district/dover", "/priority/not-a-priority", "/assessment"])
    def test_from_any_other_page_next_is_the_first_slide(self, path):
        nav = committee_nav(path, "?present=1", ORDER)
        assert nav.next.href == "/?present=1"
        assert nav.previous is None and nav.counter == ""

    def test_unknown_districts_are_dropped(self):
        nav = committee_nav("/", "?district=atlantis&present=1", ORDER, {"dover"})
        assert nav.next.href == "/meeting?present=1"


class TestToggle:
    def test_entering_keeps_the_whole_query(self):
        assert toggle_href("/meeting", "?meeting=2025-11-20&district=dover") == \
            "/meeting?meeting=2025-11-20&district=dover&present=1"

    def test_leaving_removes_only_present(self):
        assert toggle_href("/meeting", "?meeting=2025-11-20&present=1&pack=1") == "/meeting?meeting=2025-11-20&pack=1"
        assert toggle_href("/", "?present=1") == "/"


@pytest.fixture(scope="module")
def shell():
    import app

    return app


def test_shell_callback_in_committee_mode(shell):
    out = shell.committee_mode("/priority/road-safety", "?district=thanet&present=1")
    class_name, toggle, label, prev_href, prev_label, prev_class, next_href, next_label, next_class, count = out
    assert count == "9 of 10"
    assert prev_label.endswith("Preventing Extremism and Hate") and "d-none" not in prev_class
    assert "present-mode" in class_name
    assert toggle == "/priority/road-safety?district=thanet"
    assert label == "Leave committee mode"
    assert prev_href == "/priority/extremism-hate?district=thanet&present=1"
    assert next_href == "/priority/vawg?district=thanet&present=1" and "d-none" not in next_class
    assert "Violence Against Women and Girls" in next_label


def test_shell_callback_outside_committee_mode(shell):
    class_name, toggle, label, *_ = shell.committee_mode("/", "?district=thanet")
    assert "present-mode" not in class_name
    assert (toggle, label) == ("/?district=thanet&present=1", "Committee mode")
