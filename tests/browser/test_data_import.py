"""/data/import in headless Chromium: an admin downloads nothing, uploads a partner's CSV, sees the
preview (summary, chart and table), confirms, and the measure's chart then draws the real part as real."""

from __future__ import annotations

from tests import partner_files as pf
from tests.browser.conftest import assert_clean, wait_for_charts
from tests.browser.test_accessibility import AXE, RUN, TAGS, serious
from tests.browser.test_actions_page import click, sign_in

REAL_TRACES = """
const graph = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .find(g => g.closest('[id*="da-incidents"]') && g.data);
if (!graph) return null;
return graph.data.map(t => [t.name, t.meta || '', t.y.filter(v => v !== null).length]);
"""


def test_an_admin_uploads_previews_and_confirms_and_the_chart_shows_real_figures(served, writable_store, tmp_path):
    duo = served
    sign_in(duo, "admin", next_path="/data/import")
    duo.wait_for_element("#import-upload", timeout=15)
    duo.driver.execute_script(
        "const s = document.getElementById('import-indicator'); s.value = 'da-incidents';"
        "s.dispatchEvent(new Event('change', {bubbles: true}));")
    duo.wait_for_element("#template-csv[href$='/api/templates/da-incidents.csv']", timeout=15)
    path = pf.da_long_csv(tmp_path / "kent-police-da.csv")
    duo.driver.find_element("css selector", "#import-upload input[type=file]").send_keys(str(path))
    duo.wait_for_contains_text("#import-summary", "cells: 0 new, 39 changed, 0 unchanged", timeout=20)
    assert "periods replaced (3): Apr 2023, May 2023, Jun 2023" in duo.find_element("#import-summary").text
    wait_for_charts(duo)
    assert duo.find_element("#import-preview-chart .main-svg")
    assert "Folkestone and Hythe" in duo.find_element("#import-changes").text
    assert len(writable_store.read("imports")) == 0
    if AXE.exists():
        duo.driver.execute_script(AXE.read_text(encoding="utf-8"))
        duo.driver.set_script_timeout(60)
        assert not serious(duo.driver.execute_async_script(RUN, TAGS))

    click(duo, "#import-confirm")
    duo.wait_for_contains_text("#import-done", "Imported as I000001", timeout=20)
    duo.wait_for_contains_text("#import-history-table", "kent-police-da.csv", timeout=15)
    assert "nothing has been written yet" not in duo.find_element("#main").text, "the preview outlived the import"
    assert_clean(duo)

    duo.driver.get(f"{duo.server_url}/priority/domestic-abuse?from=2023-01&to=2023-09")
    wait_for_charts(duo)
    traces = duo.driver.execute_script(REAL_TRACES)
    names = {name: (meta, shown) for name, meta, shown in traces}
    assert names["Per month: real figures"] == ("real", 3)
    assert names["Per month: illustrative (generated)"] == ("illustrative", 6)
    table = duo.driver.execute_script(  # the table sits in a closed <details>: read its text content
        "return document.querySelector('[id*=\"da-incidents\"][id*=\"table\"]').textContent")
    assert "Apr 2023" in table and "real" in table and "illustrative" in table
