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
    sign_in_limit: str = "10 per minute"


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
        sign_in_limit=env.get("KCSP_SIGN_IN_LIMIT", "10 per minute"),
    )
