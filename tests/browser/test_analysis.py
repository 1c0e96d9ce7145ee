"""Priority analysis in the browser: district and period changes, table view, CSV download."""

from __future__ import annotations

import csv
import io

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import assert_clean, wait_for_charts

PAGE = "/priority/neighbourhood-crime-asb"
TABLE = ".//summary[text()='Table of the data']"


def choose(duo, selector, label):
    """Pick an option of a native select by its visible text."""
    Select(duo.find_element(selector)).select_by_visible_text(label)


def click(duo, element):
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def open_page(duo, path):
    duo.driver.get(duo.server_url + path)
    duo.wait_for_element("#priority-title", timeout=15)
    wait_for_charts(duo)


def test_choosing_a_district_puts_it_in_the_url_and_keeps_it_on_reload(served):
    open_page(served, PAGE)
    choose(served, "#filter-district", "Maidstone")
    served.wait_for_contains_text("#priority-trends-heading", "in Maidstone", timeout=15)
    assert "district=maidstone" in served.driver.current_url
    served.driver.refresh()
    served.wait_for_contains_text("#priority-trends-heading", "in Maidstone", timeout=15)
    assert Select(served.find_element("#filter-district")).first_selected_option.text == "Maidstone"
    assert "Maidstone (" in served.find_element("#districts-compared ~ div").text
    assert_clean(served)


def test_choosing_a_period_changes_the_charts(served):
    open_page(served, f"{PAGE}?district=maidstone")
    assert "Jan 2022 to Dec 2022" not in served.find_element("#trend-asb-incidents h3").text
    choose(served, "#filter-from", "Jan 2022")
    choose(served, "#filter-to", "Dec 2022")
    served.wait_for_contains_text("#trend-asb-incidents h3", "Jan 2022 to Dec 2022", timeout=15)
    url = served.driver.current_url
    assert "from=2022-01" in url and "to=2022-12" in url and "district=maidstone" in url
    assert_clean(served)


def test_table_view_shows_the_monthly_values(served):
    open_page(served, f"{PAGE}?district=maidstone&from=2022-01&to=2022-03")
    card = served.find_element("#trend-police-uk-burglary")
    click(served, card.find_element(By.XPATH, TABLE))
    served.wait_for_contains_text("#trend-police-uk-burglary table", "Mar 2022", timeout=10)
    rows = card.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows] == ["Jan 2022", "Feb 2022", "Mar 2022"]
    assert_clean(served)


def test_csv_link_downloads_exactly_what_the_card_shows(served, demo_store):
    open_page(served, f"{PAGE}?district=maidstone&from=2022-01&to=2022-03")
    link = served.find_element("#trend-police-uk-burglary [data-testid=csv-link]")
    href = link.get_attribute("href")
    assert "area=E07000110" in href and "from=2022-01" in href and "to=2022-03" in href
    body = requests.get(href, timeout=10).text
    got = [(r["period"], int(r["value"])) for r in csv.DictReader(io.StringIO(body))]
    obs = demo_store.read("observations")
    mine = obs[(obs["indicator_id"] == "police-uk-burglary") & (obs["area_code"] == "E07000110")
               & obs["period"].between("2022-01-01", "2022-03-01")].sort_values("period")
    assert got == [(p.strftime("%Y-%m"), int(v)) for p, v in zip(mine["period"], mine["value"], strict=True)]
    table_toggle = served.find_element("#trend-police-uk-burglary").find_element(By.XPATH, TABLE)
    click(served, table_toggle)
    shown = [int(r.find_elements(By.TAG_NAME, "td")[1].text.replace(",", ""))
             for r in served.find_elements("#trend-police-uk-burglary tbody tr")]
    assert shown == [v for _, v in got]


def test_road_safety_trend_draws_the_crash_break(served):
    open_page(served, "/priority/road-safety?from=2015-01&to=2016-06")
    card = served.find_element("#trend-road-casualties")
    assert "Series break: CRASH recording" in card.text
    assert "the series changed in January 2016, within the window" in card.text
    assert_clean(served)


def test_district_map_draws_offline(served):
    open_page(served, f"{PAGE}?from=2022-01&to=2022-12")
    click(served, served.find_element("#districts-compared ~ div").find_element(By.XPATH, ".//summary[text()='Map']"))
    served.wait_for_element("#districts-compared ~ div .choroplethlayer path", timeout=15)
    assert_clean(served)


def test_verdicts_in_the_page_carry_their_data_and_match_the_api(served):
    """Every verdict drawn is an element with what was judged; a district change redraws them in place."""
    open_page(served, f"{PAGE}?district=thanet")
    shown = served.driver.execute_script(
        "return [...document.querySelectorAll('[data-verdict]')].map(e => [e.dataset.verdictKind, e.dataset.indicator,"
        " e.dataset.area, e.dataset.from, e.dataset.to, e.dataset.verdict]);")
    assert {row[0] for row in shown} == {"comparison", "change"}
    kind, indicator, area, first, last, verdict = next(r for r in shown if r[2] == "E07000114" and r[0] == "change")
    api = requests.get(f"{served.server_url}/api/judgements.csv?indicator={indicator}&from={first}&to={last}",
                       timeout=10).text
    row = next(r for r in csv.DictReader(io.StringIO(api)) if r["area_code"] == area and r["kind"] == kind)
    assert row["verdict"] == verdict
    choose(served, "#filter-district", "Dover")
    served.wait_for_element("[data-area='E07000108'][data-verdict-kind='change']", timeout=15)
    assert_clean(served)
