"""The layering rules that import-linter cannot express: nothing imports app; pages import no page."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p for d in ("kcsp", "components", "pages") for p in (ROOT / d).rglob("*.py")]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_nothing_imports_app():
    offenders = [p.name for p in SOURCES if "app" in imported_modules(p)]
    assert offenders == []


def test_no_page_imports_another_page():
    offenders = [p.name for p in (ROOT / "pages").glob("*.py")
                 if any(m.startswith("pages") for m in imported_modules(p))]
    assert offenders == []


def test_every_module_has_a_docstring():
    missing = [str(p.relative_to(ROOT)) for p in [*SOURCES, ROOT / "app.py"]
               if ast.get_docstring(ast.parse(p.read_text())) is None]
    assert missing == []
