"""What bench/bench_browser.py drives: the two Streamlit servers, the demo warehouse, the JS probes of the page
and the waits until a page is idle."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RAW = REPO.parent / "shared" / "reference" / "raw"


BARE_APP = '''import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

st.title("Bare app")
choice = st.selectbox("Seri", ["A", "B", "C"])
rng = np.random.default_rng(ord(choice))
df = pd.DataFrame({"bulan": pd.date_range("2024-11-01", periods=24, freq="MS"), "jumlah": rng.integers(100, 200, 24)})
st.plotly_chart(px.line(df, x="bulan", y="jumlah"))
'''


# Idle: the script has finished, no skeleton is left, every plotly chart element has drawn its SVG.
IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (!document.querySelector('[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]')) return false;
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    for (const c of document.querySelectorAll('[data-testid="stPlotlyChart"]'))
        if (!c.querySelector('.js-plotly-plot .main-svg')) return false;
    return true;
}"""


HTTP_JS = """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
    .reduce((n, e) => n + (e.transferSize || 0), 0)"""


FIGURES_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .reduce((n, p) => n + JSON.stringify({data: p.data, layout: p.layout}).length, 0)"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A streamlit server in its own process group (Ctrl-C reaches only this script, which then stops it)."""

    def __init__(self, script: str, env: dict, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).read() == b"ok":
                    return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"streamlit did not start: {script}; see {log}")

    def cpu(self) -> float:
        """User+sys CPU seconds of the server and its live descendants (plus the children it has reaped)."""
        tick = os.sysconf("SC_CLK_TCK")
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    text = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                fields = text[text.rindex(")") + 2:].split()  # after the command name, which may hold spaces
                stats[int(entry)] = (int(fields[1]), fields)  # (ppid, fields from 'state' on)
        tree, total = {self.proc.pid}, 0.0
        for _ in range(4):  # descendants down to four levels
            tree |= {pid for pid, (ppid, _) in stats.items() if ppid in tree}
        for pid in tree:
            if pid in stats:
                f = stats[pid][1]
                total += int(f[11]) + int(f[12]) + (int(f[13]) + int(f[14]) if pid == self.proc.pid else 0)
        return total / tick

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self.log.close()


@dataclass
class Samples:
    first: list = field(default_factory=list)
    filter: list = field(default_factory=list)
    switch: list = field(default_factory=list)
    cpu: list = field(default_factory=list)
    ws_kb: list = field(default_factory=list)
    ws_msgs: list = field(default_factory=list)
    ws_done: list = field(default_factory=list)
    boot: list = field(default_factory=list)
    http_kb: list = field(default_factory=list)
    fig_kb: list = field(default_factory=list)
    charts: list = field(default_factory=list)
    cold: float | None = None


def build_db(tmp: Path) -> Path:
    db = tmp / "pmks.duckdb"
    env = {**os.environ, "PMKS_DB": str(db)}
    for args in (["init"], ["boundaries", "--download", "--source", str(RAW)], ["demo", "--seed", "42", "--months", "24", "--until", "2026-10"]):
        subprocess.run([sys.executable, "-m", "etl", *args], cwd=REPO, env=env, check=True, capture_output=True)
    return db


class Runs:
    """The websocket frames a page receives, and how many script runs the server reported finished (protobuf)."""

    def __init__(self, page):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.frames: list[tuple[float, int]] = []
        self.finished = 0
        done = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY

        def on_frame(payload):
            self.frames.append((time.perf_counter(), len(payload)))
            if isinstance(payload, bytes):
                msg = ForwardMsg.FromString(payload)
                if msg.WhichOneof("type") == "script_finished" and msg.script_finished == done:
                    self.finished += 1

        page.on("websocket", lambda ws: ws.on("framereceived", on_frame))


def wait_idle(page, runs: Runs, before: int) -> None:
    """After the server has finished a run started since `before` (not one ended early for a rerun), the page is
    idle: the DOM alone may never show a fast run as 'running' (React batches), so the websocket decides."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.perf_counter() + 120
    while runs.finished <= before:
        if time.perf_counter() > deadline:
            raise PlaywrightTimeout("no script run finished within 120 s")
        page.wait_for_timeout(5)  # lets Playwright deliver the frames
    page.wait_for_function(IDLE_JS, timeout=120_000, polling="raf")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")  # painted


def new_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="id-ID")
    page = context.new_page()
    page.bench_runs = Runs(page)
    return context, page
