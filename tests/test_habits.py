"""House habits of the code (issue #13), checked on every run: short modules, short functions unless their
docstring says why they are long, pages that only draw, and public-release masking in one module."""

from __future__ import annotations

import ast
import re

from tests.conftest import REPO

CODE = [p for d in ("common", "dashboard", "etl", "pages", "bench") for p in (REPO / d).rglob("*.py")] + [REPO / "app.py", REPO / "server.py"]
MAX_MODULE, MAX_FUNCTION, MAX_PAGE = 400, 60, 80


def test_modules_are_short():
    long = {str(p.relative_to(REPO)): n for p in CODE if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE}
    assert not long, f"modules over {MAX_MODULE} lines: {long}"


def test_long_functions_say_why():
    unexplained = []
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > MAX_FUNCTION:
                if "Long because" not in (ast.get_docstring(node) or ""):
                    unexplained.append(f"{path.relative_to(REPO)}:{node.name}")
    assert not unexplained, f"functions over {MAX_FUNCTION} lines without 'Long because' in the docstring: {unexplained}"


def test_pages_only_draw():
    for page in (REPO / "pages").glob("*.py"):
        text = page.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= MAX_PAGE, f"{page.name} is over {MAX_PAGE} lines"
        assert not re.search(r"\b(select|from)\s+\w+\s+(where|join|group)\b", text, re.I), f"{page.name} holds SQL"
        assert "ui.q(\"" not in text, f"{page.name} calls a query by its name as a string"


def test_release_masking_lives_in_one_module():
    """Only dashboard/release.py (and the suppression engine it uses) writes '<threshold' or masks counts; the
    benchmarks time the engine itself."""
    engine = {"dashboard/release.py", "dashboard/suppress.py"}
    for path in CODE:
        rel = str(path.relative_to(REPO))
        if rel in engine or rel.startswith("bench/"):
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"f\"<\{", text), f"{rel} writes a '<threshold' label itself"
        assert "suppress_series" not in text and "from dashboard.suppress" not in text, f"{rel} suppresses itself"
