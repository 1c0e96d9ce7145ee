"""``/unsubscribe?t=TOKEN``: stop the digest, or an update round's requests and reminders, from the link in
an email, without signing in.

The token is the authority (kcsp.mailing.unsubscribe_token: the account and what it stops, signed with an
HMAC under KCSP_SECRET_KEY), so the route is open even when KCSP_REQUIRE_LOGIN=1 and needs no CSRF token:
nobody can make one for another account without the key. ``GET`` shows what the link stops and a button
(a mail scanner following links stops nothing); ``POST`` stops it, from that button or from a mail client's
one-click unsubscribe (RFC 8058, ``List-Unsubscribe=One-Click``). A link that is not valid answers 400 and
changes nothing. Each stop is recorded in the audit table.
"""

from __future__ import annotations

import html

from flask import Blueprint, Response, request

from kcsp import mailing, runtime

bp = Blueprint("unsubscribe", __name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - {product}</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"><link rel="stylesheet" href="/assets/05-vocabulary.css">
<link rel="stylesheet" href="/assets/10-app.css"></head>
<body><header class="kcsp-header d-flex flex-wrap align-items-center gap-3 px-3 py-2">
<a class="kcsp-brand" href="/">{product}</a></header>
<main id="main" class="container py-4" style="max-width: 40rem"><h1 class="h3">{title}</h1>
{body}</main></body></html>"""


def _page(title: str, body: str, status: int = 200) -> Response:
    page = PAGE.format(product=html.escape(runtime.product_name()), title=html.escape(title), body=body)
    return Response(page, status=status, mimetype="text/html")


def _invalid() -> Response:
    return _page("This link does not work",
                 "<p>The unsubscribe link is not complete or not valid. Copy the whole link from the email, or "
                 "sign in and choose the emails you get on <a href=\"/following\">What you follow</a>.</p>",
                 status=400)


@bp.get("/unsubscribe")
def confirm() -> Response:
    token = request.args.get("t", "")
    found = mailing.read_unsubscribe_token(runtime.settings().secret_key, token)
    if found is None:
        return _invalid()
    name, group = found
    what = html.escape(mailing.GROUPS[group])
    return _page("Stop these emails", (
        f"<p>Stop sending {what} to the account <strong>{html.escape(name)}</strong>?</p>"
        f"<form method=\"post\" action=\"/unsubscribe?t={html.escape(token, quote=True)}\">"
        "<button class=\"btn btn-primary\" type=\"submit\" id=\"unsubscribe-confirm\">Stop these emails</button>"
        "</form><p class=\"mt-3 small\">Signed-in users can choose what they follow and the emails they get on "
        "<a href=\"/following\">What you follow</a>.</p>"))


@bp.post("/unsubscribe")
def stop() -> Response:
    settings = runtime.settings()
    done = mailing.unsubscribe(runtime.store(), settings.users_file, settings.secret_key, request.args.get("t", ""))
    if done is None:
        return _invalid()
    user, group = done
    return _page("You will not get these emails", (
        f"<p id=\"unsubscribe-done\">{html.escape(mailing.GROUPS[group]).capitalize()} will no longer be sent to "
        f"the account <strong>{html.escape(user.name)}</strong>.</p><p>To have them again, sign in and choose on "
        "<a href=\"/following\">What you follow</a>.</p>"))
