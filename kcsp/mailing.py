"""The mail the product sends: what is due now, each message sent at most once, and every one recorded.

Three kinds, and at most one message of a kind per meeting and person:

- **request** (kcsp.rounds): to each lead with actions in a round, when it opens, and while it is open up
  to its deadline for a lead who has had none and still has actions without an update (a lead added later);
- **reminder**: from ``rounds.REMINDER_DAYS`` days before the deadline to the deadline's day, to each lead
  with updates outstanding, for a round opened before that window (a round opened within it has just
  sent its request), and not in the same run as that lead's request;
- **digest** (kcsp.digest): from ``digest.DAYS_BEFORE`` days before a meeting to the day before it, to each
  account that asked for it.

Only accounts with an email address get mail. A lead who unsubscribed gets no requests or reminders; anyone
may stop the digest (``unsubscribe``: a link signed with KCSP_SECRET_KEY, no sign-in needed).

**At most once.** Each message is first *claimed*: a ``claimed`` row in ``mail_log``, appended under the
store's lock only if the log holds nothing for that meeting, kind and person (or only a refusal). Then it is
handed to the SMTP server, then its outcome is recorded: ``sent`` (with an audit entry, ``mail-sent``),
``failed`` when the server refused it (nothing was delivered, so the next run tries again as attempt 2) or
``unconfirmed`` when the connection broke while it was being handed over. A message whose latest attempt is
claimed, sent or unconfirmed is never sent again. The claim is written before sending, not after, so a crash
between the server's acceptance and the record leaves a claim with no outcome, and the message is not sent a
second time: a reminder is never sent twice for one round and person, at the cost that a crash in that moment
may lose one message. ``send_due`` reports such claims ("not confirmed"), with the Message-ID to look up in
the mail server's log. Two runs at once (a timer and an admin) cannot both claim one message.

The domain sends nothing itself: ``send_due`` is given a ``connect`` that opens a Sender (serving.mail, over
SMTP), and sends nothing and claims nothing when mail is not configured (KCSP_SMTP_HOST unset).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

import pandas as pd

from kcsp import audit, digest, meetings, rounds
from kcsp.mail_text import Mail, digest_mail, round_mail
from kcsp.schema import TABLES
from kcsp.settings import Settings
from kcsp.store import Commit, Store
from kcsp.users import User, UserError, all_users, set_mail

GROUPS = {"rounds": "update-round requests and reminders", "digest": "the digest before each meeting"}
"""What an unsubscribe link stops: each kind of mail belongs to one group."""
GROUP_OF = {"request": "rounds", "reminder": "rounds", "digest": "digest"}
FLAG_OF = {"rounds": "round_mail", "digest": "digest"}
DONE_STEPS = ("sent", "unconfirmed", "claimed")
"""A message whose latest attempt ended (or may have ended) in one of these is never sent again."""
MAX_TOKEN = 400
COLUMNS = TABLES["mail_log"].column_names


class MailError(Exception):
    """Mail cannot be sent as configured (the message says why)."""


class MailUnavailable(MailError):
    """The mail server could not be reached or signed in to: nothing was handed over."""


class MailRefused(Exception):
    """The server refused this message: it was not delivered (it is tried again by a later run)."""


class MailUncertain(Exception):
    """The connection broke while the message was being handed over: it may have been delivered."""


class Sender(Protocol):
    """An open connection to a mail server (serving.mail.SmtpSender)."""

    def send(self, mail: Mail, message_id: str) -> None: ...

    def __enter__(self) -> Sender: ...

    def __exit__(self, *exc) -> None: ...


# --- Unsubscribe links -------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _signature(secret: str, body: str) -> str:
    key = hmac.new(secret.encode("utf-8"), b"kcsp unsubscribe", hashlib.sha256).digest()
    return _b64(hmac.new(key, body.encode("utf-8"), hashlib.sha256).digest())


def unsubscribe_token(secret: str, name: str, group: str) -> str:
    """The token of an unsubscribe link: the account, what it stops, and their HMAC under the secret key.
    It does not expire (a link in an old email still works) and cannot be made without the key."""
    body = f"{_b64(name.encode('utf-8'))}.{group}"
    return f"{body}.{_signature(secret, body)}"


def read_unsubscribe_token(secret: str, token: object) -> tuple[str, str] | None:
    """(account name, group) of a valid token; None for anything else."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN or not token.isascii():
        return None
    parts = token.split(".")
    if len(parts) != 3 or parts[1] not in GROUPS:
        return None
    encoded, group, signature = parts
    if not hmac.compare_digest(signature, _signature(secret, f"{encoded}.{group}")):
        return None
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8"), group
    except ValueError:
        return None


