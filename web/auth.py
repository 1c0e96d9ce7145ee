"""Sign-in: server-held sessions for browsers; API tokens and HTTP Basic for scripts; the login wall.

Every way of proving who one is (the form, Basic credentials, a token) goes through the same limits,
kept in the shared sign-in database (kcsp.authdb) so every worker sees the same counts. An attempt
is checked and counted in one step before any password is hashed or token looked up, and taken off
the count again if it succeeds; past a limit the answer is 429 with Retry-After. Wrong credentials
in a request answer 401: they never fall back to an anonymous view.

Which counts an attempt for account A from client address C goes under (following OWASP's device
cookies, https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies):

- A client that has signed in as A before carries a device cookie for A (issued on a successful
  sign-in by the form or Basic; an HMAC, under the app's secret key, of A, the time it was issued
  and a random nonce). Its attempts for A count only under that cookie, `KCSP_SIGN_IN_LIMIT`
  (default 10 per 10 minutes): failures anywhere else never block it, and a stolen cookie still
  buys only that many guesses. The cookie is honoured for A only and for `DEVICE_COOKIE_DAYS`.
- Any other attempt is untrusted and counts under (A, C), `KCSP_SIGN_IN_LIMIT`, and under two
  ceilings, `KCSP_SIGN_IN_CEILING` (by default the same as the limit): A from every untrusted
  client, and C for every account. A ceiling reached refuses untrusted clients only.
- A Bearer token names no account until it is checked: its attempts count under (tokens, C) and C.

A success clears its own key ((A, C) or the device cookie), never a ceiling, so a right password
for one's own account does not reset the count of one's guesses at others.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlparse

from flask import Blueprint, Flask, Response, after_this_request, current_app, g, has_request_context, redirect, request
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from kcsp import runtime
from kcsp.authdb import Attempt, Limit
from kcsp.text import clean_name
from kcsp.urlstate import local_path
from kcsp.users import User, authenticate, find_user
from web.sessions import ServerSessionInterface, auth_db, end_session, start_new_session

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
# /unsubscribe: the link in an email works without signing in (its token is signed: web.unsubscribe).
OPEN_PATHS = frozenset({"/login", "/logout", "/healthz", "/_favicon.ico", "/unsubscribe"})
OPEN_PREFIXES = ("/assets/",)
TOO_MANY = "Too many failed sign-in attempts from here or for this account: try again in {wait} seconds."
DEVICE_COOKIE = "kcsp_device"
DEVICE_COOKIE_DAYS = 90
MAX_DEVICE_COOKIE_LENGTH = 400
# The account a Bearer attempt counts under: no user name has a colon in it (kcsp.users.add_user).
TOKEN_ACCOUNT = ":token"


class SessionUser(UserMixin):
    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        return self.user.name


@login_manager.user_loader
def _load(name: str) -> SessionUser | None:
    user = find_user(runtime.settings().users_file, name)
    return None if user is None else SessionUser(user)


def request_user() -> User | None:
    """The signed-in user of this request: the session first, then the request's credentials (checked
    once per request, normally before any route runs, by `_credentials`).

    None outside a request (e.g. when Dash calls a layout at start-up): nobody is signed in there.
    """
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated:
        return current_user.user
    return _checked_credentials()[0]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _device_signature(name: str, issued: str, nonce: str) -> str:
    secret = current_app.secret_key
    secret = secret if isinstance(secret, bytes) else str(secret).encode("utf-8")
    key = hmac.new(secret, b"kcsp device cookie", hashlib.sha256).digest()
    return _b64(hmac.new(key, "\0".join((name, issued, nonce)).encode("utf-8"), hashlib.sha256).digest())


def device_cookie(name: str) -> str:
    """A new device cookie for `name`: the name, when it was issued, a random nonce, and their HMAC."""
    issued, nonce = str(int(time.time())), secrets.token_urlsafe(16)
    return ".".join((_b64(name.encode("utf-8")), issued, nonce, _device_signature(name, issued, nonce)))


def trusted_device(name: str) -> str | None:
    """The nonce of the request's device cookie if it is valid, unexpired and issued for `name`."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    parts = value.split(".")
    if len(value) > MAX_DEVICE_COOKIE_LENGTH or len(parts) != 4:
        return None
    encoded, issued, nonce, signature = parts
    if not issued.isascii() or not issued.isdigit() or time.time() - int(issued) > DEVICE_COOKIE_DAYS * 86400:
        return None
    try:
        owner = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except ValueError:
        return None
    if owner != name or not hmac.compare_digest(signature, _device_signature(name, issued, nonce)):
        return None
    return nonce


