"""The meeting pack as a PDF: the page `/meeting?meeting=YYYY-MM-DD&pack=1[&district=SLUG]` (a cover,
then one page per priority) printed by headless Chromium with the print stylesheet.

One renderer, `render_pack`, for both callers: `python -m kcsp meeting-pack` (against a gunicorn
started on a free port for the chosen store) and `GET /meeting/pack.pdf` (against the running
worker's own app, served from a thread, in the worker's one browser; see serving.routes).
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd

from kcsp import meetings
from kcsp.store import Store
from serving import server
from serving.chromium import Browser, ChromiumError, print_to_pdf

DRAW_TIMEOUT_S = 90

READY_SCRIPT = """(() => {
  if (document.querySelector('.dash-fe-error__title, .dash-debug-menu__error')) { return 'error: the page failed'; }
  const problem = document.getElementById('meeting-error');
  if (problem) { return 'error: ' + problem.innerText; }
  const view = document.getElementById('pack-view');
  if (!view || document.querySelector('._dash-loading')) { return 'loading'; }
  const want = Number(view.dataset.charts || 0);
  const plots = Array.from(view.querySelectorAll('.js-plotly-plot'));
  const drawn = plots.filter((p) => p.querySelector('.main-svg g[class$="tick"] text') !== null).length;
  return (plots.length >= want && drawn >= want)
    ? 'ready:' + view.querySelectorAll('.pack-page[data-priority]').length : 'drawing';
})()"""


class PackError(RuntimeError):
    """The pack could not be rendered (the message says why)."""


@dataclass(frozen=True)
class PackResult:
    path: Path
    pages: int
    sections: int
    meeting: meetings.Meeting


def count_pages(pdf: bytes) -> int:
    """Pages in a PDF as Chromium writes it (page objects are not compressed into object streams)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def pack_path(meeting_iso: str, district: str | None = None) -> str:
    """The address of the pack's page (path and query) for a meeting and, optionally, a district."""
    params = {"meeting": meeting_iso, "pack": "1"}
    if district:
        params["district"] = district
    return "/meeting?" + urlencode(params)


def render_pack(base_url: str, meeting_iso: str, district: str | None = None, *,
                headers: dict[str, str] | None = None, timeout: float = DRAW_TIMEOUT_S,
                browser: Browser | None = None) -> tuple[bytes, int]:
    """Print the pack page served at `base_url` to PDF, in `browser` or in one started for it; `headers`
    (e.g. a session cookie) go with every request the page makes. Returns the PDF and the number of
    priority pages."""
    try:
        pdf, state = print_to_pdf(base_url + pack_path(meeting_iso, district), ready_script=READY_SCRIPT,
                                  timeout=timeout, headers=headers, browser=browser)
    except ChromiumError as err:
        raise PackError(str(err)) from None
    return pdf, int(state.split(":", 1)[1])


def choose_meeting(store: Store, value: str | None, today: pd.Timestamp | None = None) -> meetings.Meeting:
    """The meeting asked for (YYYY-MM-DD) or the default one; MeetingError when there is none."""
    table = store.read("meetings")
    today = pd.Timestamp.today().normalize() if today is None else today
    return meetings.meeting_view(table, value, today).meeting


def meeting_pack(store_dir: Path, out: Path, meeting: str | None = None, district: str | None = None) -> PackResult:
    """Render the pack of a meeting (default: the next one) from `store_dir` into the PDF `out`.

    Not signed in: the pack holds public actions only and says so on its cover.
    """
    store = Store(store_dir)
    chosen = choose_meeting(store, meeting)
    if district and district not in set(store.read("areas")["area_slug"]):
        raise meetings.MeetingError(f"{district!r} is not a district's name as used in addresses (e.g. thanet)")
    env = {"KCSP_REQUIRE_LOGIN": "", "KCSP_SECRET_KEY": os.environ.get("KCSP_SECRET_KEY") or secrets.token_hex(32)}
    try:
        with server.gunicorn(store.root, env=env) as running:
            pdf, sections = render_pack(running.url, chosen.iso, district)
    except server.ServerError as err:
        raise PackError(str(err)) from None
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(pdf)
    partial.replace(out)
    return PackResult(out, count_pages(pdf), sections, chosen)
