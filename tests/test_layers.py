"""The layers of issue 24: page models and the PDF brief are plain Python (no Streamlit), the rulebook is one module,
and nothing of the app reaches into Streamlit's private parts."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_page_models_and_the_brief_do_not_import_streamlit():
    code = ("import sys, pkgutil, importlib, dashboard.views as v\n"
            "for m in pkgutil.iter_modules(v.__path__): importlib.import_module('dashboard.views.' + m.name)\n"
            "import dashboard.brief, dashboard.downloads, accounts.rulebook, accounts.store, store\n"
            "print(sorted(n for n in sys.modules if n == 'streamlit' or n.startswith('streamlit.')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
