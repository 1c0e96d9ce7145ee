"""/actions in headless Chromium: a priority lead signs in through /login, updates an action with the
form, and sees the change in the grid, the history and "since the last meeting"; progress written as
markup stays text; anonymous visitors never receive a restricted action."""

from __future__ import annotations

from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import assert_clean
from tests.browser.test_accessibility import AXE, RUN, TAGS, serious
from tests.support import PASSWORDS

SCRIPT = '<script>alert(1)</script> <b>bold</b> <img src=x onerror="alert(2)">'


def sign_in(duo, name: str, next_path: str = "/actions") -> None:
    duo.driver.get(f"{duo.server_url}/login?next={next_path}")
    duo.driver.find_element("id", "name").send_keys(name)
    duo.driver.find_element("id", "password").send_keys(PASSWORDS[name])
    duo.driver.find_element("css selector", "button[type=submit]").click()
    duo.wait_for_text_to_equal("#nav-user-name", name, timeout=15)


def wait_until(duo, condition) -> None:
    """Wait for a condition on the page, retrying while Dash replaces the elements it reads."""
    WebDriverWait(duo.driver, 15, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def click(duo, selector: str) -> None:
    """Scroll an element to the middle of the 1280x720 window, then click it."""
    element = duo.wait_for_element(selector, timeout=15)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def open_action(duo, action_id: str) -> None:
    click(duo, f'.ag-row[row-id="{action_id}"] .ag-cell[col-id="action_id"]')
    duo.wait_for_contains_text("#action-title", f"{action_id}: ", timeout=15)


def status_cell(duo, action_id: str) -> str:
    return duo.find_element(f'.ag-row[row-id="{action_id}"] .ag-cell[col-id="status_sort"]').text


def test_a_lead_updates_an_action_and_sees_it_everywhere(served, writable_store):
    duo = served
    sign_in(duo, "da-lead")
    assert "(lead)" in duo.find_element("#nav-user").text
    duo.wait_for_element("#nav-logout")
    open_action(duo, "A008")
    assert status_cell(duo, "A008") == "\u25b2 Amber"
    assert duo.find_element("#changes-list").text.startswith("No action changed status")

    click(duo, '#update-status input[value="red"]')
    duo.find_element("#update-progress").send_keys(SCRIPT)
    click(duo, "#update-submit")
    duo.wait_for_contains_text("#update-saved", "Saved as update", timeout=15)

    wait_until(duo, lambda d: d.find_element("css selector", ".history-item .history-progress").text == SCRIPT)
    newest = duo.find_element(".history-timeline .history-item").text
    assert "da-lead" in newest and "Red" in newest
    assert not duo.driver.find_elements("css selector", ".history-progress b, .history-progress img, "
                                                        ".history-progress script")
    try:
        duo.driver.switch_to.alert.dismiss()
        raise AssertionError("the progress text ran as script")
    except NoAlertPresentException:
        pass

    wait_until(duo, lambda d: status_cell(duo, "A008") == "\u25a0 Red")
    change = duo.wait_for_element('#changes-list tr[data-action="A008"]', timeout=15)
    assert "Red" in change.text and "Amber" in change.text and "Worsened" in change.text
    assert "1 worsened" in duo.find_element("#changes-list .changes-summary").text
    assert_clean(duo)


def test_a_stale_form_is_told_someone_else_updated_first(served, writable_store):
    from kcsp.updates import append_update
    from kcsp.users import User

    duo = served
    sign_in(duo, "admin")
    open_action(duo, "A031")
    ups = writable_store.read("action_updates")
    seen = int(ups.loc[ups["action_id"] == "A031", "version"].max())
    append_update(writable_store, User("da-lead", "admin", ()), "A031", "green", "Got there first.", seen)

    click(duo, '#update-status input[value="amber"]')
    duo.find_element("#update-progress").send_keys("Written from the page as it was.")
    click(duo, "#update-submit")
    duo.wait_for_contains_text("#update-conflict", "Someone else updated this action first", timeout=15)
    wait_until(duo, lambda d: d.find_element("css selector", ".history-item .history-progress").text
               == "Got there first.")
    assert duo.find_element("#update-progress").get_attribute("value") == "Written from the page as it was."
    assert_clean(duo)


def test_anonymous_visitors_get_no_restricted_action(served, dataset):
    duo = served
    duo.driver.get(duo.server_url + "/actions?district=tunbridge-wells")
    duo.wait_for_element('.ag-row[row-id="A001"]', timeout=15)
    duo.wait_for_contains_text("#actions-count", "Showing", timeout=15)
    restricted = dataset.actions[dataset.actions["classification"] == "restricted"]
    assert not duo.driver.find_elements("css selector", '.ag-row[row-id="A007"]')
    source = duo.driver.page_source
    assert not [t for t in restricted["title"] if t in source]
    assert "Sign in" in duo.find_element("#nav-login").text
    open_action(duo, "A001")
    assert duo.find_element("#update-form").get_attribute("hidden") is not None
    assert "sign in" in duo.find_element("#action-access").text
    assert_clean(duo)


def test_sorting_by_status_puts_red_first(served):
    duo = served
    duo.driver.get(duo.server_url + "/actions")
    duo.wait_for_element('.ag-row[row-id="A001"]', timeout=15)
    click(duo, '.ag-header-cell[col-id="status_sort"] .ag-header-cell-label')
    first_status = '.ag-row[row-index="0"] .ag-cell[col-id="status_sort"]'
    wait_until(duo, lambda d: d.find_element("css selector", first_status).text == "\u25a0 Red")
    assert_clean(duo)


SET_VALUE = """
var el = arguments[0];
Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, arguments[1]);
el.dispatchEvent(new Event('input', {bubbles: true}));
el.dispatchEvent(new Event('change', {bubbles: true}));
"""


def set_date(duo, selector: str, value: str) -> None:
    duo.driver.execute_script(SET_VALUE, duo.find_element(selector), value)


def test_an_admin_creates_an_action_and_moves_its_due_date_through_the_page(served, writable_store):
    from selenium.webdriver.support.ui import Select

    duo = served
    sign_in(duo, "admin")
    duo.wait_for_element('.ag-row[row-id="A001"]', timeout=15)
    before = set(writable_store.read("actions")["action_id"])
    click(duo, "#plan-new")
    wait_until(duo, lambda d: d.switch_to.active_element.get_attribute("id") == "plan-title")
    Select(duo.find_element("#plan-priority")).select_by_visible_text("Road Safety")
    duo.find_element("#plan-title").send_keys("Pilot average speed cameras on the A20.")
    duo.find_element("#plan-agency").send_keys("KCC Highways")
    duo.find_element("#plan-owner").send_keys("Road Safety Manager, KCC")
    set_date(duo, "#plan-start", "2026-04-01")
    set_date(duo, "#plan-due", "2027-03-31")
    click(duo, "#plan-save")
    duo.wait_for_contains_text("#plan-saved", "Created", timeout=15)
    (action_id,) = set(writable_store.read("actions")["action_id"]) - before
    duo.wait_for_element(f'.ag-row[row-id="{action_id}"]', timeout=15)

    open_action(duo, action_id)
    click(duo, "#plan-edit")
    wait_until(duo, lambda d: d.find_element("id", "plan-due").get_attribute("value") == "2027-03-31")
    set_date(duo, "#plan-due", "2027-06-30")
    click(duo, "#plan-save")
    duo.wait_for_contains_text("#plan-saved", f"Saved {action_id} as change 2", timeout=15)
    due_cell = f'.ag-row[row-id="{action_id}"] .ag-cell[col-id="due"]'
    wait_until(duo, lambda d: d.find_element("css selector", due_cell).text == "30 Jun 2027")
    change = duo.wait_for_element('.plan-change[data-revision="2"]', timeout=15)
    assert "Due: 2027-03-31 \u2192 2027-06-30" in change.text and "admin" in change.text
    acts = writable_store.read("actions").set_index("action_id")
    assert acts.at[action_id, "due"].strftime("%Y-%m-%d") == "2027-06-30"
    assert_clean(duo)

    click(duo, "#plan-edit")
    click(duo, "#calendar-box summary")
    duo.driver.execute_script(AXE.read_text(encoding="utf-8"))
    duo.driver.set_script_timeout(60)
    problems = serious(duo.driver.execute_async_script(RUN, TAGS))
    assert not problems, "\n".join(problems)


def test_a_lead_signs_in_from_a_filtered_plan_and_lands_back_on_it(served):
    duo = served
    duo.driver.delete_all_cookies()
    path = "/actions?priority=domestic-abuse&district=thanet"
    duo.driver.get(duo.server_url + path)
    click(duo, "#nav-login")
    duo.wait_for_element("#name", timeout=15).send_keys("da-lead")
    duo.driver.find_element("id", "password").send_keys(PASSWORDS["da-lead"])
    duo.driver.find_element("css selector", "button[type=submit]").click()
    duo.wait_for_text_to_equal("#nav-user-name", "da-lead", timeout=15)
    assert duo.driver.current_url == duo.server_url + path
    click(duo, "#nav-logout")
    duo.wait_for_element("button[type=submit]", timeout=15).click()
    duo.wait_for_element("#nav-login", timeout=15)
    assert duo.driver.current_url == duo.server_url + path


def test_an_update_over_the_limit_is_counted_refused_and_never_cut(served, writable_store):
    duo = served
    sign_in(duo, "da-lead")
    open_action(duo, "A008")
    before = len(writable_store.read("action_updates"))
    click(duo, '#update-status input[value="green"]')
    duo.find_element("#update-progress").send_keys("x" * 2100)
    duo.wait_for_contains_text("#update-count", "2,100 of 2,000 characters: 100 too many", timeout=15)
    assert len(duo.find_element("#update-progress").get_attribute("value")) == 2100, "the text was cut"
    click(duo, "#update-submit")
    duo.wait_for_contains_text("#update-message", "is 2,100 characters long", timeout=15)
    assert len(writable_store.read("action_updates")) == before
    assert len(duo.find_element("#update-progress").get_attribute("value")) == 2100, "what was typed was lost"


def test_at_1280_by_720_no_action_title_or_progress_is_cut(served, dataset):
    duo = served
    duo.driver.delete_all_cookies()
    duo.driver.set_window_size(1280, 720)
    duo.driver.get(duo.server_url + "/actions")
    duo.wait_for_element('.ag-row[row-id="A001"]', timeout=15)
    cells = duo.driver.execute_script("""
        return Array.from(document.querySelectorAll('.actions-grid .ag-cell[col-id="title"],'
                                                    + '.actions-grid .ag-cell[col-id="progress"]'))
          .map(c => [c.getAttribute('col-id'), c.innerText, c.scrollWidth <= c.clientWidth + 1,
                     c.scrollHeight <= c.clientHeight + 1]);""")
    titles = {text for col, text, *_ in cells if col == "title"}
    public = dataset.actions[dataset.actions["classification"] == "public"]
    assert all(any(text.startswith(t) for text in titles) for t in public["title"]), "a title is not shown whole"
    assert all(fits_across and fits_down for _, _, fits_across, fits_down in cells), "a cell cuts its text"
    assert not any(text.endswith("\u2026") for _, text, *_ in cells)
