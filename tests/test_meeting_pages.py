"""The overview, meeting and assessment pages' layouts and callbacks, called as plain functions."""

from __future__ import annotations

import pandas as pd
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from tests.support import text, walk
from tests.test_assessment import APPENDIX_A_2017_18


def by_id(node, ident):
    return next(c for c in walk(node) if getattr(c, "id", None) == ident)


@pytest.fixture(scope="module")
def app_module():
    import app

    return app


@pytest.fixture
def request_context(app_module):
    with app_module.server.test_request_context("/"):
        yield


@pytest.fixture
def pages(app_module):
    import dash

    return {p["path"]: p["layout"] for p in dash.page_registry.values()}


class TestMeetingPage:
    def test_an_invalid_date_gives_a_clear_message(self, pages, request_context):
        page = pages["/meeting"](meeting="20-11-2025")
        assert "'20-11-2025' is not a date in the form YYYY-MM-DD" in text(by_id(page, "meeting-error"))

    def test_a_date_without_a_meeting_says_so(self, pages, request_context):
        page = pages["/meeting"](meeting="2025-11-21")
        assert "No meeting is recorded on 21 November 2025" in text(by_id(page, "meeting-error"))

    def test_a_meeting_shows_changes_and_a_pack_page_per_priority(self, pages, request_context, dataset):
        page = pages["/meeting"](meeting="2025-11-20", district="dover")
        words = text(page)
        assert "Meetings: Kent Community Safety Partnership, 20 November 2025" in words
        assert "Kent Community Safety Partnership, 17 July 2025" in words
        for heading in ("Measures with new data", "Significant changes", "Actions whose status moved"):
            assert heading in words
        view = by_id(page, "pack-view")
        sections = [c for c in walk(view) if "pack-page" in (getattr(c, "className", "") or "")]
        assert [s.id for s in sections] == ["pack-cover", "pack-introduction",
                                            *(f"pack-{p}" for p in dataset.priorities["priority_id"])]
        assert by_id(page, "pack-link").href == "/meeting?meeting=2025-11-20&pack=1&district=dover"
        assert by_id(page, "pack-download").href == "/meeting/pack.pdf?meeting=2025-11-20&district=dover"
        assert text(by_id(page, "pack-download")) == "Download the meeting pack (PDF)"
        assert "python -m kcsp" not in words

    def test_a_district_sees_its_own_changes_beside_the_county(self, pages, request_context, dataset):
        from kcsp import meetings

        page = pages["/meeting"](meeting="2025-11-20", district="thanet")
        assert "Significant changes, Thanet" in text(by_id(page, "district-changes"))
        assert "Significant changes, Kent" in text(page)
        since = meetings.meeting_view(dataset.meetings, "2025-11-20", dataset.today).since
        thanet = meetings.district_changes(dataset, pd.Timestamp("2025-10-01"), "thanet", reveal=False, since=since)
        assert not thanet.empty and set(thanet["area_code"]) == {"E07000114"}
        listed = text(by_id(page, "district-changes-table"))
        assert all(name in listed for name in thanet["name"])
        assert all(f"{r.verdict.count:,.0f}" in listed for r in thanet.itertuples())

    def test_committee_mode_shows_since_the_last_meeting_as_one_slide(self, pages, request_context):
        page = pages["/meeting"](meeting="2025-11-20", district="dover", present="1")
        slide = by_id(page, "slide")
        assert getattr(slide, "data-slide") == "since"
        assert "Since Kent Community Safety Partnership, 17 July 2025, Dover" in text(slide)
        assert "pack-view" not in {getattr(c, "id", None) for c in walk(page)}

    def test_pack_view_is_the_pack_alone(self, pages, request_context):
        page = pages["/meeting"](meeting="2025-11-20", pack="1")
        assert "Meeting pack: Kent Community Safety Partnership, 20 November 2025" in text(page)
        assert "Measures with new data" not in text(page)
        view = by_id(page, "pack-view")
        assert "Restricted actions are left out of this pack" in text(by_id(page, "pack-cover"))
        charts = [c for c in walk(view) if str(getattr(c, "id", "")).startswith("pack-chart-")]
        assert getattr(view, "data-charts") == str(len(charts)) and len(charts) == 8

    def test_choosing_a_meeting_writes_the_url(self, app_module):
        import pages.meeting as meeting_page

        assert meeting_page.choose_meeting("2025-07-17", "?district=dover&present=1") == \
            "?meeting=2025-07-17&district=dover&present=1"
        assert meeting_page.choose_meeting("2025-07-17", "?meeting=2025-07-17") is no_update
        with pytest.raises(PreventUpdate):
            meeting_page.choose_meeting(None, "")


class TestOverview:
    def test_cards_link_to_priorities_keeping_district_and_mode(self, pages, request_context, dataset):
        page = pages["/"](district="maidstone", present="1")
        for pid in dataset.priorities["priority_id"]:
            assert by_id(page, f"priority-link-{pid}").href == f"/priority/{pid}?district=maidstone&present=1"

    def test_cards_say_whether_they_changed_since_the_last_meeting(self, pages, request_context):
        page = pages["/"]()
        markers = [c for c in walk(page) if "changed-marker" in (getattr(c, "className", "") or "")]
        assert len(markers) == 8
        assert all(("Changed since the last meeting" in text(m)) != ("No change since the last meeting" in text(m))
                   for m in markers)

    def test_the_verdict_is_a_word_not_only_a_colour(self, pages, request_context):
        page = pages["/"]()
        from kcsp.vocabulary import CHANGE

        badges = [c for c in walk(page) if "verdict-badge " in (getattr(c, "className", "") or "")]
        assert len(badges) == 8
        for badge in badges:
            t = CHANGE[getattr(badge, "data-verdict")]
            assert text(badge) == f"{t.shape} {t.word}" and t.css_class in badge.className


class TestAssessmentPage:
    def test_the_count_row_reproduces_appendix_a(self, pages, request_context):
        page = pages["/assessment"]()
        counts = {getattr(c, "data-issue"): int(c.children) for c in walk(page) if hasattr(c, "data-issue")}
        assert counts == APPENDIX_A_2017_18
        assert "Illustrative" in text(page)

    def test_an_unknown_year_falls_back_with_a_message(self, pages, request_context):
        assert "There is no assessment for '1999-00'" in text(pages["/assessment"](year="1999-00"))
