"""axe-core (npm axe-core, installed by `make test`) on every route: no serious or critical violations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import wait_for_charts

AXE = Path(__file__).resolve().parent.parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ROUTES = ["/", "/priority/road-safety", "/priority/neighbourhood-crime-asb?district=maidstone",
          "/district/medway", "/actions", "/meeting", "/data", "/data/import", "/login", "/no-such-page"]

RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}}).then(r => done(r.violations))
   .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


def serious(violations):
    return [f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["target"][0] for n in v["nodes"][:5])
            for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", ROUTES)
def test_no_serious_accessibility_violations(served, path):
    assert AXE.exists(), "axe-core is missing: run `make axe` (make test does)"
    served.driver.get(served.server_url + path)
    served.wait_for_element("h1", timeout=15)
    wait_for_charts(served)
    served.driver.execute_script(AXE.read_text(encoding="utf-8"))
    served.driver.set_script_timeout(60)
    violations = served.driver.execute_async_script(RUN, TAGS)
    problems = serious(violations)
    assert not problems, "\n".join(problems)
