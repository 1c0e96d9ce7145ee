"""The reporting cycle against a real SMTP server on loopback (aiosmtpd, started by each test): opening a round
mails each lead with actions in it, once; a reminder goes only to leads with updates outstanding; the digest
lists a status move and a signal since the last meeting, and its links open those views; a second send-due
sends nothing; with no SMTP server configured nothing is sent and the pages still work. Also: what happens when
the server refuses a message, or the process dies between the server's acceptance and the record."""

from __future__ import annotations

import html
import re
from email import message_from_bytes, policy
from pathlib import Path

import pandas as pd
import pytest

from kcsp import mailing, plan, rounds
from kcsp.settings import load_settings
from kcsp.store import Store
from kcsp.updates import append_update
from kcsp.users import User, add_user, find_user
from serving import cli
from serving.mail import connect
from serving.server import free_port
from tests.fixture_store import copy_store
from tests.support import sign_in

ADMIN = User("admin", "admin", ())
SMTP_VARS = ("KCSP_SMTP_HOST", "KCSP_SMTP_PORT", "KCSP_SMTP_TLS", "KCSP_SMTP_USER", "KCSP_SMTP_PASSWORD",
             "KCSP_MAIL_FROM", "KCSP_BASE_URL")
BASE = "http://dashboard.example.org"
LINK = re.compile(r'href="([^"]+)"')


