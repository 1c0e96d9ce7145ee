"""`python -m kcsp meeting-pack` writes a PDF with one page per priority, each naming its priority
and showing its chart (the chart's own text, drawn by Plotly, is on the page)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from serving.pack import count_pages
from tests.support import ROOT


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


def test_the_pack_has_one_page_per_priority(pack, dataset):
    out, result = pack
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert count_pages(pdf) == len(dataset.priorities) == 8
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           8" in info
    assert "8 page(s)" in result.stdout


def test_each_page_names_its_priority_and_shows_its_chart(pack, dataset):
    out, _ = pack
    for number, priority in enumerate(dataset.priorities.itertuples(), start=1):
        text = page_text(out, number)
        assert priority.name in text, f"page {number} does not name {priority.name}"
        assert f"priority {number} of 8" in text
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
