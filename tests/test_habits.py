"""House habits of the code (issue #13), checked on every run: short modules, short functions unless their
docstring says why they are long, pages that only draw, and public-release masking in one module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

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


STAGES = ["read", "find", "resolve", "check", "write"]


def test_the_etl_folders_are_the_stages_a_file_passes():
    """Issue 22 point 8: `etl/` lists the pipeline: one folder per stage, shared by reports and population, named in
    order in the package's docstring, and nothing else at the top but the reference data and the command line."""
    import etl

    top = sorted(p.name for p in (REPO / "etl").iterdir() if p.name != "__pycache__")
    assert top == sorted(["__init__.py", "__main__.py", *STAGES, "reference", "cli"])
    doc = etl.__doc__ or ""
    assert [doc.index(f"`etl.{s}`") for s in STAGES] == sorted(doc.index(f"`etl.{s}`") for s in STAGES)
    for stage in [*STAGES, "reference", "cli"]:
        init = REPO / "etl" / stage / "__init__.py"
        assert init.exists() and ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), stage
    # reports and population share the stages: each kind's reading and writing live side by side
    for stage in ("find", "write", "cli"):
        assert {"reports.py", "population.py"} <= {p.name for p in (REPO / "etl" / stage).glob("*.py")}, stage


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def test_shared_code_lives_beside_the_etl_not_in_it():
    """Issue 24 point 5: formatting, errors and settings are in `common/`; the storage layer, the accounts, the server
    and the app shell need nothing of the ETL, and the dashboard reaches into it only to read uploaded files and write
    the warehouse (the read, write, reference and command stages), never for a number's format or an error."""
    files = [REPO / "app.py", REPO / "server.py", *(REPO / "store").rglob("*.py"), *(REPO / "accounts").rglob("*.py"),
             *(REPO / "common").rglob("*.py")]
    for path in files:
        assert not {m for m in _imports(path) if m == "etl" or m.startswith("etl.")}, path
    allowed = {"read", "write", "reference", "cli", "resolve", "find"}
    for path in [*(REPO / "dashboard").rglob("*.py"), *(REPO / "pages").glob("*.py")]:
        used = {m for m in _imports(path) if m == "etl" or m.startswith("etl.")}
        assert all(m.count(".") and m.split(".")[1] in allowed for m in used), (path, used)
    assert not list((REPO / "etl").rglob("fmt.py")) and (REPO / "common" / "fmt.py").exists()