def unsubscribe_url(settings: Settings, name: str, group: str) -> str:
    return f"{settings.base_url}/unsubscribe?t={unsubscribe_token(settings.secret_key, name, group)}"


def unsubscribe(store: Store, users_file: Path, secret: str, token: object,
                now: datetime | pd.Timestamp | None = None) -> tuple[User, str] | None:
    """Stop what a valid token names for its account (recorded in the audit table): (the account as saved,
    the group stopped), or None for a token that is not valid or an account that no longer exists."""
    found = read_unsubscribe_token(secret, token)
    if found is None:
        return None
    name, group = found
    try:
        user = set_mail(users_file, name, **{FLAG_OF[group]: False})
    except UserError:
        return None
    audit.record(store, name, "unsubscribe", name, f"stopped {GROUPS[group]} (unsubscribe link)", now)
    return user, group


# --- What is due ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pending:
    """A message due now: for which meeting, of which kind, to whom, and which attempt it would be."""

    meeting_id: str
    kind: str
    user: User
    attempt: int


def log_state(log: pd.DataFrame) -> dict[tuple[str, str, str], tuple[int, str]]:
    """(meeting, kind, recipient) -> (latest attempt, its outcome: sent, failed, unconfirmed, or claimed
    when none was recorded)."""
    out: dict[tuple[str, str, str], tuple[int, str]] = {}
    for r in log.itertuples(index=False):
        key = (r.meeting_id, r.kind, r.recipient)
        attempt = int(r.attempt)
        held = out.get(key)
        if held is None or attempt > held[0] or (attempt == held[0] and held[1] == "claimed"):
            out[key] = (attempt, r.step)
    return out


def _next_attempt(state: dict, meeting_id: str, kind: str, name: str) -> int | None:
    held = state.get((meeting_id, kind, name))
    if held is None:
        return 1
    attempt, step = held
    return attempt + 1 if step == "failed" else None


def due_mail(tables: dict[str, pd.DataFrame], users: Iterable[User], now: datetime | pd.Timestamp | None = None
             ) -> list[Pending]:
    """Every message due at `now` and not yet sent (see the module's docstring), in the order to send."""
    moment = rounds.utc(now)
    today = moment.normalize()
    users = [u for u in users if u.email]
    state = log_state(tables["mail_log"])
    out: list[Pending] = []
    for round_ in rounds.open_rounds(tables, moment):
        frame = rounds.standing(tables, round_, today=today, now=moment)
        window = round_.due - pd.Timedelta(days=rounds.REMINDER_DAYS)
        for user in rounds.leads_for(users, frame["priority_id"].unique()):
            outstanding = rounds.of_lead(frame, user)
            outstanding = outstanding[outstanding["standing"] != rounds.UPDATED]
            if not user.round_mail or outstanding.empty:
                continue
            request = _next_attempt(state, round_.meeting_id, "request", user.name)
            if request is not None and not round_.past_deadline(today):
                out.append(Pending(round_.meeting_id, "request", user, request))
                continue
            reminder = _next_attempt(state, round_.meeting_id, "reminder", user.name)
            if (reminder is not None and window <= today <= round_.due and round_.opened_at.normalize() < window
                    and request is None):
                out.append(Pending(round_.meeting_id, "reminder", user, reminder))
    readers = [u for u in users if u.digest]
    held = tables["meetings"][~tables["meetings"]["cancelled"].astype(bool)]
    for meeting in meetings.calendar(held):
        if not digest.due(meeting.date, today):
            continue
        for user in readers:
            attempt = _next_attempt(state, meeting.meeting_id, "digest", user.name)
            if attempt is not None:
                out.append(Pending(meeting.meeting_id, "digest", user, attempt))
    return out


