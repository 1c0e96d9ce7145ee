"""Update rounds as plain Python: which actions a round holds, how each stands (updated, not yet, late), what
the pack marks "no update", the refusals of `rounds open`; accounts' addresses and follows (old users files
still load); the mail settings; the unsubscribe token; and the pages' callbacks and layouts as functions."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from components import rounds as round_pieces
from kcsp import cli, digest, mailing, plan, rounds
from kcsp.queries import Dataset
from kcsp.settings import load_settings
from kcsp.updates import append_update
from kcsp.users import User, UserError, add_user, all_users, clean_email, find_user, load_users, set_mail
from kcsp.vocabulary import ROUND
from tests.fixture_store import copy_store, file_hashes
from tests.support import basic

ADMIN = User("admin", "admin", ())
NOW = pd.Timestamp.now("UTC").tz_localize(None).floor("s")
TODAY = NOW.normalize()


@pytest.fixture
def store(tmp_path, demo_store):
    store = copy_store(demo_store, tmp_path / "store")
    plan.add_meeting(store, ADMIN, f"{TODAY + pd.Timedelta(days=20):%Y-%m-%d}", "working-group")
    return store


def meeting_id() -> str:
    return f"working-group-{TODAY + pd.Timedelta(days=20):%Y-%m-%d}"


def update(store, action_id: str, status: str, when: pd.Timestamp) -> None:
    versions = store.read("action_updates").groupby("action_id")["version"].max()
    append_update(store, ADMIN, action_id, status, "Progress.", int(versions.get(action_id, 0)), now=when)


def test_a_round_holds_the_open_actions_not_complete_and_defaults_to_a_week_before(store):
    round_, opened = rounds.open_round(store, "admin", meeting_id(), now=NOW)
    tables = store.read_all()
    status = Dataset(tables).action_status(include_restricted=True)
    expected = status[(status["state"] == "open") & (status["status"] != "blue")]["action_id"]
    assert opened and round_.action_ids == tuple(sorted(expected))
    assert "A001" not in round_.action_ids or status.set_index("action_id").at["A001", "status"] != "blue"
    assert round_.due == TODAY + pd.Timedelta(days=13) and round_.version == 1
    assert tables["audit"].iloc[-1][["kind", "target"]].tolist() == ["round-open", meeting_id()]
    assert store.validate() == []


def test_each_action_stands_updated_not_yet_or_late(store):
    round_, _ = rounds.open_round(store, "admin", meeting_id(), now=NOW - pd.Timedelta(hours=1))
    first, second, third, fourth = round_.action_ids[:4]
    update(store, first, "green", NOW)
    update(store, second, "amber", pd.Timestamp(round_.due) + pd.Timedelta(days=2, hours=10))
    update(store, fourth, "red", round_.closes_at + pd.Timedelta(hours=1))
    tables = store.read_all()
    before = rounds.standing(tables, round_, today=round_.due, now=round_.due + pd.Timedelta(hours=12))
    stood = before.set_index("action_id")
    assert stood.at[first, "standing"] == "updated" and not stood.at[first, "after_deadline"]
    assert stood.at[second, "standing"] == "not-yet" and stood.at[third, "standing"] == "not-yet"
    after = rounds.standing(tables, round_, today=round_.due + pd.Timedelta(days=3)).set_index("action_id")
    assert after.at[second, "standing"] == "updated" and after.at[second, "after_deadline"]
    assert after.at[third, "standing"] == "late"
    assert after.at[fourth, "standing"] == "late", "an update after the meeting does not count for its round"
    assert set(before.columns) == set(rounds.BOARD_COLUMNS)

    late = rounds.no_update_actions(tables, round_.meeting_id, now=round_.closes_at - pd.Timedelta(hours=1))
    assert third in late and fourth in late and first not in late and second not in late
    assert rounds.no_update_actions(tables, round_.meeting_id, now=round_.due + pd.Timedelta(hours=23)) == set()
    assert rounds.no_update_actions(tables, "kcsp-2026-11-19") == set()
    meeting_day = Dataset(tables, today=round_.meeting.date)
    assert rounds.no_update_actions(meeting_day, round_.meeting_id, now=round_.closes_at - pd.Timedelta(hours=1)) \
        == late


def test_no_update_actions_reads_the_dataset_of_the_meeting_as_it_stood(store):
    round_, _ = rounds.open_round(store, "admin", meeting_id(), now=NOW)
    from kcsp import history

    then = Dataset(history.as_at(store.read_all(), round_.meeting.date), today=round_.meeting.date)
    assert rounds.no_update_actions(then, round_.meeting_id) == set(round_.action_ids)
    assert rounds.no_update_actions(Dataset(store.read_all(), today=TODAY), round_.meeting_id) == set()


def test_opening_is_refused_in_words_and_a_new_deadline_moves_it(store):
    before = file_hashes(store.root)
    cases = {
        "working-group-1999-01-01": "there is no meeting",
        "kcsp-2026-11-19": "has been held",
    }
    for meeting, words in cases.items():
        with pytest.raises(rounds.RoundError, match=words):
            rounds.open_round(store, "admin", meeting, now=NOW)
    with pytest.raises(rounds.RoundError, match="after the meeting"):
        rounds.open_round(store, "admin", meeting_id(), TODAY + pd.Timedelta(days=25), now=NOW)
    with pytest.raises(rounds.RoundError, match="has passed: give --due"):
        rounds.open_round(store, "admin", meeting_id(), now=TODAY + pd.Timedelta(days=15))
    with pytest.raises(rounds.RoundError, match="not a date"):
        rounds.open_round(store, "admin", meeting_id(), "next week", now=NOW)
    assert file_hashes(store.root) == before
    first, _ = rounds.open_round(store, "admin", meeting_id(), now=NOW)
    with pytest.raises(rounds.RoundError, match="open already"):
        rounds.open_round(store, "admin", meeting_id(), now=NOW)
    moved, opened = rounds.open_round(store, "admin", meeting_id(), f"{TODAY + pd.Timedelta(days=15):%Y-%m-%d}",
                                      now=NOW + pd.Timedelta(days=1))
    assert not opened and moved.version == 2 and moved.due == TODAY + pd.Timedelta(days=15)
    assert moved.action_ids == first.action_ids and moved.opened_at == first.opened_at
    assert store.read("audit").iloc[-1]["kind"] == "round-move"
    plan.change_meeting(store, ADMIN, meeting_id(), cancelled=True)
    assert not rounds.round_for(store.read_all(), meeting_id()).is_open(NOW)


def test_a_round_is_open_from_its_opening_to_the_end_of_its_meeting_day(store):
    round_, _ = rounds.open_round(store, "admin", meeting_id(), now=NOW)
    assert round_.is_open(NOW) and not round_.is_open(NOW - pd.Timedelta(seconds=1))
    assert round_.is_open(round_.meeting.date + pd.Timedelta(hours=23))
    assert not round_.is_open(round_.closes_at)
    assert round_.open_on(round_.meeting.date) and not round_.open_on(round_.meeting.date + pd.Timedelta(days=1))
    tables = store.read_all()
    assert rounds.board_round(tables, TODAY) == round_
    assert rounds.board_round(tables, TODAY, f"{round_.meeting.date:%Y-%m-%d}") == round_
    assert rounds.board_round(tables, TODAY, "2026-11-19") is None


def test_leads_are_the_accounts_with_role_lead_for_the_priority():
    users = [User("a", "admin", ()), User("l", "lead", ("road-safety",)), User("v", "viewer", ("road-safety",)),
             User("m", "lead", ("vawg", "domestic-abuse"))]
    assert [u.name for u in rounds.leads_for(users, ["road-safety", "domestic-abuse"])] == ["l", "m"]


def test_the_lead_panel_lists_only_their_own_actions(store):
    round_, _ = rounds.open_round(store, "admin", meeting_id(), now=NOW)
    tables = store.read_all()
    lead = User("da-lead", "lead", ("domestic-abuse",))
    [due] = rounds.due_for(tables, lead, TODAY)
    assert set(due.actions["priority_id"]) == {"domestic-abuse"} and len(due.outstanding) == len(due.actions)
    assert rounds.due_for(tables, User("v", "viewer", ()), TODAY) == []
    assert rounds.due_for(tables, None, TODAY) == []
    [everything] = rounds.due_for(tables, ADMIN, TODAY)
    assert len(everything.actions) == len(round_.action_ids)
    panel = round_pieces.due_panel([due], lead, tables["priorities"])
    assert "Your actions due an update" in str(panel) and str(panel).count("data-action") == len(due.actions)
    assert round_pieces.due_panel([], lead, tables["priorities"]) is None


def test_the_components_and_the_domain_share_the_standings():
    assert rounds.STANDINGS == round_pieces.STANDINGS == tuple(ROUND)
    assert (rounds.UPDATED, rounds.NOT_YET, rounds.LATE) == (round_pieces.UPDATED, round_pieces.NOT_YET,
                                                             round_pieces.LATE)


def test_a_digest_is_due_in_the_days_before_its_meeting():
    day = pd.Timestamp("2027-01-28")
    assert [digest.due(day, day - pd.Timedelta(days=n)) for n in (4, 3, 1, 0)] == [False, True, True, False]


# --- Accounts --------------------------------------------------------------------------------------------

def test_a_users_file_without_the_mail_columns_still_loads_and_is_kept(tmp_path):
    path = tmp_path / "users.csv"
    add_user(path, "old", "lead", ["vawg"], "a long password")
    stored = load_users(path)["old"][1]
    path.write_text(f"name,password_hash,role,priorities\nold,{stored},lead,vawg\n")
    user = find_user(path, "old")
    assert user == User("old", "lead", ("vawg",)) and user.email is None and not user.digest and user.round_mail
    add_user(path, "new", "viewer", [], "a long password", email="new@example.org")
    assert find_user(path, "old") == user
    assert path.read_text().splitlines()[0].endswith("digest,round_mail")


def test_replacing_an_account_keeps_its_address_and_follows(tmp_path):
    path = tmp_path / "users.csv"
    add_user(path, "m", "viewer", [], "a long password", email="m@example.org", follow_priorities=("vawg",),
             follow_districts=("thanet",), digest=True)
    add_user(path, "m", "lead", ["vawg"], "another password")
    user = find_user(path, "m")
    assert (user.role, user.email, user.follow_priorities, user.follow_districts, user.digest) == (
        "lead", "m@example.org", ("vawg",), ("thanet",), True)
    set_mail(path, "m", email=None, digest=False, follow_districts=[])
    assert find_user(path, "m").email is None and not find_user(path, "m").digest
    with pytest.raises(UserError):
        set_mail(path, "nobody", digest=True)
    with pytest.raises(UserError):
        set_mail(path, "m", digest="yes")
    assert [u.name for u in all_users(path)] == ["m"]


@pytest.mark.parametrize("address", ["", "no-at-sign", "a@b", "two@@example.org", "a b@example.org",
                                     "<a@example.org>", "a@example.org, b@example.org", "x" * 250 + "@ex.org"])
def test_an_address_that_is_not_one_is_refused(address):
    with pytest.raises(UserError):
        clean_email(address)


def test_users_add_takes_an_address_and_follows(tmp_path, monkeypatch, capsys, demo_store):
    path = tmp_path / "users.csv"
    monkeypatch.setenv("KCSP_USERS_FILE", str(path))
    monkeypatch.setenv("KCSP_AUTH_DB", str(tmp_path / "auth.sqlite3"))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a long password\n"))
    assert cli.main(["users", "add", "m", "--role", "viewer", "--email", "m@example.org", "--follow-priority",
                     "vawg", "--follow-district", "thanet", "--digest", "--password-stdin"]) == 0
    assert "m@example.org" in capsys.readouterr().out
    user = find_user(path, "m")
    assert (user.email, user.follow_priorities, user.follow_districts, user.digest) == (
        "m@example.org", ("vawg",), ("thanet",), True)
    for bad in (["--email", "not an address"], ["--follow-district", "atlantis"], ["--follow-priority", "nope"]):
        monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a long password\n"))
        assert cli.main(["users", "add", "m", "--role", "viewer", *bad, "--password-stdin"]) == 2
    assert find_user(path, "m") == user


# --- Settings and tokens ---------------------------------------------------------------------------------

def test_mail_is_off_unless_configured_and_bad_settings_stop_the_start():
    base = {"KCSP_SECRET_KEY": "k"}
    assert load_settings(base).mail is None
    assert load_settings(base).base_url == "http://127.0.0.1:8050"
    assert load_settings({**base, "HOST": "0.0.0.0", "PORT": "9000"}).base_url == "http://0.0.0.0:9000"
    assert load_settings({**base, "KCSP_BASE_URL": "https://kcsp.example.org/"}).base_url == "https://kcsp.example.org"
    mail = load_settings({**base, "KCSP_SMTP_HOST": "smtp.example.org", "KCSP_MAIL_FROM": "kcsp@example.org",
                          "KCSP_SMTP_USER": "u", "KCSP_SMTP_PASSWORD": "secret"}).mail
    assert (mail.tls, mail.port) == ("starttls", 587) and "secret" not in repr(mail)
    for bad in ({"KCSP_SMTP_HOST": "smtp.example.org"},
                {"KCSP_SMTP_HOST": "smtp.example.org", "KCSP_MAIL_FROM": "x@y.z", "KCSP_SMTP_TLS": "maybe"},
                {"KCSP_SMTP_HOST": "smtp.example.org", "KCSP_MAIL_FROM": "x@y.z", "KCSP_SMTP_TLS": "off",
                 "KCSP_SMTP_PASSWORD": "secret"},
                {"KCSP_SMTP_HOST": "smtp.example.org", "KCSP_MAIL_FROM": "x@y.z", "KCSP_SMTP_PORT": "0"},
                {"KCSP_BASE_URL": "ftp://x"}, {"KCSP_BASE_URL": "https://x/?a=1"}):
        with pytest.raises(RuntimeError):
            load_settings({**base, **bad})


def test_an_unsubscribe_token_names_its_account_and_cannot_be_forged():
    token = mailing.unsubscribe_token("key", "da-lead", "rounds")
    assert mailing.read_unsubscribe_token("key", token) == ("da-lead", "rounds")
    assert mailing.read_unsubscribe_token("other key", token) is None
    name, group, signature = token.split(".")
    other = mailing.unsubscribe_token("key", "rs-lead", "rounds").split(".")[0]
    for bad in (f"{other}.{group}.{signature}", f"{name}.digest.{signature}", token + "x", token[:-1], "", None,
                "a.b", "é" * 10, "x" * 500):
        assert mailing.read_unsubscribe_token("key", bad) is None


# --- Pages as functions ----------------------------------------------------------------------------------

@pytest.fixture
def private_users(tmp_path):
    """The app's runtime on the demo store with a private copy of the test accounts (the page writes them)."""
    import app  # noqa: F401
    from kcsp import runtime

    path = tmp_path / "users.csv"
    shutil.copy(runtime.settings().users_file, path)
    store = copy_store(runtime.store(), tmp_path / "store")
    runtime.configure(load_settings({"KCSP_SECRET_KEY": "test-secret-key", "KCSP_USERS_FILE": str(path),
                                     "KCSP_DATA_DIR": str(store.root)}))
    try:
        yield path, store
    finally:
        runtime.configure()


