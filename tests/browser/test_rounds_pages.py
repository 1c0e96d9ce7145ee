"""The update round in headless Chromium: a priority lead signs in and lands on "your actions due an update"
first; the round's board and "What you follow" draw without errors and without serious accessibility
violations, and the lead saves what they follow."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from kcsp import plan, rounds
from kcsp.users import User, find_user
from tests.browser.conftest import assert_clean
from tests.browser.test_accessibility import AXE, RUN, TAGS, serious
from tests.browser.test_actions_page import click, sign_in


@pytest.fixture
def round_open(writable_store, tmp_path):
    """An open round on the private store, with a private copy of the test accounts (the page saves to it)."""
    from kcsp import runtime
    from kcsp.settings import load_settings

    users = tmp_path / "users.csv"
    shutil.copy(runtime.settings().users_file, users)
    runtime.configure(load_settings({"KCSP_SECRET_KEY": "test-secret-key", "KCSP_USERS_FILE": str(users),
                                     "KCSP_DATA_DIR": str(writable_store.root)}))
    day = pd.Timestamp.now("UTC").tz_localize(None).normalize() + pd.Timedelta(days=20)
    meeting = plan.add_meeting(writable_store, User("admin", "admin", ()), f"{day:%Y-%m-%d}", "working-group")
    round_, _ = rounds.open_round(writable_store, "admin", meeting.meeting_id)
    return round_, users


def no_serious_violations(duo) -> None:
    duo.driver.execute_script(AXE.read_text(encoding="utf-8"))
    duo.driver.set_script_timeout(60)
    problems = serious(duo.driver.execute_async_script(RUN, TAGS))
    assert not problems, "\n".join(problems)


def test_a_lead_lands_on_their_actions_due_and_sets_what_they_follow(served, round_open):
    duo = served
    round_, users = round_open
    sign_in(duo, "da-lead", next_path="/")
    panel = duo.wait_for_element("#rounds-due", timeout=15)
    assert "Your actions due an update" in panel.text
    top = duo.driver.execute_script("return document.querySelector('#rounds-due').getBoundingClientRect().top")
    assert top < 400, "the panel is the first thing under the page's title"
    assert duo.driver.execute_script("return document.querySelector('#rounds-due')"
                                     ".compareDocumentPosition(document.querySelector('.priority-card'))") & 4
    assert_clean(duo)
    no_serious_violations(duo)

    duo.driver.get(f"{duo.server_url}/rounds")
    duo.wait_for_element("#round-board", timeout=15)
    assert duo.driver.execute_script("return document.querySelectorAll('#round-board tr[data-action]').length") \
        == len(round_.action_ids)
    assert_clean(duo)
    no_serious_violations(duo)

    duo.driver.get(f"{duo.server_url}/following")
    duo.wait_for_contains_text("#following-email", "none yet", timeout=15)
    click(duo, '#following-priorities input[value="domestic-abuse"]')
    click(duo, '#following-districts input[value="thanet"]')
    click(duo, '#following-mail input[value="digest"]')
    click(duo, "#following-save")
    duo.wait_for_element("#following-saved", timeout=15)
    user = find_user(users, "da-lead")
    assert (user.follow_priorities, user.follow_districts, user.digest) == (("domestic-abuse",), ("thanet",), True)
    assert_clean(duo)
    no_serious_violations(duo)