class Inbox:
    """An aiosmtpd handler keeping every message it accepts; RCPT TO an address in `refuse` gets 550."""

    def __init__(self):
        self.messages = []
        self.raw: list[bytes] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.raw.append(envelope.original_content)
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def cycle(tmp_path, demo_store, monkeypatch, smtp):
    """A private store with a Working Group meeting 20 days ahead, accounts with addresses, and the
    environment of a deployment that sends mail through the test's SMTP server."""
    store = copy_store(demo_store, tmp_path / "store")
    today = pd.Timestamp.now("UTC").tz_localize(None).normalize()
    meeting = plan.add_meeting(store, ADMIN, f"{today + pd.Timedelta(days=20):%Y-%m-%d}", "working-group").meeting_id
    # Extremism and Hate's one action not complete is completed: its lead has nothing in the round.
    tables = store.read_all()
    latest = tables["action_updates"].sort_values("version").groupby("action_id").tail(1).set_index("action_id")
    open_ = tables["actions"][(tables["actions"]["priority_id"] == "extremism-hate")]
    for aid in open_["action_id"]:
        if latest.at[aid, "status"] != "blue":
            append_update(store, ADMIN, aid, "blue", "Completed.", int(latest.at[aid, "version"]))
    users = tmp_path / "users.csv"
    add_user(users, "da-lead", "lead", ["domestic-abuse"], "lead-pass-1", email="da.lead@example.org")
    add_user(users, "rs-lead", "lead", ["road-safety"], "lead-pass-1", email="rs.lead@example.org")
    add_user(users, "eh-lead", "lead", ["extremism-hate"], "lead-pass-1", email="eh.lead@example.org")
    add_user(users, "vawg-lead", "lead", ["vawg"], "lead-pass-1")
    add_user(users, "boss", "admin", [], "admin-pass-1", email="boss@example.org")
    env = {"KCSP_SMTP_HOST": "127.0.0.1", "KCSP_SMTP_PORT": str(smtp.port), "KCSP_SMTP_TLS": "off",
           "KCSP_MAIL_FROM": "Community Safety Dashboard <kcsp@example.org>", "KCSP_BASE_URL": BASE,
           "KCSP_USERS_FILE": str(users)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return store, meeting, users, today


def run(*argv: str) -> int:
    return cli.main(list(argv))


def parts(message) -> tuple[str, str]:
    """(text, HTML) of a multipart/alternative message, checking its shape."""
    assert message.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in message.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    text, markup = (p.get_content() for p in message.iter_parts())
    return text, markup


def test_opening_a_round_mails_each_lead_with_actions_in_it_once(cycle, smtp, capsys):
    store, meeting, _, _ = cycle
    assert run("rounds", "open", "--meeting", meeting, "--store", str(store.root)) == 0
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.messages) == ["da.lead@example.org",
                                                                              "rs.lead@example.org"]
    request = smtp.to("da.lead@example.org")[0]
    text, markup = parts(request)
    round_ = rounds.round_for(store.read_all(), meeting)
    mine = store.read("actions").set_index("action_id").loc[list(round_.action_ids)]
    mine = mine[mine["priority_id"] == "domestic-abuse"]
    assert f"your {len(mine)} actions" in request["Subject"]
    for aid, row in mine.iterrows():
        assert aid in text and aid in markup
        assert (row["title"] in text) == (row["classification"] == "public")
    assert f"{BASE}/actions?priority=domestic-abuse" in text
    assert "<img" not in markup and "<script" not in markup
    assert all(link.startswith(BASE) for link in map(html.unescape, LINK.findall(markup)))
    unsubscribe = request["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{BASE}/unsubscribe?t=") and unsubscribe in text
    assert request["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = next(r for r in smtp.raw if b"da.lead@example.org" in r)
    assert f"List-Unsubscribe: <{unsubscribe}>".encode() in raw, "the address is sent as it is, not encoded"

    log = store.read("mail_log")
    assert sorted(log["step"]) == ["claimed", "claimed", "sent", "sent"]
    sent = store.read("audit").query("kind == 'mail-sent'")
    assert len(sent) == 2 and set(sent["target"]) == {meeting}

    capsys.readouterr()
    assert run("rounds", "send-due", "--store", str(store.root)) == 0
    assert len(smtp.messages) == 2
    assert "nothing is due" in capsys.readouterr().out
    assert run("rounds", "send-due", "--store", str(store.root)) == 0
    assert len(smtp.messages) == 2 and len(store.read("mail_log")) == 4


def test_a_reminder_goes_only_to_leads_with_updates_outstanding(cycle, smtp):
    store, meeting, users, _ = cycle
    settings = load_settings()
    round_, _ = rounds.open_round(store, "test", meeting)
    mailing.send_due(store, settings, connect)
    assert len(smtp.messages) == 2
    tables = store.read_all()
    versions = tables["action_updates"].groupby("action_id")["version"].max()
    da = [a for a in round_.action_ids if a in set(tables["actions"].query("priority_id == 'domestic-abuse'")
                                                   ["action_id"])]
    lead = find_user(users, "da-lead")
    for aid in da:
        append_update(store, lead, aid, "green", "On track for the review.", int(versions.get(aid, 0)))
    road = set(tables["actions"].query("priority_id == 'road-safety'")["action_id"]) & set(round_.action_ids)
    before = round_.due - pd.Timedelta(days=rounds.REMINDER_DAYS + 1)
    assert mailing.send_due(store, settings, connect, now=before).outcomes == []
    in_window = round_.due - pd.Timedelta(days=rounds.REMINDER_DAYS - 1) + pd.Timedelta(hours=9)
    report = mailing.send_due(store, settings, connect, now=in_window)
    assert [(o.kind, o.recipient, o.step) for o in report.outcomes] == [("reminder", "rs-lead", "sent")]
    reminder = smtp.messages[-1]
    assert reminder["To"].addresses[0].addr_spec == "rs.lead@example.org"
    assert reminder["Subject"].startswith(f"Reminder: {len(road)} action")
    text, _ = parts(reminder)
    assert all(aid in text for aid in road)
    assert mailing.send_due(store, settings, connect, now=in_window + pd.Timedelta(hours=2)).outcomes == []
    assert mailing.send_due(store, settings, connect, now=round_.due + pd.Timedelta(hours=20)).outcomes == []
    assert len(smtp.messages) == 3


def test_the_digest_lists_a_status_move_and_a_signal_and_its_links_open_those_views(writable_store, smtp, tmp_path,
                                                                                        monkeypatch):
    import app

    store = writable_store
    today = pd.Timestamp.now("UTC").tz_localize(None).normalize()
    meeting = plan.add_meeting(store, ADMIN, f"{today + pd.Timedelta(days=2):%Y-%m-%d}", "kcsp")
    tables = store.read_all()
    latest = tables["action_updates"].sort_values("version").groupby("action_id").tail(1).set_index("action_id")
    public = tables["actions"].query("priority_id == 'domestic-abuse' and classification == 'public'")
    moved = next(a for a in public["action_id"] if latest.at[a, "status"] in ("amber", "red"))
    title = public.set_index("action_id").at[moved, "title"]
    append_update(store, ADMIN, moved, "green", "Back on track.", int(latest.at[moved, "version"]))
    users = tmp_path / "users.csv"
    add_user(users, "member", "viewer", [], "viewer-pass-1", email="member@example.org",
             follow_priorities=("domestic-abuse",), follow_districts=("thanet",), digest=True)
    add_user(users, "other", "viewer", [], "viewer-pass-1", email="other@example.org")
    settings = load_settings({"KCSP_SECRET_KEY": "test-secret-key", "KCSP_DATA_DIR": str(store.root),
                              "KCSP_USERS_FILE": str(users), "KCSP_SMTP_HOST": "127.0.0.1",
                              "KCSP_SMTP_PORT": str(smtp.port), "KCSP_SMTP_TLS": "off",
                              "KCSP_MAIL_FROM": "kcsp@example.org"})
    report = mailing.send_due(store, settings, connect)
    assert [(o.kind, o.recipient, o.step) for o in report.outcomes] == [("digest", "member", "sent")]
    digest = smtp.messages[0]
    text, markup = parts(digest)
    assert meeting.meeting_id.startswith("kcsp-") and "Before Kent Community Safety Partnership" in digest["Subject"]
    assert f"{moved} {title}" in text and "Improved" in text
    assert "Domestic abuse incidents, Kent and Medway" in text and "Rising" in text
    assert "Domestic abuse incidents, Thanet" in text
    assert "Road" not in text.split("-- ")[0]

    client = app.server.test_client()
    links = [html.unescape(link) for link in LINK.findall(markup)]
    base = settings.base_url
    assert all(link.startswith(base) for link in links)
    shown = {}
    for link in links:
        path = link[len(base):].split("#")[0]
        if path.startswith("/unsubscribe"):
            continue
        assert client.get(path).status_code == 200, path
        answer = client.get("/_dash-layout", headers={"Referer": "http://localhost" + path})
        assert answer.status_code == 200, path
        shown[path] = answer.get_data(as_text=True)
    meeting_page = next(body for path, body in shown.items() if path.startswith("/meeting?"))
    assert title in meeting_page and "Domestic abuse incidents" in meeting_page
    signal_page = shown["/priority/domestic-abuse?indicator=da-incidents"]
    assert '"data-indicator":"da-incidents"' in signal_page.replace(" ", "") and "rising" in signal_page

    assert mailing.send_due(store, settings, connect).outcomes == []
    assert len(smtp.messages) == 1


def test_nothing_is_sent_without_an_smtp_server_and_the_pages_still_work(writable_store, smtp, monkeypatch, capsys):
    import app

    for name in SMTP_VARS:
        monkeypatch.delenv(name, raising=False)
    store = writable_store
    today = pd.Timestamp.now("UTC").tz_localize(None).normalize()
    meeting = plan.add_meeting(store, ADMIN, f"{today + pd.Timedelta(days=20):%Y-%m-%d}", "working-group").meeting_id
    assert run("rounds", "open", "--meeting", meeting, "--store", str(store.root)) == 0
    assert "mail is off" in capsys.readouterr().out
    assert run("rounds", "send-due", "--store", str(store.root)) == 0
    assert smtp.messages == [] and store.read("mail_log").empty

    client = app.server.test_client()

    def page(path: str) -> str:
        answer = client.get("/_dash-layout", headers={"Referer": "http://localhost" + path})
        assert answer.status_code == 200
        return answer.get_data(as_text=True)

    assert "Administrators and priority leads" in page("/rounds")
    sign_in(client, "da-lead")
    first = page("/")
    assert "Your actions due an update" in first
    assert first.index("Your actions due an update") < first.index("Each card shows")
    assert "round-board" in page("/rounds") and "following-form" in page("/following")
    sign_in(client, "admin")
    board = page("/rounds")
    assert "sends no email" in board and "Update round" in board


def test_a_refused_message_is_tried_again_and_a_crash_after_sending_never_sends_twice(cycle, smtp, monkeypatch):
    store, meeting, users, _ = cycle
    settings = load_settings()
    rounds.open_round(store, "test", meeting)
    smtp.refuse = {"rs.lead@example.org"}
    report = mailing.send_due(store, settings, connect)
    assert sorted((o.recipient, o.step) for o in report.outcomes) == [("da-lead", "sent"), ("rs-lead", "failed")]
    assert not report.ok
    smtp.refuse = set()
    report = mailing.send_due(store, settings, connect)
    assert [(o.recipient, o.step) for o in report.outcomes] == [("rs-lead", "sent")]
    assert store.read("mail_log").query("recipient == 'rs-lead' and step == 'sent'")["attempt"].tolist() == [2]
    assert len(smtp.to("rs.lead@example.org")) == 1

    # The process dies after the server accepted a digest and before the record: it is not sent again.
    add_user(users, "member", "viewer", [], "viewer-pass-1", email="member@example.org", digest=True)
    plan.add_meeting(store, ADMIN, f"{pd.Timestamp.now('UTC') + pd.Timedelta(days=1):%Y-%m-%d}", "kcsp")

    def crash(*args, **kwargs):
        raise SystemExit("killed")

    monkeypatch.setattr(mailing, "_record", crash)
    with pytest.raises(SystemExit):
        mailing.send_due(store, settings, connect)
    assert len(smtp.to("member@example.org")) == 1
    monkeypatch.undo()
    report = mailing.send_due(store, settings, connect)
    assert report.outcomes == [] and [u[2] for u in report.unconfirmed] == ["member"]
    assert len(smtp.to("member@example.org")) == 1


def test_an_unreachable_server_claims_nothing(cycle, smtp):
    store, meeting, users, _ = cycle
    rounds.open_round(store, "test", meeting)
    settings = load_settings({"KCSP_SECRET_KEY": "k", "KCSP_SMTP_HOST": "127.0.0.1",
                              "KCSP_SMTP_PORT": str(free_port()), "KCSP_SMTP_TLS": "off",
                              "KCSP_MAIL_FROM": "kcsp@example.org", "KCSP_USERS_FILE": str(users)})
    with pytest.raises(mailing.MailUnavailable):
        mailing.send_due(store, settings, connect)
    assert store.read("mail_log").empty


def test_the_unsubscribe_link_works_without_signing_in(cycle, smtp):
    import app
    from kcsp import runtime

    store, meeting, users, _ = cycle
    rounds.open_round(store, "test", meeting)
    add_user(users, "member", "viewer", [], "viewer-pass-1", email="member@example.org", digest=True)
    link = mailing.unsubscribe_url(load_settings(), "member", "digest")
    path = link[len(BASE):]
    runtime.configure(load_settings({"KCSP_SECRET_KEY": "test-secret-key", "KCSP_DATA_DIR": str(store.root),
                                     "KCSP_USERS_FILE": str(users), "KCSP_REQUIRE_LOGIN": "1"}))
    try:
        client = app.server.test_client()
        page = client.get(path)
        assert page.status_code == 200
        assert "Stop sending the digest before each meeting" in page.get_data(as_text=True)
        assert find_user(users, "member").digest
        done = client.post(path)
        assert done.status_code == 200 and "unsubscribe-done" in done.get_data(as_text=True)
        assert not find_user(users, "member").digest
        assert store.read("audit").iloc[-1]["kind"] == "unsubscribe"
        one_click = mailing.unsubscribe_url(load_settings(), "da-lead", "rounds")[len(BASE):]
        assert client.post(one_click, data={"List-Unsubscribe": "One-Click"}).status_code == 200
        assert not find_user(users, "da-lead").round_mail
        token = path.split("t=")[1]
        forged = mailing.unsubscribe_token("another key", "rs-lead", "rounds")
        for bad in (f"/unsubscribe?t={token[:-2]}", f"/unsubscribe?t={forged}", "/unsubscribe",
                    "/unsubscribe?t=a.b.c"):
            assert client.get(bad).status_code == 400 and client.post(bad).status_code == 400
        assert find_user(users, "rs-lead").round_mail
        assert client.get("/rounds").status_code == 302
    finally:
        runtime.configure()
    # A lead who unsubscribed is not mailed by the next round's reminder or request.
    assert [p.user.name for p in mailing.due_mail(store.read_all(), [find_user(users, "da-lead")])] == []


def test_send_due_refuses_to_mail_links_a_restart_would_break(cycle, smtp, tmp_path):
    store, meeting, users, _ = cycle
    rounds.open_round(store, "test", meeting)
    env = {"KCSP_SMTP_HOST": "127.0.0.1", "KCSP_SMTP_PORT": str(smtp.port), "KCSP_SMTP_TLS": "off",
           "KCSP_MAIL_FROM": "kcsp@example.org", "KCSP_USERS_FILE": str(users), "KCSP_DATA_DIR": str(store.root)}
    with pytest.raises(mailing.MailError, match="KCSP_SECRET_KEY"):
        mailing.send_due(store, load_settings(env), connect)
    assert smtp.messages == [] and Store(Path(store.root)).read("mail_log").empty