def unconfirmed(tables: dict[str, pd.DataFrame]) -> list[tuple[str, str, str, str]]:
    """Messages that may have been sent but were not confirmed: (meeting, kind, recipient, Message-ID)."""
    log = tables["mail_log"]
    ids = {(r.meeting_id, r.kind, r.recipient, int(r.attempt)): r.message_id for r in log.itertuples(index=False)}
    return [(*key, ids.get((*key, attempt), "")) for key, (attempt, step) in log_state(log).items()
            if step in ("claimed", "unconfirmed")]


# --- Composing -------------------------------------------------------------------------------------------

class _Composer:
    """Builds each message's words; the dataset a digest needs is built once, on first use."""

    def __init__(self, tables: dict[str, pd.DataFrame], settings: Settings, moment: pd.Timestamp):
        self.tables, self.settings, self.moment = tables, settings, moment
        self.names = dict(zip(tables["priorities"]["priority_id"], tables["priorities"]["name"], strict=True))
        self._dataset = None

    def dataset(self):
        if self._dataset is None:
            from kcsp.queries import Dataset

            self._dataset = Dataset(self.tables, today=self.moment.normalize())
        return self._dataset

    def mail(self, pending: Pending) -> Mail:
        user = pending.user
        link = unsubscribe_url(self.settings, user.name, GROUP_OF[pending.kind])
        if pending.kind == "digest":
            found = digest.digest_for(self.dataset(), pending.meeting_id, priorities=user.follow_priorities,
                                      districts=user.follow_districts, now=self.moment)
            return digest_mail(found, user, base_url=self.settings.base_url, unsubscribe_url=link)
        round_ = rounds.round_for(self.tables, pending.meeting_id)
        frame = rounds.of_lead(rounds.standing(self.tables, round_, today=self.moment.normalize(), now=self.moment),
                               user)
        if pending.kind == "reminder":
            frame = frame[frame["standing"] != rounds.UPDATED]
        return round_mail(pending.kind, round_, frame, user, priority_names=self.names,
                          base_url=self.settings.base_url, unsubscribe_url=link)


def message_id(settings: Settings, pending: Pending) -> str:
    """A Message-ID naming the meeting, kind, person (by digest) and attempt, at the sender's domain."""
    address = parseaddr(settings.mail.sender)[1] if settings.mail else ""
    domain = address.rsplit("@", 1)[-1] if "@" in address else "localhost"
    who = hashlib.sha256(pending.user.name.encode("utf-8")).hexdigest()[:12]
    return f"<kcsp.{pending.meeting_id}.{pending.kind}.{who}.{pending.attempt}@{domain}>"


# --- Sending once ----------------------------------------------------------------------------------------

class _Taken(Exception):
    """Another run claimed this message first."""


def _row(pending: Pending, step: str, mid: str, subject: str, at: str, detail: str | None = None) -> pd.DataFrame:
    return pd.DataFrame([{"meeting_id": pending.meeting_id, "kind": pending.kind, "recipient": pending.user.name,
                          "attempt": pending.attempt, "step": step, "message_id": mid, "subject": subject[:300],
                          "at": at, "detail": (detail or "")[:2000] or None}], columns=COLUMNS)


def _claim(store: Store, pending: Pending, mid: str, subject: str, at: str) -> bool:
    """Append the claim under the lock, if the log still allows this attempt; False when it does not."""
    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        state = log_state(tables["mail_log"])
        if _next_attempt(state, pending.meeting_id, pending.kind, pending.user.name) != pending.attempt:
            raise _Taken
        return Commit({"mail_log": _row(pending, "claimed", mid, subject, at)}, {})

    try:
        store.commit(change, reading=("mail_log",))
    except _Taken:
        return False
    return True


