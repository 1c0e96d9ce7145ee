"""Accounts: name, salted password hash (scrypt), role and the priorities a lead may update.

The users file is a CSV (KCSP_USERS_FILE). Plain-text passwords are never stored or logged.

API clients send HTTP Basic credentials with every request, and one scrypt check costs about a
tenth of a second of CPU. A successful check is therefore remembered for a few minutes in this
process, under an HMAC (with a random per-process key) of the name, the stored hash and the
password: the plain password is not kept, a wrong password is always checked in full, and a changed
password (a new stored hash) never matches an old entry. A failed check is remembered the same
way, so repeating a wrong password costs no hashing; every failure still counts against the
sign-in limit (kcsp.authdb), which the web layer checks before any of this.

User names are cleaned (kcsp.text.clean_name) when an account is saved and when one signs in.

Who gets mail (kcsp.mailing): an account may have an email address, the priorities and districts it
follows (what its digest covers: none chosen means every priority, and the county's figures only), whether
it asked for the digest before each meeting (off until asked) and whether a lead takes the update rounds'
requests and reminders (on until unsubscribed). A file written before these columns existed reads as
accounts with no address, following nothing, with no digest; saving any account writes every column.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import hmac
import io
import os
import re
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock
from werkzeug.security import check_password_hash, generate_password_hash

from kcsp import access
from kcsp.text import clean_name

FIELDS = ("name", "password_hash", "role", "priorities", "email", "follow_priorities", "follow_districts", "digest",
          "round_mail")
MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 64
MAX_EMAIL_LENGTH = 254
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$", re.ASCII)
"""An address as a mail server takes it: one @, no spaces, quotes, commas or angle brackets, a dotted domain."""
KEEP = object()
"""Leave this mail setting of an account as it is (add_user, set_mail)."""
VERIFIED_TTL_S = 300
VERIFIED_MAX = 1024

_verified_key = secrets.token_bytes(32)
_verified: dict[bytes, tuple[float, bool]] = {}
_verified_lock = threading.Lock()


@dataclass(frozen=True)
class User:
    name: str
    role: str
    priorities: tuple[str, ...]
    email: str | None = None
    follow_priorities: tuple[str, ...] = ()
    follow_districts: tuple[str, ...] = ()
    digest: bool = False
    round_mail: bool = True

    def can_update(self, priority_id: str) -> bool:
        """Whether this account may update the actions of the priority (kcsp.access decides)."""
        return access.can(self, access.UPDATE_ACTION, priority=priority_id)

    @property
    def can_import(self) -> bool:
        """Whether this account may import partners' figures on the data page (kcsp.access decides)."""
        return access.can(self, access.IMPORT_FIGURES)


class UserError(ValueError):
    """A bad account request (unknown role, short password, bad name)."""


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _ids(value: str | None) -> tuple[str, ...]:
    return tuple(p for p in (value or "").split(";") if p)


def _flag(value: str | None, default: bool) -> bool:
    text = (value or "").strip().lower()
    return default if not text else text == "true"


def _user(row: dict[str, str]) -> User:
    return User(row["name"], row["role"], _ids(row.get("priorities")), email=(row.get("email") or None),
                follow_priorities=_ids(row.get("follow_priorities")),
                follow_districts=_ids(row.get("follow_districts")),
                digest=_flag(row.get("digest"), False), round_mail=_flag(row.get("round_mail"), True))


def load_users(path: Path) -> dict[str, tuple[User, str]]:
    """Name -> (user, password hash). Columns a file predates take their defaults."""
    return {row["name"]: (_user(row), row["password_hash"]) for row in _read(path)}


def all_users(path: Path) -> list[User]:
    """Every account, in the file's order."""
    return [user for user, _ in load_users(path).values()]


def clean_email(address: object) -> str:
    """An email address as stored (surrounding space removed); UserError when it is not one."""
    text = address.strip() if isinstance(address, str) else ""
    if not text or len(text) > MAX_EMAIL_LENGTH or not EMAIL.match(text):
        raise UserError(f"{address!r} is not an email address (name@example.org)")
    return text


