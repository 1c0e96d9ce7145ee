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
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock
from werkzeug.security import check_password_hash, generate_password_hash

from kcsp.text import clean_name

ROLES = ("admin", "lead", "viewer", "analyst")
FIELDS = ("name", "password_hash", "role", "priorities")
MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 64
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

    def can_update(self, priority_id: str) -> bool:
        return self.role == "admin" or (self.role == "lead" and priority_id in self.priorities)

    @property
    def can_import(self) -> bool:
        """Admins and analysts may import partners' figures on the data page."""
        return self.role in ("admin", "analyst")


class UserError(ValueError):
    """A bad account request (unknown role, short password, bad name)."""


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_users(path: Path) -> dict[str, tuple[User, str]]:
    """Name -> (user, password hash)."""
    users = {}
    for row in _read(path):
        prios = tuple(p for p in (row.get("priorities") or "").split(";") if p)
        users[row["name"]] = (User(row["name"], row["role"], prios), row["password_hash"])
    return users


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


def add_user(path: Path, name: str, role: str, priorities: list[str], password: str) -> User:
    """Create or replace an account, atomically, under a file lock."""
    name = clean_name(name)
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if not name or any(ch in name for ch in ",;:") or len(name) > MAX_NAME_LENGTH:
        raise UserError(f"name must be 1 to {MAX_NAME_LENGTH} characters, without commas, semicolons or colons")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if role == "lead" and not priorities:
        raise UserError("a lead needs at least one --priority")
    path.parent.mkdir(parents=True, exist_ok=True)
    user = User(name, role, tuple(priorities))
    with FileLock(str(path) + ".lock", timeout=30):
        rows = [r for r in _read(path) if r["name"] != name]
        rows.append({"name": name, "password_hash": generate_password_hash(password, method="scrypt"),
                     "role": role, "priorities": ";".join(priorities)})
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(buf.getvalue())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    return user
