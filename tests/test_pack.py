"""The meeting pack as PDF: `python -m kcsp meeting-pack` and `GET /meeting/pack.pdf` (same renderer)
write a cover, then one page per priority, each naming its priority and showing its chart (the
chart's own text, drawn by Plotly, is on the page). Anonymous packs leave restricted actions out and
say so; a signed-in user's pack holds them, marked."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from serving import routes
from serving.pack import count_pages
from tests.support import ROOT, sign_in

pytestmark = pytest.mark.slow


def run_pack(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kcsp", "meeting-pack", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def page_text(pdf, page: int) -> str:
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing: install the Debian package poppler-utils (make browser-deps)"
    return subprocess.run([tool, "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def pack(tmp_path_factory, demo_store):
    out = tmp_path_factory.mktemp("pack") / "pack.pdf"
    result = run_pack("--out", str(out), "--store", str(demo_store.root))
    assert result.returncode == 0, result.stderr
    return out, result


def priority_pages(pages: list[str], dataset) -> dict[int, int]:
    """The page (0-based) each priority starts on, by its number: its running head is on every page it has."""
    starts = {}
    for number in range(1, len(dataset.priorities) + 1):
        found = [i for i, text in enumerate(pages) if f"priority {number} of {len(dataset.priorities)}" in text]
        assert found, f"no page names priority {number}"
        starts[number] = found[0]
    return starts


def test_the_pack_has_a_cover_then_each_priority_from_a_new_page(pack, dataset):
    out, result = pack
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = [page_text(out, n) for n in range(1, count_pages(pdf) + 1)]
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert f"Pages:           {len(pages)}" in info
    starts = priority_pages(pages, dataset)
    assert list(starts.values()) == sorted(starts.values()) and starts[1] >= 1, "priorities out of order"
    assert f"{len(pages)} page(s), a cover, then each of 8 priorities from a new page" in result.stdout


def assert_cover(text: str, dataset) -> None:
    assert "Meeting pack: cover" in text
    assert "Period covered:" in text
    for name in ("Every priority at a glance", "Change (latest year)", "Significant changes",
                 "Actions whose status moved"):
        assert name in text, f"the cover has no {name!r}"
    for priority in dataset.priorities.itertuples():
        assert priority.name.split(" ")[0] in text


def test_the_cover_sums_up_every_priority_and_says_restricted_actions_are_left_out(pack, dataset):
    out, _ = pack
    text = page_text(out, 1)
    assert_cover(text, dataset)
    assert "Restricted actions are left out of this pack" in text
    assert "priority 1 of 8" not in text


def test_each_page_names_its_priority_and_shows_its_chart(pack, dataset):
    out, _ = pack
    pages = [page_text(out, n) for n in range(1, count_pages(out.read_bytes()) + 1)]
    starts = priority_pages(pages, dataset)
    for number, priority in enumerate(dataset.priorities.itertuples(), start=1):
        end = starts.get(number + 1, len(pages))
        text = "\n".join(pages[starts[number]:end])
        assert priority.name in text, f"page {number} does not name {priority.name}"
        unit = dataset.indicator(priority.headline_indicator_id)["unit"]
        assert f"{unit.capitalize()} per month" in text, f"page {number}: the chart's title is not drawn"
        assert "Rolling 12-month total" in text, f"page {number}: the chart's lower panel is not drawn"
        assert "Latest progress" in text, f"page {number}: no actions table"


def test_an_invalid_meeting_date_is_refused_and_nothing_is_written(tmp_path, demo_store):
    out = tmp_path / "pack.pdf"
    result = run_pack("--out", str(out), "--store", str(demo_store.root), "--meeting", "2025-13-01")
    assert result.returncode == 2
    assert "is not a real date" in result.stderr or "not a date" in result.stderr
    assert not out.exists()


def test_a_date_with_no_meeting_is_refused(tmp_path, demo_store):
    result = run_pack("--out", str(tmp_path / "pack.pdf"), "--store", str(demo_store.root), "--meeting", "2025-11-21")
    assert result.returncode == 2
    assert "No meeting is recorded on 21 November 2025" in result.stderr


def test_count_pages_reads_page_objects_only():
    assert count_pages(b"<< /Type /Pages /Count 2 >> << /Type /Page >> << /Type/Page /Parent 1 0 R >>") == 2


@pytest.fixture(scope="module")
def web_client():
    import app

    app.server.config["TESTING"] = True
    return app.server.test_client


def pdf_pages(tmp_path, body: bytes) -> list[str]:
    path = tmp_path / "pack.pdf"
    path.write_bytes(body)
    return [page_text(path, n) for n in range(1, count_pages(body) + 1)]


def test_the_page_serves_the_public_pack_as_pdf_once_per_store_version(web_client, dataset, tmp_path, monkeypatch):
    client = web_client()
    response = client.get("/meeting/pack.pdf?meeting=2025-11-20")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    assert 'filename="meeting-pack-2025-11-20.pdf"' in response.headers["Content-Disposition"]
    pages = pdf_pages(tmp_path, response.data)
    assert_cover(pages[0], dataset)
    assert "Restricted actions are left out of this pack" in pages[0]
    assert all("(restricted)" not in p for p in pages)
    starts = priority_pages(pages, dataset)
    for number, priority in enumerate(dataset.priorities.itertuples(), start=1):
        assert priority.name in pages[starts[number]]

    def no_render(*args, **kwargs):
        raise AssertionError("the cached pack was rendered again")

    monkeypatch.setattr(routes, "render_pack", no_render)
    again = client.get("/meeting/pack.pdf?meeting=2025-11-20")
    assert again.status_code == 200 and again.data == response.data


def test_a_signed_in_pack_holds_restricted_actions_marked(web_client, dataset, tmp_path):
    client = web_client()
    sign_in(client, "viewer")
    response = client.get("/meeting/pack.pdf?meeting=2025-11-20")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    pages = pdf_pages(tmp_path, response.data)
    assert_cover(pages[0], dataset)
    assert "This pack holds restricted actions" in pages[0]
    assert any("(restricted)" in p for p in pages[1:]), "no restricted action marked in the priorities' pages"


def test_a_district_pack_is_about_that_district(web_client, tmp_path):
    response = web_client().get("/meeting/pack.pdf?meeting=2025-11-20&district=thanet")
    assert response.status_code == 200, response.get_data(as_text=True)
    cover = pdf_pages(tmp_path, response.data)[0]
    assert "Thanet beside Kent" in cover
    assert "Thanet:" in cover


@pytest.mark.parametrize(("query", "status", "says"), [
    ("?meeting=2025-13-01", 422, "not a real date"),
    ("?meeting=yesterday", 422, "not a date"),
    ("?meeting=2025-11-21", 404, "No meeting is recorded on 21 November 2025"),
    ("?meeting=2025-11-20&district=atlantis", 404, "no district called 'atlantis'"),
])
def test_a_bad_meeting_or_district_is_answered_in_words(web_client, query, status, says):
    response = web_client().get("/meeting/pack.pdf" + query)
    assert response.status_code == status
    assert response.mimetype == "text/plain"
    assert says in response.get_data(as_text=True)


def test_a_pack_that_cannot_be_built_is_explained_not_a_traceback(web_client, monkeypatch):
    def fails(*args, **kwargs):
        raise routes.PackError("Chromium closed unexpectedly")

    monkeypatch.setattr(routes, "render_pack", fails)
    response = web_client().get("/meeting/pack.pdf?meeting=2025-07-17&district=dover")
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "The meeting pack could not be built just now: Chromium closed unexpectedly" in body
    assert "Traceback" not in body
