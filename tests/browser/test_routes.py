"""Every route opens in headless Chromium with no console error and no Dash error."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_clean, wait_for_charts

ROUTES = [
    ("/", "Community Safety Agreement priorities"),
    ("/priority/road-safety", "Road Safety"),
    ("/priority/neighbourhood-crime-asb?district=maidstone&from=2022-01&to=2022-12", "Preventing Neighbourhood"),
    ("/district/medway", "Medway: all priorities"),
    ("/district/tonbridge-and-malling", "Tonbridge and Malling: all priorities"),
    ("/actions", "action plan"),
    ("/meeting", "Meetings"),
    ("/data", "Data, sources and caveats"),
]
NOT_FOUND = [("/no-such-page", "Page not found"), ("/priority/not-a-priority", "Priority not found")]


@pytest.mark.parametrize(("path", "heading"), ROUTES)
def test_route_renders_without_errors(served, path, heading):
    served.driver.get(served.server_url + path)
    served.wait_for_contains_text("h1", heading, timeout=15)
    served.wait_for_no_elements("._dash-loading", timeout=15)
    assert_clean(served)


@pytest.mark.parametrize(("path", "heading"), NOT_FOUND)
def test_an_unknown_address_says_so_with_status_404(served, path, heading):
    served.driver.get(served.server_url + path)
    served.wait_for_contains_text("h1", heading, timeout=15)
    served.wait_for_no_elements("._dash-loading", timeout=15)
    logs = served.get_logs()
    assert [entry["message"].split(" - ", 1)[1] for entry in logs] == [
        "Failed to load resource: the server responded with a status of 404 (NOT FOUND)"]


def test_priority_page_draws_its_charts(served):
    served.driver.get(served.server_url + "/priority/road-safety")
    served.wait_for_element(".chart-card .js-plotly-plot", timeout=15)
    assert len(served.driver.find_elements("css selector", ".chart-card .js-plotly-plot .main-svg")) >= 2
    assert "Series break" in served.find_element("#trend-road-casualties").text
    assert_clean(served)


RECORD_CALLBACKS = """
window.__outputs = [];
const realFetch = window.fetch;
window.fetch = function (url, options) {
  if (String(url).includes('_dash-update-component') && options && options.body) {
    window.__outputs.push(JSON.parse(options.body).output);
  }
  return realFetch.apply(this, arguments);
};
"""


def test_a_page_opens_with_its_content_in_the_first_layout(served):
    """No routing callback when a page opens (the first layout holds it); moving inside the app still
    goes through Dash Pages' router."""
    driver = served.driver
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CALLBACKS})
    try:
        driver.get(served.server_url + "/priority/road-safety?district=dover")
        served.wait_for_contains_text("h1", "Road Safety", timeout=15)
        served.wait_for_no_elements("._dash-loading", timeout=15)
        wait_for_charts(served)
        assert not [o for o in driver.execute_script("return window.__outputs") if "_pages_content" in o]
        assert served.find_element("#filter-district").get_attribute("value") == "dover"
        served.find_element("#nav-priorities").click()
        served.find_element("a[href^='/priority/domestic-abuse']").click()
        served.wait_for_contains_text("h1", "Domestic Abuse", timeout=15)
        assert [o for o in driver.execute_script("return window.__outputs") if "_pages_content" in o]
        assert_clean(served)
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})