def test_the_following_page_shows_and_saves_the_users_own_choices(private_users):
    import app
    from pages import following

    path, store = private_users
    with app.server.test_request_context("/_dash-update-component", headers=basic("da-lead")):
        assert following.show_choices(0) == (
            "none yet: ask an administrator to add one (python -m kcsp users add ... --email)", [], [], ["rounds"])
        saved = following.save_choices(1, ["domestic-abuse", "nope", 3], ["thanet", "atlantis"], ["digest"])
        assert "following-saved" in str(saved)
        assert following.show_choices(0)[1:] == (["domestic-abuse"], ["thanet"], ["digest"])
    user = find_user(path, "da-lead")
    assert (user.follow_priorities, user.follow_districts, user.digest, user.round_mail) == (
        ("domestic-abuse",), ("thanet",), True, False)
    assert store.read("audit").iloc[-1][["kind", "user"]].tolist() == ["follow", "da-lead"]
    with app.server.test_request_context("/_dash-update-component"):
        assert "Sign in" in str(following.save_choices(1, [], [], []))
        assert following.show_choices(0)[0] == "not signed in"
        assert "following-denied" in str(following.layout())


def test_the_board_is_for_admins_and_leads(private_users):
    import app
    from pages import rounds as board_page

    _, store = private_users
    plan.add_meeting(store, ADMIN, f"{TODAY + pd.Timedelta(days=20):%Y-%m-%d}", "working-group")
    with app.server.test_request_context("/", headers=basic("admin")):
        assert "round-none" in str(board_page.layout())
    round_, _ = rounds.open_round(store, "admin", meeting_id())
    for name, allowed in (("admin", True), ("da-lead", True), ("viewer", False)):
        with app.server.test_request_context("/", headers=basic(name)):
            shown = str(board_page.layout())
        assert ("round-board" in shown) == allowed and ("round-denied" in shown) != allowed
        if allowed:
            assert shown.count("data-action") == len(round_.action_ids)
            assert ("round-mail" in shown) == (name == "admin")
    with app.server.test_request_context("/", headers=basic("admin")):
        assert "not a real date" in str(board_page.layout(meeting="2027-02-30"))
        assert "round-none" in str(board_page.layout(meeting="2026-11-19"))
