"""Sign-in state shared by every worker: sign-in attempts, server-held sessions and API tokens.

One SQLite file (``KCSP_AUTH_DB``, by default ``auth.sqlite3`` beside the users file) holds it, so
every gunicorn worker, and every machine serving the same instance folder, sees the same counts and
sessions. Nothing secret is stored as given: a session id and a token's secret are kept only as
SHA-256 digests (both are 256-bit random values, so a fast hash is enough), and a copy of the file
cannot be replayed as a cookie or a token.

A sign-in attempt is checked against its limits and counted in one write transaction
(`begin_attempt`), before any password is verified, so parallel guesses can never verify more
passwords than a limit allows; an attempt that succeeds is taken off the count again
(`attempt_succeeded`). Which keys an attempt counts under is the web layer's rule (web.auth).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
DROP TABLE IF EXISTS failures;
CREATE TABLE IF NOT EXISTS attempts (key TEXT NOT NULL, at REAL NOT NULL, expires REAL NOT NULL,
                                     attempt TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_key ON attempts (key, at);
CREATE INDEX IF NOT EXISTS attempts_attempt ON attempts (attempt);
CREATE INDEX IF NOT EXISTS attempts_expires ON attempts (expires);
CREATE TABLE IF NOT EXISTS sessions (digest TEXT PRIMARY KEY, user TEXT, data TEXT NOT NULL,
                                     created REAL NOT NULL, seen REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user);
CREATE INDEX IF NOT EXISTS sessions_seen ON sessions (seen);
CREATE TABLE IF NOT EXISTS tokens (token_id TEXT PRIMARY KEY, user TEXT NOT NULL, digest TEXT NOT NULL,
                                   created REAL NOT NULL);
"""
TOKEN = re.compile(r"^kcsp_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
SEEN_EVERY_S = 60
UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
LIMIT = re.compile(r"^\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Limit:
    """At most `count` sign-in attempts per `seconds` under one key (successful ones are not counted)."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """'10 per 15 minutes', '10 per minute' or '5/hour'."""
        match = LIMIT.match(text.lower())
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"{text!r} is not a limit like '10 per 15 minutes'")
        return cls(int(match.group(1)), int(match.group(2) or 1) * UNITS[match.group(3)])


@dataclass(frozen=True)
class Attempt:
    """A counted attempt (`id`), or one refused for `wait` seconds and not counted (`id` None)."""

    id: str | None
    wait: int = 0


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class AuthDB:
    """Opens a short connection per operation: safe across threads and forked workers."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._ready = False

    @contextmanager
    def _db(self, *, write: bool = True):
        """A transaction: a writer takes the write lock at once (waiting up to 10 s for it), a
        reader reads one snapshot and never blocks anyone (WAL)."""
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as conn:
            if not self._ready:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(SCHEMA)
                self._ready = True
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # Sign-in attempts

    def begin_attempt(self, checks: list[tuple[str, Limit]], now: float | None = None) -> Attempt:
        """Check an attempt against each (key, limit) and, if none is reached, count it under every
        key, in one transaction: of any number of parallel attempts, at most a limit's count pass.

        Past a limit the attempt is refused, with the seconds until that key may try again, and not
        counted (a client that keeps knocking does not push its own wait further out).
        """
        now = time.time() if now is None else now
        with self._db() as db:
            db.execute("DELETE FROM attempts WHERE expires <= ?", (now,))
            wait = 0.0
            for key, limit in checks:
                rows = db.execute("SELECT at FROM attempts WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?",
                                  (key, now - limit.seconds, limit.count)).fetchall()
                if len(rows) >= limit.count:
                    wait = max(wait, rows[-1][0] + limit.seconds - now)
            if wait > 0:
                return Attempt(None, int(wait) + 1)
            attempt = secrets.token_hex(8)
            db.executemany("INSERT INTO attempts VALUES (?, ?, ?, ?)",
                           [(key, now, now + limit.seconds, attempt) for key, limit in checks])
        return Attempt(attempt)

    def attempt_succeeded(self, attempt: Attempt, clear: list[str]) -> None:
        """Take a successful attempt off every count, and clear the earlier attempts under `clear`."""
        with self._db() as db:
            db.execute("DELETE FROM attempts WHERE attempt = ?", (attempt.id,))
            db.executemany("DELETE FROM attempts WHERE key = ?", [(key,) for key in clear])

    # Sessions

    def load_session(self, sid: str, idle_s: int, absolute_s: int, now: float | None = None) -> dict | None:
        """The data of a live session; an expired one is deleted and gives None."""
        now = time.time() if now is None else now
        digest = _digest(sid)
        with self._db(write=False) as db:
            row = db.execute("SELECT data, created, seen FROM sessions WHERE digest = ?", (digest,)).fetchone()
        if row is None:
            return None
        data, created, seen = row
        if now - seen > idle_s or now - created > absolute_s:
            with self._db() as db:
                db.execute("DELETE FROM sessions WHERE digest = ?", (digest,))
            return None
        if now - seen > SEEN_EVERY_S:
            with self._db() as db:
                db.execute("UPDATE sessions SET seen = ? WHERE digest = ?", (now, digest))
        return json.loads(data)

    def create_session(self, data: dict, user: str | None, idle_s: int) -> str:
        """A new session (idle ones are removed meanwhile; one past its absolute lifetime is removed
        when next loaded)."""
        sid = secrets.token_urlsafe(32)
        now = time.time()
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE seen < ?", (now - idle_s,))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (_digest(sid), user, json.dumps(data), now, now))
        return sid

    def save_session(self, sid: str, data: dict, user: str | None) -> None:
        with self._db() as db:
            db.execute("UPDATE sessions SET data = ?, user = ?, seen = ? WHERE digest = ?",
                       (json.dumps(data), user, time.time(), _digest(sid)))

    def end_session(self, sid: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE digest = ?", (_digest(sid),))

    def end_sessions_of(self, user: str) -> int:
        """End every session of `user` (after a password change); returns how many."""
        with self._db() as db:
            return db.execute("DELETE FROM sessions WHERE user = ?", (user,)).rowcount

    # API tokens

    def issue_token(self, user: str) -> tuple[str, str]:
        """(token id, token): the token is shown once; only its digest is kept."""
        token_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        with self._db() as db:
            db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (token_id, user, _digest(secret), time.time()))
        return token_id, f"kcsp_{token_id}_{secret}"

    def token_user(self, token: str) -> str | None:
        """The user a token belongs to, or None (malformed, unknown or revoked)."""
        match = TOKEN.match(token)
        if not match:
            return None
        with self._db(write=False) as db:
            row = db.execute("SELECT user, digest FROM tokens WHERE token_id = ?", (match.group(1),)).fetchone()
        if row is None or not hmac.compare_digest(row[1], _digest(match.group(2))):
            return None
        return row[0]

    def tokens_of(self, user: str) -> list[tuple[str, float]]:
        with self._db(write=False) as db:
            return db.execute("SELECT token_id, created FROM tokens WHERE user = ? ORDER BY created",
                              (user,)).fetchall()

    def revoke_tokens(self, user: str, token_id: str | None = None) -> int:
        """Revoke one token of `user` (or all of them when token_id is None); returns how many."""
        with self._db() as db:
            if token_id is None:
                return db.execute("DELETE FROM tokens WHERE user = ?", (user,)).rowcount
            return db.execute("DELETE FROM tokens WHERE user = ? AND token_id = ?", (user, token_id)).rowcount
