"""Settings read from environment variables, with the defaults the contract gives."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field, fields
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from kcsp.authdb import Limit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
PARTNERSHIPS_DIR = DATA_DIR / "partnerships"
PARTNERSHIP_DIR = PARTNERSHIPS_DIR / "kent"
"""The default partnership's folder (``build-demo --partnership`` takes another)."""
REFERENCE_DIR = PARTNERSHIP_DIR

log = logging.getLogger(__name__)


def _resolve(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class ImportLimits:
    """How much of a spreadsheet an import reads before it refuses the file: rows, columns and cells
    holding values (counted as read, whatever the sheet declares), sheets, and the bytes each XML part
    and the whole workbook unpack to."""

    max_rows: int = 100_000
    max_columns: int = 1_000
    max_cells: int = 1_000_000
    max_sheets: int = 50
    max_sheet_bytes: int = 20 * 1024 * 1024
    max_unzipped_bytes: int = 100 * 1024 * 1024


IMPORT_LIMIT_VARIABLES = {
    "max_rows": "KCSP_IMPORT_MAX_ROWS",
    "max_columns": "KCSP_IMPORT_MAX_COLUMNS",
    "max_cells": "KCSP_IMPORT_MAX_CELLS",
    "max_sheets": "KCSP_IMPORT_MAX_SHEETS",
    "max_sheet_bytes": "KCSP_IMPORT_MAX_SHEET_BYTES",
    "max_unzipped_bytes": "KCSP_IMPORT_MAX_UNZIPPED_BYTES",
}


TLS_MODES = ("off", "starttls", "tls")
TLS_PORTS = {"off": 25, "starttls": 587, "tls": 465}
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class MailSettings:
    """The SMTP server the product sends mail through (kcsp.mailing; sent by serving.mail)."""

    host: str
    port: int
    sender: str
    tls: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    users_file: Path
    secret_key: str
    secret_key_generated: bool
    require_login: bool
    production: bool
    sign_in_limit: str = "10 per 10 minutes"
    sign_in_ceiling: str = "10 per 10 minutes"
    auth_db: Path | None = None
    session_idle_minutes: int = 60
    session_max_hours: int = 12
    max_body_bytes: int = 2 * 1024 * 1024
    import_limits: ImportLimits = ImportLimits()
    mail: MailSettings | None = None
    """None: no mail is sent (KCSP_SMTP_HOST unset)."""
    base_url: str = "http://127.0.0.1:8050"
    """Where links in emails point (KCSP_BASE_URL), without a trailing slash."""

    @property
    def auth_db_path(self) -> Path:
        return self.auth_db or self.users_file.parent / "auth.sqlite3"


def load_settings(environ: os._Environ | dict | None = None) -> Settings:
    """Read the settings; a missing secret key is generated (refused in production)."""
    env = os.environ if environ is None else environ
    production = env.get("KCSP_ENV", "").lower() == "production"
    secret = env.get("KCSP_SECRET_KEY", "")
    generated = not secret
    limit = _limit(env, "KCSP_SIGN_IN_LIMIT", "10 per 10 minutes")
    if generated:
        if production:
            raise RuntimeError("KCSP_SECRET_KEY must be set when KCSP_ENV=production")
        secret = secrets.token_hex(32)
        log.warning("KCSP_SECRET_KEY is not set: using a key generated for this start only")
    return Settings(
        data_dir=_resolve(env.get("KCSP_DATA_DIR", "data/store")),
        users_file=_resolve(env.get("KCSP_USERS_FILE", "instance/users.csv")),
        secret_key=secret,
        secret_key_generated=generated,
        require_login=env.get("KCSP_REQUIRE_LOGIN", "0") == "1",
        production=production,
        sign_in_limit=limit,
        sign_in_ceiling=_limit(env, "KCSP_SIGN_IN_CEILING", limit),
        auth_db=_resolve(env["KCSP_AUTH_DB"]) if env.get("KCSP_AUTH_DB") else None,
        session_idle_minutes=positive_whole(env, "KCSP_SESSION_IDLE_MINUTES", 60),
        session_max_hours=positive_whole(env, "KCSP_SESSION_MAX_HOURS", 12),
        max_body_bytes=positive_whole(env, "KCSP_MAX_BODY_BYTES", 2 * 1024 * 1024),
        import_limits=load_import_limits(env),
        mail=load_mail_settings(env),
        base_url=base_url(env),
    )


def load_mail_settings(environ: os._Environ | dict | None = None) -> MailSettings | None:
    """The SMTP settings, or None when KCSP_SMTP_HOST is unset (no mail). A bad value stops the start-up:
    KCSP_SMTP_TLS must be off, starttls (the default) or tls, KCSP_MAIL_FROM is required, and a password is
    never sent without TLS except to this machine."""
    env = os.environ if environ is None else environ
    host = env.get("KCSP_SMTP_HOST", "").strip()
    if not host:
        return None
    tls = env.get("KCSP_SMTP_TLS", "").strip().lower() or "starttls"
    if tls not in TLS_MODES:
        raise RuntimeError(f"KCSP_SMTP_TLS must be one of {', '.join(TLS_MODES)} (it is {tls!r})")
    sender = env.get("KCSP_MAIL_FROM", "").strip()
    if not sender or "@" not in parseaddr(sender)[1]:
        raise RuntimeError("KCSP_MAIL_FROM must be set to the address mail is sent from when KCSP_SMTP_HOST is set")
    user = env.get("KCSP_SMTP_USER", "").strip() or None
    password = env.get("KCSP_SMTP_PASSWORD", "") or None
    if (user or password) and tls == "off" and host not in LOOPBACK_HOSTS:
        raise RuntimeError("KCSP_SMTP_TLS=off would send KCSP_SMTP_PASSWORD in clear to another machine: "
                           "use starttls or tls")
    return MailSettings(host=host, port=positive_whole(env, "KCSP_SMTP_PORT", TLS_PORTS[tls]), sender=sender,
                        tls=tls, user=user, password=password)


def base_url(environ: os._Environ | dict | None = None) -> str:
    """KCSP_BASE_URL without its trailing slash; by default http://$HOST:$PORT (127.0.0.1 and 8050)."""
    env = os.environ if environ is None else environ
    raw = env.get("KCSP_BASE_URL", "").strip()
    if not raw:
        host = env.get("HOST", "").strip() or "127.0.0.1"
        return f"http://{f'[{host}]' if ':' in host else host}:{env.get('PORT', '').strip() or '8050'}"
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise RuntimeError(f"KCSP_BASE_URL must be an http or https address with no query (it is {raw!r})")
    return raw.rstrip("/")


def load_import_limits(environ: os._Environ | dict | None = None) -> ImportLimits:
    """The spreadsheet import limits (a variable left unset keeps its default)."""
    env = os.environ if environ is None else environ
    defaults = ImportLimits()
    return ImportLimits(**{f.name: positive_whole(env, IMPORT_LIMIT_VARIABLES[f.name], getattr(defaults, f.name))
                           for f in fields(ImportLimits)})


def positive_whole(env, name: str, default: int) -> int:
    """A whole-number setting above 0 (the default when unset); a bad value stops the start-up."""
    raw = env.get(name, "")
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise RuntimeError(f"{name} must be a whole number above 0 (it is {raw!r})")
    return int(raw)


def _limit(env, name: str, default: str) -> str:
    """A sign-in limit such as '10 per 10 minutes' (kcsp.authdb.Limit), checked at start-up."""
    raw = env.get(name, "") or default
    try:
        Limit.parse(raw)
    except ValueError as error:
        raise RuntimeError(f"{name}: {error}") from None
    return raw
