"""Sessions held on the server (kcsp.authdb): the cookie carries only a random id.

An empty session (an anonymous visitor who has not opened a form) is never stored and sets no
cookie. Signing in starts a new session (`start_new_session`), signing out ends it (`end_session`),
and `python -m kcsp users add` ends every session of an account whose password it replaces. A
session also ends after `KCSP_SESSION_IDLE_MINUTES` without a request and after
`KCSP_SESSION_MAX_HOURS` in all.
"""

from __future__ import annotations

from flask import Flask, Request, Response, session
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from kcsp import runtime
from kcsp.authdb import AuthDB

_dbs: dict[str, AuthDB] = {}
# Files that are the same for everyone: no session is looked up for them.
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")


def auth_db() -> AuthDB:
    """The sign-in database of the current settings (one object per path, per process)."""
    path = runtime.settings().auth_db_path
    return _dbs.setdefault(str(path), AuthDB(path))


def _lifetimes() -> tuple[int, int]:
    settings = runtime.settings()
    return settings.session_idle_minutes * 60, settings.session_max_hours * 3600


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial: dict | None = None, sid: str | None = None):
        def changed(_self):
            self.modified = True

        super().__init__(initial, changed)
        self.sid = sid
        self.new = sid is None
        self.modified = False
        self.rotate = False
        self.ended = False


class ServerSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid and len(sid) <= 64 and not request.path.startswith(STATIC_PREFIXES):
            data = auth_db().load_session(sid, *_lifetimes())
            if data is not None:
                return ServerSession(data, sid)
        return ServerSession()

    def save_session(self, app: Flask, sess: ServerSession, response: Response) -> None:  # type: ignore[override]
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        db = auth_db()
        dropped = bool(sess.sid) and (sess.ended or sess.rotate or not sess)
        if dropped:
            db.end_session(sess.sid)
            sess.sid = None
        if sess.ended or not sess:
            if dropped or sess.ended:
                response.delete_cookie(name, domain=domain, path=path)
            return
        user = sess.get("_user_id")
        if sess.sid is None:
            sess.sid = db.create_session(dict(sess), user, _lifetimes()[0])
            response.set_cookie(name, sess.sid, domain=domain, path=path, httponly=True,
                                secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app))
        elif sess.modified:
            db.save_session(sess.sid, dict(sess), user)
        response.vary.add("Cookie")


def start_new_session() -> None:
    """Before signing someone in: the old session (and its id) is dropped, a new one will be issued."""
    session.clear()
    session.rotate = True  # type: ignore[attr-defined]


def end_session() -> None:
    session.clear()
    session.ended = True  # type: ignore[attr-defined]