def _record(store: Store, pending: Pending, step: str, mid: str, subject: str, at: str, by: str,
            detail: str | None = None) -> None:
    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        added = {"mail_log": _row(pending, step, mid, subject, at, detail)}
        if step == "sent":
            added["audit"] = audit.entry(tables["audit"], by, "mail-sent", pending.meeting_id,
                                         f"{pending.kind} to {pending.user.name}, {mid}", at)
        return Commit(added, {})

    store.commit(change, reading=("mail_log", "audit"))


@dataclass(frozen=True)
class Outcome:
    meeting_id: str
    kind: str
    recipient: str
    step: str
    """sent, failed, unconfirmed, or skipped (another run claimed it first, or the run stopped before it)."""
    message_id: str = ""
    detail: str = ""


@dataclass
class Report:
    """What a run did: each message's outcome; `off` when mail is not configured (then `due` says what would
    have gone); `unconfirmed` messages of earlier runs that may have been sent."""

    outcomes: list[Outcome] = field(default_factory=list)
    off: bool = False
    due: list[Pending] = field(default_factory=list)
    unconfirmed: list[tuple[str, str, str, str]] = field(default_factory=list)

    def count(self, step: str) -> int:
        return sum(1 for o in self.outcomes if o.step == step)

    @property
    def ok(self) -> bool:
        return not any(o.step in ("failed", "unconfirmed") for o in self.outcomes)


def send_due(store: Store, settings: Settings, connect: Callable[[Settings], Sender], *,
             users_file: Path | None = None, now: datetime | pd.Timestamp | None = None, by: str = "mail",
             meeting_id: str | None = None, kinds: Iterable[str] | None = None) -> Report:
    """Send every message due at `now` (only those of `meeting_id` and `kinds` when given), each claimed
    before it is handed over and recorded after (see the module's docstring). Nothing is claimed or sent
    when mail is off. Raises MailError when mail is configured but KCSP_SECRET_KEY is not set (unsubscribe
    links are signed with it and must work after a restart), MailUnavailable when the server cannot be
    reached (nothing claimed)."""
    moment = rounds.utc(now)
    tables = store.read_all()
    users = all_users(users_file or settings.users_file)
    due = [p for p in due_mail(tables, users, moment)
           if (meeting_id is None or p.meeting_id == meeting_id) and (kinds is None or p.kind in set(kinds))]
    report = Report(unconfirmed=unconfirmed(tables))
    if settings.mail is None:
        report.off, report.due = True, due
        return report
    if not due:
        return report
    if settings.secret_key_generated:
        raise MailError("KCSP_SECRET_KEY is not set: unsubscribe links are signed with it, and must still work "
                        "after a restart. Set it (the same value as the dashboard's) to send mail.")
    composer = _Composer(tables, settings, moment)
    mails = [(p, composer.mail(p)) for p in due]
    at = audit.timestamp(moment)
    with connect(settings) as sender:
        broken = False
        for pending, mail in mails:
            mid = message_id(settings, pending)
            if broken or not _claim(store, pending, mid, mail.subject, at):
                report.outcomes.append(Outcome(pending.meeting_id, pending.kind, pending.user.name, "skipped", mid))
                continue
            try:
                sender.send(mail, mid)
            except MailRefused as err:
                _record(store, pending, "failed", mid, mail.subject, at, by, str(err))
                report.outcomes.append(Outcome(pending.meeting_id, pending.kind, pending.user.name, "failed", mid,
                                               str(err)))
                continue
            except MailUncertain as err:
                _record(store, pending, "unconfirmed", mid, mail.subject, at, by, str(err))
                report.outcomes.append(Outcome(pending.meeting_id, pending.kind, pending.user.name, "unconfirmed",
                                               mid, str(err)))
                broken = True
                continue
            _record(store, pending, "sent", mid, mail.subject, at, by)
            report.outcomes.append(Outcome(pending.meeting_id, pending.kind, pending.user.name, "sent", mid))
    return report
