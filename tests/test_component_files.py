"""Every module of components/ has its own test file, tests/test_component_<module>.py."""

from __future__ import annotations

from tests.support import ROOT


def test_every_component_module_has_its_test_file():
    modules = {p.stem for p in (ROOT / "components").glob("*.py") if p.stem != "__init__"}
    missing = sorted(m for m in modules if not (ROOT / "tests" / f"test_component_{m}.py").exists())
    assert not missing, f"components without a test of their own: {missing}"
