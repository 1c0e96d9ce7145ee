"""Sign-in with Flask-Login: signed session cookies, HTTP Basic for the API, optional login wall."""

from __future__ import annotations

import html
from urllib.parse import urlencode, urlparse

from flask import Blueprint, Flask, Response, current_app, has_request_context, redirect, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from kcsp import runtime
from kcsp.users import User, authenticate, find_user

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[])


def _sign_in_limit() -> str:
    return current_app.config["KCSP_SIGN_IN_LIMIT"]
OPEN_PATHS = ("/login", "/logout", "/healthz", "/assets/")


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
    """The signed-in user of this request: session cookie first, then HTTP Basic credentials.

    None outside a request (e.g. when Dash calls a layout at start-up): nobody is signed in there.
    """
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated:
        return current_user.user
    auth = request.authorization
    if auth and auth.type == "basic" and auth.username and auth.password is not None:
        return authenticate(runtime.settings().users_file, auth.username, auth.password)
    return None


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


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
@limiter.limit(_sign_in_limit, error_message="Too many sign-in attempts: wait a minute and try again.")
def login_submit() -> Response:
    if not _csrf_ok():
        return login_page("The form had expired: please sign in again.", status=400)
    form = request.form
    user = authenticate(runtime.settings().users_file, form.get("name", ""), form.get("password", ""))
    if user is None:
        return login_page("The user name or password is not right.", status=401)
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
    return redirect("/")


def _login_wall() -> Response | None:
    if not runtime.settings().require_login or request_user() is not None:
        return None
    if request.path.startswith(OPEN_PATHS):
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
    server.config["KCSP_SIGN_IN_LIMIT"] = settings.sign_in_limit
    login_manager.init_app(server)
    limiter.init_app(server)
    server.register_blueprint(bp)
    server.before_request(_login_wall)
