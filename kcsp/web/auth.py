"""Sign-in: server-held sessions for browsers; API tokens and HTTP Basic for scripts; the login wall.

Every way of proving who one is (the form, Basic credentials, a token) goes through one limit on
failed attempts, per account and per client address, counted in the shared sign-in database
(kcsp.authdb) so every worker sees the same count. The limit is checked before any password is
hashed; past it the answer is 429 with Retry-After. Wrong credentials in a request answer 401: they
never fall back to an anonymous view.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode, urlparse

from flask import Blueprint, Flask, Response, g, has_request_context, redirect, request
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from kcsp import runtime
from kcsp.authdb import Limit
from kcsp.text import clean_name
from kcsp.urlstate import local_path
from kcsp.users import User, authenticate, find_user
from kcsp.web.sessions import ServerSessionInterface, auth_db, end_session, start_new_session

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
OPEN_PATHS = frozenset({"/login", "/logout", "/healthz", "/_favicon.ico"})
OPEN_PREFIXES = ("/assets/",)
TOO_MANY = "Too many failed sign-in attempts from here or for this account: try again in {wait} seconds."


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


def _limit() -> Limit:
    return Limit.parse(runtime.settings().sign_in_limit)


def _attempt_keys(name: str | None) -> list[str]:
    keys = [f"client:{request.remote_addr or '-'}"]
    return keys if name is None else [*keys, f"account:{name}"]


def _too_many(keys: list[str]) -> int:
    return auth_db().retry_after(keys, _limit())


def _failed(keys: list[str]) -> None:
    auth_db().record_failure(keys, _limit())


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
        keys = _attempt_keys(None)
        wait = _too_many(keys)
        if wait:
            return None, too_many_response(wait)
        name = auth_db().token_user(value.strip())
        user = find_user(runtime.settings().users_file, name) if name else None
        if user is None:
            _failed(keys)
            return None, _unauthorised("this API token is not valid (unknown, revoked or mistyped)")
    elif scheme.lower() == "basic":
        auth = request.authorization
        if auth is None or not auth.username or auth.password is None:
            return None, _unauthorised("the Basic credentials are malformed")
        keys = _attempt_keys(clean_name(auth.username))
        wait = _too_many(keys)
        if wait:
            return None, too_many_response(wait)
        user = authenticate(runtime.settings().users_file, auth.username, auth.password)
        if user is None:
            _failed(keys)
            return None, _unauthorised("the user name or password is not right")
    else:
        return None, _unauthorised("send an API token (Authorization: Bearer) or HTTP Basic credentials")
    return user, None


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only."""
    return local_path(target) if target and not urlparse(target).netloc else "/"


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - Kent Community Safety Dashboard</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"><link rel="stylesheet" href="/assets/10-app.css"></head>
<body><a class="skip-link" href="#main">Skip to main content</a>
<header class="kcsp-header d-flex flex-wrap align-items-center gap-3 px-3 py-2">
<a class="kcsp-brand" href="/">Kent Community Safety Dashboard</a>
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
    page = LOGIN_PAGE.format(message=block, next=nxt, csrf=html.escape(generate_csrf(), quote=True))
    return Response(page, status=status, mimetype="text/html")


LOGOUT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign out - Kent Community Safety Dashboard</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"><link rel="stylesheet" href="/assets/10-app.css"></head>
<body><main id="main" class="container py-4" style="max-width: 34rem"><h1 class="h3">Sign out</h1>
<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="{csrf}">
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
    keys = _attempt_keys(name)
    wait = _too_many(keys)
    if wait:
        return too_many_response(wait, page=True)
    user = authenticate(runtime.settings().users_file, name, form.get("password", ""))
    if user is None:
        _failed(keys)
        return login_page("The user name or password is not right.", status=401)
    start_new_session()
    login_user(SessionUser(user))
    return redirect(_safe_next(request.form.get("next")))


@bp.get("/logout")
def logout_form() -> Response:
    """Signing out changes state, so it takes a POST with a token; GET shows the button."""
    return Response(LOGOUT_PAGE.format(csrf=html.escape(generate_csrf(), quote=True)), mimetype="text/html")


@bp.post("/logout")
def logout() -> Response:
    if not _csrf_ok():
        return Response("The form had expired: sign out again from /logout.\n", status=400, mimetype="text/plain")
    logout_user()
    end_session()
    return redirect("/")


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