def _row(user: User, password_hash: str) -> dict[str, str]:
    return {"name": user.name, "password_hash": password_hash, "role": user.role,
            "priorities": ";".join(user.priorities), "email": user.email or "",
            "follow_priorities": ";".join(user.follow_priorities), "follow_districts": ";".join(user.follow_districts),
            "digest": "true" if user.digest else "false", "round_mail": "true" if user.round_mail else "false"}


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    """Replace the users file atomically (called under its lock)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n", restval="", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(buf.getvalue())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _lock(path: Path) -> FileLock:
    return FileLock(str(path) + ".lock", timeout=30)


def _mail_fields(email: object, follow_priorities: object, follow_districts: object, digest: object,
                 round_mail: object) -> dict[str, object]:
    """The mail settings given (KEEP: left as they are), checked."""
    out: dict[str, object] = {}
    if email is not KEEP:
        out["email"] = None if email is None or email == "" else clean_email(email)
    for name, value in (("follow_priorities", follow_priorities), ("follow_districts", follow_districts)):
        if value is KEEP:
            continue
        ids = tuple(dict.fromkeys(v.strip() for v in value if isinstance(v, str) and v.strip()))
        if any(ch in v for v in ids for ch in ",;") or len(ids) != len(list(value)):
            raise UserError(f"{name.replace('_', ' ')} must be ids without commas or semicolons")
        out[name] = ids
    for name, value in (("digest", digest), ("round_mail", round_mail)):
        if value is not KEEP:
            if not isinstance(value, bool):
                raise UserError(f"{name} must be true or false")
            out[name] = value
    return out


def set_mail(path: Path, name: str, *, email: object = KEEP, follow_priorities: object = KEEP,
             follow_districts: object = KEEP, digest: object = KEEP, round_mail: object = KEEP) -> User:
    """Change an account's address or what it follows and receives, atomically, under the file's lock.
    Raises UserError for an unknown account or a bad value; returns the account as saved."""
    changes = _mail_fields(email, follow_priorities, follow_districts, digest, round_mail)
    with _lock(path):
        rows = _read(path)
        found = [i for i, r in enumerate(rows) if r["name"] == name]
        if not found:
            raise UserError(f"there is no account {name!r}")
        user = dataclasses.replace(_user(rows[found[0]]), **changes)
        rows[found[0]] = _row(user, rows[found[0]]["password_hash"])
        _write(path, rows)
    return user


def _password_matches(name: str, stored_hash: str, password: str) -> bool:
    token = hmac.new(_verified_key, "\0".join((name, stored_hash, password)).encode("utf-8"),
                     hashlib.sha256).digest()
    now = time.monotonic()
    with _verified_lock:
        expiry, known = _verified.get(token, (0.0, False))
        if expiry > now:
            return known
    matches = check_password_hash(stored_hash, password)
    with _verified_lock:
        if len(_verified) >= VERIFIED_MAX:
            for key in [k for k, (expiry, _) in _verified.items() if expiry <= now] or list(_verified):
                del _verified[key]
        _verified[token] = (now + VERIFIED_TTL_S, matches)
    return matches


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def authenticate(path: Path, name: str, password: str) -> User | None:
    """The user if the password is right. An unknown name costs the same hash check as a known one,
    so timing does not tell which names exist."""
    name = clean_name(name)
    if not password.isascii() and not _encodable(password):
        return None
    record = load_users(path).get(name)
    if record is None:
        _password_matches(name, _DUMMY_HASH, password)
        return None
    if not _password_matches(name, record[1], password):
        return None
    return record[0]


def find_user(path: Path, name: str) -> User | None:
    record = load_users(path).get(name)
    return None if record is None else record[0]


def add_user(path: Path, name: str, role: str, priorities: list[str], password: str, *, email: object = KEEP,
             follow_priorities: object = KEEP, follow_districts: object = KEEP, digest: object = KEEP) -> User:
    """Create or replace an account, atomically, under a file lock. An account replaced keeps its address,
    what it follows and its mail choices unless new ones are given."""
    name = clean_name(name)
    if role not in access.ROLE_CAPABILITIES:
        raise UserError(f"role must be one of {', '.join(access.ROLE_CAPABILITIES)}")
    if not name or any(ch in name for ch in ",;:") or len(name) > MAX_NAME_LENGTH:
        raise UserError(f"name must be 1 to {MAX_NAME_LENGTH} characters, without commas, semicolons or colons")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if access.needs_priorities(role) and not priorities:
        raise UserError(f"a {role} needs at least one --priority")
    changes = _mail_fields(email, follow_priorities, follow_districts, digest, KEEP)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock(path):
        rows = _read(path)
        before = next((_user(r) for r in rows if r["name"] == name), User(name, role, ()))
        user = dataclasses.replace(before, role=role, priorities=tuple(priorities), **changes)
        rows = [r for r in rows if r["name"] != name]
        rows.append(_row(user, generate_password_hash(password, method="scrypt")))
        _write(path, rows)
    return user
