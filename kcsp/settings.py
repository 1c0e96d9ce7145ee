"""Settings read from environment variables, with the defaults the contract gives."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"

log = logging.getLogger(__name__)


def _resolve(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    users_file: Path
    secret_key: str
    secret_key_generated: bool
    require_login: bool
    production: bool
    sign_in_limit: str = "10 per 10 minutes"
    auth_db: Path | None = None
    session_idle_minutes: int = 60
    session_max_hours: int = 12
    max_body_bytes: int = 2 * 1024 * 1024

    @property
    def auth_db_path(self) -> Path:
        return self.auth_db or self.users_file.parent / "auth.sqlite3"


def load_settings(environ: os._Environ | dict | None = None) -> Settings:
    """Read the settings; a missing secret key is generated (refused in production)."""
    env = os.environ if environ is None else environ
    production = env.get("KCSP_ENV", "").lower() == "production"
    secret = env.get("KCSP_SECRET_KEY", "")
    generated = not secret
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
        sign_in_limit=env.get("KCSP_SIGN_IN_LIMIT", "10 per 10 minutes"),
        auth_db=_resolve(env["KCSP_AUTH_DB"]) if env.get("KCSP_AUTH_DB") else None,
        session_idle_minutes=_positive(env, "KCSP_SESSION_IDLE_MINUTES", 60),
        session_max_hours=_positive(env, "KCSP_SESSION_MAX_HOURS", 12),
        max_body_bytes=_positive(env, "KCSP_MAX_BODY_BYTES", 2 * 1024 * 1024),
    )


def _positive(env, name: str, default: int) -> int:
    raw = env.get(name, "")
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise RuntimeError(f"{name} must be a whole number above 0 (it is {raw!r})")
    return int(raw)