@dataclass(frozen=True)
class SignInAttempt:
    """A counted (or refused) attempt, the key its success clears, and whether it came from a client
    trusted for the account (a valid device cookie)."""

    attempt: Attempt
    own_key: str
    trusted: bool

    @property
    def wait(self) -> int:
        return self.attempt.wait


def begin_attempt(name: str) -> SignInAttempt:
    """Check and count an attempt to prove one is `name`, before any secret is checked."""
    settings = runtime.settings()
    limit = Limit.parse(settings.sign_in_limit)
    nonce = None if name == TOKEN_ACCOUNT else trusted_device(name)
    if nonce is not None:
        checks = [(f"device:{nonce}", limit)]
    else:
        ceiling = Limit.parse(settings.sign_in_ceiling)
        client = request.remote_addr or "-"
        checks = [(f"pair:{client} {name}", limit), (f"client:{client}", ceiling)]
        if name != TOKEN_ACCOUNT:
            checks.append((f"account:{name}", ceiling))
    return SignInAttempt(auth_db().begin_attempt(checks), checks[0][0], nonce is not None)


def succeeded(attempt: SignInAttempt, name: str | None = None) -> None:
    """Take a successful attempt off the counts; a client not yet trusted for `name` is given a device
    cookie for it on the response to this request."""
    auth_db().attempt_succeeded(attempt.attempt, [attempt.own_key])
    if name is None or attempt.trusted:
        return

    @after_this_request
    def _trust(response: Response) -> Response:
        response.set_cookie(DEVICE_COOKIE, device_cookie(name), max_age=DEVICE_COOKIE_DAYS * 86400, httponly=True,
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False), samesite="Lax")
        return response


def too_many_response(wait: int, *, page: bool = False) -> Response:
    message = TOO_MANY.format(wait=wait)
    response = login_page(message, status=429) if page else Response(message + "\n", status=429,
                                                                        mimetype="text/plain")
    response.headers["Retry-After"] = str(wait)
    return response


def _unauthorised(message: str) -> Response:
    response = Response(message + "\n", status=401, mimetype="text/plain")
    response.headers["WWW-Authenticate"] = 'Basic realm="kcsp", charset="UTF-8"'
    return response


def _credentials() -> Response | None:
    """Before any route: the 401 or 429 answer for the request's credentials, if they fail."""
    if current_user and current_user.is_authenticated:
        return None
    return _checked_credentials()[1]


def _checked_credentials() -> tuple[User | None, Response | None]:
    """The request's Authorization header checked once: (user, None) or (None, the refusal)."""
    if "kcsp_credentials" not in g:
        g.kcsp_credentials = _check_credentials()
    return g.kcsp_credentials


def _check_credentials() -> tuple[User | None, Response | None]:
    """Check an Authorization header (Bearer token or Basic), cheapest checks first."""
    header = request.headers.get("Authorization")
    if not header:
        return None, None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        attempt = begin_attempt(TOKEN_ACCOUNT)
        if attempt.wait:
            return None, too_many_response(attempt.wait)
        name = auth_db().token_user(value.strip())
        user = find_user(runtime.settings().users_file, name) if name else None
        if user is None:
            return None, _unauthorised("this API token is not valid (unknown, revoked or mistyped)")
        succeeded(attempt)
    elif scheme.lower() == "basic":
        auth = request.authorization
        if auth is None or not auth.username or auth.password is None:
            return None, _unauthorised("the Basic credentials are malformed")
        attempt = begin_attempt(clean_name(auth.username))
        if attempt.wait:
            return None, too_many_response(attempt.wait)
        user = authenticate(runtime.settings().users_file, auth.username, auth.password)
        if user is None:
            return None, _unauthorised("the user name or password is not right")
        succeeded(attempt, user.name)
    else:
        return None, _unauthorised("send an API token (Authorization: Bearer) or HTTP Basic credentials")
    return user, None


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only."""
    return local_path(target) if target and not urlparse(target).netloc else "/"


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - {product}</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"><link rel="stylesheet" href="/assets/05-vocabulary.css">
<link rel="stylesheet" href="/assets/10-app.css"></head>
<body><a class="skip-link" href="#main">Skip to main content</a>
<header class="kcsp-header d-flex flex-wrap align-items-center gap-3 px-3 py-2">
<a class="kcsp-brand" href="/">{product}</a>
<nav aria-label="Main"><ul class="nav kcsp-nav">
<li class="nav-item"><a class="nav-link" href="/">Overview</a></li>
<li class="nav-item"><a class="nav-link" href="/actions">Action plan</a></li>
<li class="nav-item"><a class="nav-link" href="/meeting">Meetings</a></li>
<li class="nav-item"><a class="nav-link" href="/assessment">Strategic assessment</a></li>
<li class="nav-item"><a class="nav-link" href="/data">Data and sources</a></li>
<li class="nav-item"><a class="nav-link active" aria-current="page" href="/login">Sign in</a></li>
</ul></nav></header>
<main id="main" class="container py-4" style="max-width: 34rem">
<h1 class="h3">Sign in</h1>
<p>Priority leads sign in to update their actions. Reading the dashboard needs no account
unless this installation requires it.</p>
{message}
<form method="post" action="/login" class="mt-3">
<input type="hidden" name="csrf_token" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<div class="mb-3"><label class="form-label" for="name">User name</label>
<input class="form-control" id="name" name="name" autocomplete="username" required></div>
<div class="mb-3"><label class="form-label" for="password">Password</label>
<input class="form-control" id="password" name="password" type="password"
 autocomplete="current-password" required></div>
<button class="btn btn-primary" type="submit">Sign in</button>
</form></main></body></html>"""


