"""The suite itself: a plain clone of the repository runs every test but the real-geography ones, which are
deselected (never skipped) without ../shared/reference and fail under CI=true."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from tests.conftest import REPO


def test_reference_tests_are_deselected_without_the_reference_folder_and_run_under_ci(tmp_path):
    repo = tmp_path / "alone" / "repo"  # no shared/ beside it
    shutil.copytree(REPO, repo, ignore=shutil.ignore_patterns(".venv", ".git", "artifacts", "__pycache__", "*.duckdb*", "bench"))
    env = {k: v for k, v in os.environ.items() if k != "CI"}

    def collect(**extra) -> str:
        result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", "-m", "reference"],
                                cwd=repo, env={**env, **extra}, capture_output=True, text=True, timeout=300)
        return result.stdout + result.stderr

    plain = collect()
    count = int(re.search(r"(\d+) real-geography tests \(marked 'reference'\) deselected", plain).group(1))
    assert count >= 5 and "skipped" not in plain
    assert not re.findall(r"^tests/\S+::\S+", plain, flags=re.M)  # none of them left to run
    under_ci = collect(CI="true")
    assert "real-geography tests" not in under_ci
    assert len(re.findall(r"^tests/\S+::\S+", under_ci, flags=re.M)) == count
