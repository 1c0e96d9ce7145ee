"""Meeting-ready, in headless Chromium at 1280x720: a district's view of everything (the filter on a
district's page, the meeting page scoped to a district), the pack downloaded from the meeting page,
unknown addresses answering 404, tab titles, and a filtered action plan as a link."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from selenium.webdriver.support.ui import Select

from kcsp import meetings
from tests.browser.conftest import assert_clean, wait_until


def test_a_district_page_shows_its_district_in_the_filter_and_another_opens_its_page(served):
    served.driver.get(served.server_url + "/district/thanet?from=2022-03")
    served.wait_for_text_to_equal("h1", "Thanet: all priorities", timeout=20)
    wait_until(lambda: Select(served.find_element("#filter-district")).first_selected_option.text == "Thanet",
               message="the filter does not show Thanet")
    assert served.find_element("#district-since h2").text.startswith("Since the last meeting")
    Select(served.find_element("#filter-district")).select_by_visible_text("Dover")
    served.wait_for_text_to_equal("h1", "Dover: all priorities", timeout=20)
    url = urlparse(served.driver.current_url)
    assert url.path == "/district/dover"
    assert parse_qs(url.query) == {"from": ["2022-03"]}
    assert Select(served.find_element("#filter-district")).first_selected_option.text == "Dover"
    wait_until(lambda: served.driver.title == "Dover - Kent Community Safety Dashboard", message="tab title")
    assert_clean(served)


def test_the_meeting_page_lists_thanets_own_changes(served, dataset):
    served.driver.get(served.server_url + "/meeting?meeting=2025-11-20&district=thanet")
    served.wait_for_contains_text("#district-changes", "Significant changes, Thanet", timeout=20)
    since = meetings.meeting_view(dataset.meetings, "2025-11-20", dataset.today).since
    thanet = meetings.district_changes(dataset, meetings.last_complete_month(pd_date("2025-11-20")), "thanet",
                                       reveal=False, since=since)
    names = list(thanet["name"])
    assert names, "the demonstration store has no significant change in Thanet"
    listed = served.find_element("#district-changes-table").text
    assert all(name in listed for name in names)
    assert_clean(served)


def pd_date(text: str):
    import pandas as pd

    return pd.Timestamp(text)


def test_the_pack_downloads_from_the_meeting_page_with_progress(served):
    served.driver.get(served.server_url + "/meeting?meeting=2025-07-17")
    served.wait_for_text_to_equal("#pack-download", "Download the meeting pack (PDF)", timeout=20)
    served.driver.execute_script(
        "window.__saved = null; HTMLAnchorElement.prototype.click = (function (click) {"
        " return function () { if (this.download && this.href.startsWith('blob:')) { window.__saved = this.download; }"
        " else { click.call(this); } }; })(HTMLAnchorElement.prototype.click);")
    served.find_element("#pack-download").click()
    served.wait_for_contains_text("#pack-download-status", "Building the meeting pack", timeout=5)
    served.wait_for_contains_text("#pack-download-status", "The meeting pack is ready", timeout=120)
    assert served.driver.execute_script("return window.__saved") == "meeting-pack-2025-07-17.pdf"
    assert_clean(served)


@pytest.mark.parametrize(("path", "status"), [
    ("/no-such-page", 404), ("/priority/not-a-priority", 404), ("/district/atlantis", 404),
    ("/priority/domestic-abuse", 200), ("/district/thanet", 200), ("/actions?status=red", 200),
])
def test_unknown_addresses_answer_404(live_server, path, status):
    assert requests.get(live_server + path, timeout=30).status_code == status


def test_a_priority_tab_is_titled_with_its_name(served):
    served.driver.get(served.server_url + "/priority/domestic-abuse")
    served.wait_for_text_to_equal("h1", "Domestic Abuse", timeout=20)
    wait_until(lambda: served.driver.title == "Domestic Abuse - Kent Community Safety Dashboard", message="title")


def grid_ids(duo) -> list[str]:
    return duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#actions-grid .ag-center-cols-container .ag-row'))"
        ".map(r => r.getAttribute('row-id'));")


@pytest.mark.parametrize("query", [
    "status=red", "status=red&status=amber", "priority=domestic-abuse", "lead_agency=Kent Police",
    "theme=early-intervention", "due_from=2026-01-01", "due_to=2025-12-31", "overdue=1",
    "priority=domestic-abuse&status=green",
])
def test_a_filtered_action_plan_is_a_link(served, dataset, query):
    from kcsp.actions import ActionFilter

    args = parse_qs(query)
    expected = ActionFilter.from_args({k: v if k == "status" else v[0] for k, v in args.items()}).apply(
        dataset.action_status(include_restricted=False))
    assert 0 < len(expected) < len(dataset.action_status(include_restricted=False)), "a filter that filters nothing"
    served.driver.get(served.server_url + "/actions?" + query.replace(" ", "%20"))
    served.wait_for_element("#actions-grid .ag-row", timeout=20)
    wait_until(lambda: sorted(grid_ids(served)) == sorted(expected["action_id"]), 20,
               f"{query}: the grid does not show the filtered actions")
    assert served.find_element("#actions-count").text.startswith(f"Showing {len(expected)} of")
    assert parse_qs(urlparse(served.driver.current_url).query) == args


def test_choosing_filters_writes_them_into_the_address(served):
    served.driver.get(served.server_url + "/actions")
    served.wait_for_element("#actions-grid .ag-row", timeout=20)
    Select(served.find_element("#actions-priority")).select_by_value("domestic-abuse")
    served.find_element('#actions-status input[value="red"]').click()
    wait_until(lambda: parse_qs(urlparse(served.driver.current_url).query) ==
               {"priority": ["domestic-abuse"], "status": ["red"]}, message="the filters are not in the address")


def test_the_grid_uses_the_page_and_shows_each_row_whole(served):
    served.driver.get(served.server_url + "/actions")
    served.wait_for_element("#actions-grid .ag-row", timeout=20)
    cut = served.driver.execute_script(
        "return Array.from(document.querySelectorAll('#actions-grid .ag-center-cols-container .ag-cell'))"
        ".filter(c => c.scrollHeight > c.clientHeight + 1).length;")
    assert cut == 0, "a row is shorter than its text"
    inner_scroll = served.driver.execute_script(
        "const v = document.querySelector('#actions-grid .ag-body-viewport'); return v.scrollHeight - v.clientHeight;")
    assert inner_scroll <= 1, "the grid scrolls inside a box"
    served.driver.execute_script("document.querySelector('.ag-row[row-id=\"A020\"], .ag-row:last-child')"
                                 ".scrollIntoView({block: 'center'});")
    last = served.driver.find_elements("css selector", "#actions-grid .ag-center-cols-container .ag-row")[-1]
    last.find_element("css selector", '.ag-cell[col-id="action_id"]').click()
    wait_until(lambda: served.driver.execute_script(
        "const r = document.getElementById('action-detail').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight / 2;"), message="the detail was not brought into view")