def login_page(message: str = "", status: int = 200) -> Response:
    nxt = html.escape(_safe_next(request.values.get("next")), quote=True)
    block = f'<div class="alert alert-danger" role="alert">{html.escape(message)}</div>' if message else ""
    page = LOGIN_PAGE.format(product=html.escape(runtime.product_name()), message=block, next=nxt,
                             csrf=html.escape(generate_csrf(), quote=True))
    return Response(page, status=status, mimetype="text/html")


LOGOUT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign out - {product}</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"><link rel="stylesheet" href="/assets/05-vocabulary.css">
<link rel="stylesheet" href="/assets/10-app.css"></head>
<body><main id="main" class="container py-4" style="max-width: 34rem"><h1 class="h3">Sign out</h1>
<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<button class="btn btn-primary" type="submit">Sign out</button></form></main></body></html>"""


def _csrf_ok() -> bool:
    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except ValidationError:
        return False
    return True


@bp.get("/login")
def login_form() -> Response:
    return login_page()


@bp.post("/login")
def login_submit() -> Response:
    if not _csrf_ok():
        return login_page("The form had expired: please sign in again.", status=400)
    form = request.form
    name = clean_name(form.get("name", ""))
    attempt = begin_attempt(name)
    if attempt.wait:
        return too_many_response(attempt.wait, page=True)
    user = authenticate(runtime.settings().users_file, name, form.get("password", ""))
    if user is None:
        return login_page("The user name or password is not right.", status=401)
    succeeded(attempt, user.name)
    start_new_session()
    login_user(SessionUser(user))
    return redirect(_safe_next(request.form.get("next")))


@bp.get("/logout")
def logout_form() -> Response:
    """Signing out changes state, so it takes a POST with a token; GET shows the button."""
    nxt = html.escape(_safe_next(request.args.get("next")), quote=True)
    page = LOGOUT_PAGE.format(product=html.escape(runtime.product_name()),
                              csrf=html.escape(generate_csrf(), quote=True), next=nxt)
    return Response(page, mimetype="text/html")


@bp.post("/logout")
def logout() -> Response:
    if not _csrf_ok():
        return Response("The form had expired: sign out again from /logout.\n", status=400, mimetype="text/plain")
    logout_user()
    end_session()
    return redirect(_safe_next(request.form.get("next")))


def _login_wall() -> Response | None:
    if not runtime.settings().require_login or request_user() is not None:
        return None
    if request.path in OPEN_PATHS or request.path.startswith(OPEN_PREFIXES):
        return None
    if request.path.startswith(("/api/", "/_dash-")):
        return Response("sign-in required\n", status=401, mimetype="text/plain")
    return redirect("/login?" + urlencode({"next": request.full_path.rstrip("?")}))


def init_auth(server: Flask) -> None:
    settings = runtime.settings()
    server.secret_key = settings.secret_key
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         SESSION_COOKIE_SECURE=settings.production, REMEMBER_COOKIE_HTTPONLY=True)
    server.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)
    server.session_interface = ServerSessionInterface()
    login_manager.init_app(server)
    server.register_blueprint(bp)
    server.before_request(_credentials)
    server.before_request(_login_wall)
