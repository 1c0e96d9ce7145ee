"""Accounts: name, salted password hash (scrypt), role and the priorities a lead may update.

The users file is a CSV (KCSP_USERS_FILE). Plain-text passwords are never stored or logged.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock
from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("admin", "lead", "viewer")
FIELDS = ("name", "password_hash", "role", "priorities")
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class User:
    name: str
    role: str
    priorities: tuple[str, ...]

    def can_update(self, priority_id: str) -> bool:
        return self.role == "admin" or (self.role == "lead" and priority_id in self.priorities)


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


def authenticate(path: Path, name: str, password: str) -> User | None:
    record = load_users(path).get(name)
    if record is None or not check_password_hash(record[1], password):
        return None
    return record[0]


def find_user(path: Path, name: str) -> User | None:
    record = load_users(path).get(name)
    return None if record is None else record[0]


def add_user(path: Path, name: str, role: str, priorities: list[str], password: str) -> User:
    """Create or replace an account, atomically, under a file lock."""
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if not name or any(ch in name for ch in ",;\n\r") or name != name.strip():
        raise UserError("name must be non-empty, without commas, semicolons or surrounding spaces")
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
