"""Benchmark: what a user waits for in a real browser, page by page, beside a bare one-chart Streamlit app.

Debian chromium driven by Playwright against two Streamlit servers started by this script: the app
(`streamlit run server.py`, demo mode, on the Tuban demo warehouse built as scripts/run.sh builds it, or --db)
and a bare app (st.title + one plotly line chart + a selectbox) served the same way from a temp dir. For each page:
- first render: a new browser context, goto the page's URL, until the script state is 'notRunning', no
  stSkeleton is left and every plotly chart element holds a drawn `.js-plotly-plot .main-svg';
- filter change: pick the first kecamatan in the sidebar's Kecamatan box (bare app: its selectbox), until the
  server has reported a new script run finished (script_finished on the websocket) and the page is idle again;
- page switch: click this page in the sidebar nav, coming from the page before it in the list (and back from
  the page after it), until idle;
- server CPU per view: user+sys CPU of the server's processes (/proc/<pid>/stat) from goto until 0,3 s after
  the first render is idle (static files, session start, script run, messages);
- websocket: KB and messages the server sent to the browser during one first render (Playwright framereceived);
  figures: KB of JSON of the plotly figures drawn (data + layout as held by the browser), charts: their number;
  boot: seconds from goto until the first websocket frame (HTML and JS loaded, session open); ws done: until
  the last frame of the first render (the rest is drawing); HTTP KB: what the browser fetched over HTTP.
Goto to the first frame is the frontend starting, ws done - boot the server's run, first - ws done drawing.
One untimed pass over all pages first fills the app's caches (its "cold" first render is printed too: a fresh
server, or the first view after an import, since the cache key holds the file's mtime); the table shows medians
of --repeat passes. Goals of issue 13: first render <= 1,3x bare; filter change <= 3x bare; any page switch
<= 1 s; server CPU per view <= 1,3x bare.
Usage: python bench/bench_browser.py [--repeat 5] [--pages ringkasan,peta,...|all] [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.browser_support import (  # noqa: E402
    BARE_APP,
    FIGURES_JS,
    HTTP_JS,
    Samples,
    Server,
    build_db,
    new_page,
    wait_idle,
)

REPO = Path(__file__).resolve().parent.parent
RAW = REPO.parent / "shared" / "reference" / "raw"
# (key, URL path, nav title); the first seven are the data pages of issue 13, the last three need no data
PAGES = [("ringkasan", "", "Ringkasan"), ("peta", "peta", "Peta"), ("jelajah", "jelajah", "Jelajah Data"),
         ("profil", "profil", "Profil Wilayah"), ("prioritas", "prioritas", "Prioritas Intervensi"),
         ("kelengkapan", "kelengkapan", "Kelengkapan Laporan"), ("tentang", "tentang", "Tentang Data"),
         ("unggah", "unggah", "Unggah Data"), ("riwayat", "riwayat", "Riwayat Impor"),
         ("pengaturan", "pengaturan", "Pengguna & Pengaturan")]
DEFAULT_PAGES = "ringkasan,peta,jelajah,profil,prioritas,kelengkapan,tentang"
GOALS = {"first": 1.3, "filter": 3.0, "switch": 1.0, "cpu": 1.3}


















def first_render(browser, server: Server, path: str, s: Samples | None):
    """Open path in a new context; record time, server CPU and websocket traffic; return (context, page, seconds)."""
    context, page = new_page(browser)
    frames = page.bench_runs.frames
    cpu0 = server.cpu()
    start = time.perf_counter()
    try:
        page.goto(f"{server.url}/{path}")
        wait_idle(page, page.bench_runs, 0)
    except BaseException:
        context.close()
        raise
    elapsed = time.perf_counter() - start
    if s is not None:
        s.first.append(elapsed)
        s.ws_kb.append(sum(n for _, n in frames) / 1024)
        s.ws_msgs.append(len(frames))
        s.ws_done.append(max((t for t, _ in frames), default=start) - start)
        s.boot.append(min((t for t, _ in frames), default=start) - start)
        s.http_kb.append(page.evaluate(HTTP_JS) / 1024)
        s.fig_kb.append(page.evaluate(FIGURES_JS) / 1024)
        s.charts.append(page.locator("[data-testid='stPlotlyChart']").count())
        time.sleep(0.3)  # let the server finish what follows the run (last messages, cache bookkeeping)
        s.cpu.append(server.cpu() - cpu0)
    return context, page, elapsed


def change_select(page, box) -> float:
    """Open a selectbox, then time picking its second option (the first kecamatan) until idle."""
    box.click()
    option = page.locator("[role='option']").nth(1)
    option.wait_for(state="visible", timeout=30_000)
    before = page.bench_runs.finished
    start = time.perf_counter()
    option.click()
    wait_idle(page, page.bench_runs, before)
    return time.perf_counter() - start


def switch_to(page, title: str) -> float:
    link = page.locator("[data-testid='stSidebarNav'] a").filter(has_text=title).first
    before = page.bench_runs.finished
    start = time.perf_counter()
    link.click()
    wait_idle(page, page.bench_runs, before)
    return time.perf_counter() - start


def diagnose(page) -> str:
    """What kept a page from being idle: script state, runs seen, skeletons, charts drawn."""
    if page is None:
        return "first render"
    try:
        return page.evaluate("""() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const charts = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
            return `state ${app && app.getAttribute('data-test-script-state')}, `
                + `skeletons ${document.querySelectorAll('[data-testid="stSkeleton"]').length}, `
                + `charts drawn ${charts.filter(c => c.querySelector('.js-plotly-plot .main-svg')).length}/${charts.length}`;
        }""") + f", runs finished {page.bench_runs.finished}"
    except Exception as e:  # noqa: BLE001 - a diagnosis must not fail the run
        return f"no diagnosis: {e}"


def pass_app(browser, server: Server, pages: list, results: dict, timed: bool) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for i, (key, path, title) in enumerate(pages):
        s = results[key]
        nxt = pages[(i + 1) % len(pages)]
        context, page, elapsed = None, None, None
        step = "first render"
        try:
            context, page, elapsed = first_render(browser, server, path, s if timed else None)
            if not timed:
                s.cold = elapsed
            if len(pages) > 1:
                step = f"switch to {nxt[2]}"
                t = switch_to(page, nxt[2])
                if timed:
                    results[nxt[0]].switch.append(t)
                step = "switch back"
                t = switch_to(page, title)
                if timed:
                    s.switch.append(t)
            kec = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Kecamatan")
            if kec.count():
                step = "filter change"
                t = change_select(page, kec.first)
                if timed:
                    s.filter.append(t)
            if page.locator("[data-testid='stException']").count():
                raise SystemExit(f"{title}: the page shows an exception")
        except PlaywrightTimeout:  # a loaded machine may stall one step: note it, keep the other samples
            FAILURES.append(f"{title}: {step} ({diagnose(page)})")
            print(f"timeout: {title}: {step}", file=sys.stderr, flush=True)
        finally:
            if context is not None:
                context.close()


def pass_bare(browser, server: Server, s: Samples, timed: bool) -> None:
    context, page, elapsed = first_render(browser, server, "", s if timed else None)
    if not timed:
        s.cold = elapsed
    t = change_select(page, page.locator("[data-testid='stSelectbox']").first)
    if timed:
        s.filter.append(t)
    context.close()


def machine() -> str:
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {model}"


def med(values: list) -> float | None:
    return statistics.median(values) if values else None


def num(value: float | None, width: int, digits: int = 2) -> str:
    text = "–" if value is None else f"{value:.{digits}f}".replace(".", ",")
    return f"{text:>{width}}"


def print_table(pages: list, results: dict, bare: Samples, repeat: int) -> None:
    b_first, b_filter, b_cpu = med(bare.first), med(bare.filter), med(bare.cpu)
    cols = [("page", 22), ("first s", 9), ("x bare", 8), ("filter s", 9), ("x bare", 8), ("switch s", 9), ("CPU/view s", 11),
            ("x bare", 8), ("ws KB", 8), ("cold s", 8), ("boot s", 8), ("ws done s", 10), ("msgs", 6), ("charts", 7), ("fig KB", 8),
            ("HTTP KB", 9)]
    print(f"Medians of {repeat} runs (cold: the untimed first pass, one run); chromium {BROWSER_VERSION}, streamlit {ST_VERSION}")
    print("".join(f"{name:<{w}}" if i == 0 else f"{name:>{w}}" for i, (name, w) in enumerate(cols)))

    def row(name, s: Samples, ratios: bool):
        f, fl, c = med(s.first), med(s.filter), med(s.cpu)
        out = f"{name:<22}" + num(f, 9) + num(f / b_first if ratios and f else None, 8, 1)
        out += num(fl, 9) + num(fl / b_filter if ratios and fl else None, 8, 1)
        out += num(med(s.switch), 9)
        out += num(c, 11) + num(c / b_cpu if ratios and c else None, 8, 1)
        out += num(med(s.ws_kb), 8, 0) + num(s.cold, 8) + num(med(s.boot), 8) + num(med(s.ws_done), 10)
        out += num(med(s.ws_msgs), 6, 0) + num(med(s.charts), 7, 0) + num(med(s.fig_kb), 8, 0) + num(med(s.http_kb), 9, 0)
        print(out)

    for key, _, title in pages:
        row(title, results[key], True)
    row("bare one-chart app", bare, False)
    print("switch s: median of the 2 x --repeat switches into the page (from the page before it in the list and back from the"
          " page after it).\nboot s: goto until the first websocket frame (HTML and JS loaded, session open); ws done: goto until"
          " the last frame (the rest of 'first s' is drawing); msgs: websocket frames; fig KB: JSON of the drawn figures;"
          "\nHTTP KB: bytes of HTML, JS, CSS and fonts over HTTP (a new context has an empty cache).")
    met = []
    firsts = [med(results[k].first) / b_first for k, _, _ in pages]
    filters = [med(results[k].filter) / b_filter for k, _, _ in pages if results[k].filter]
    switches = [med(results[k].switch) for k, _, _ in pages if results[k].switch]
    cpus = [med(results[k].cpu) / b_cpu for k, _, _ in pages if b_cpu]
    for label, values, goal, unit in (("first render", firsts, GOALS["first"], "x bare"), ("filter change", filters, GOALS["filter"], "x bare"),
                                      ("page switch", switches, GOALS["switch"], "s"), ("server CPU per view", cpus, GOALS["cpu"], "x bare")):
        if values:
            worst = max(values)
            ok = sum(v <= goal for v in values)
            met.append(f"{label} <= {goal:g} {unit}: {ok} of {len(values)} pages (worst {worst:.1f})".replace(".", ","))
    print("Goals of issue 13: " + "; ".join(met))


BROWSER_VERSION = ST_VERSION = "?"
INTERRUPTED = False
FAILURES: list[str] = []


def interrupted(signum, frame) -> None:
    global INTERRUPTED
    INTERRUPTED = True
    raise KeyboardInterrupt


def main() -> None:
    global BROWSER_VERSION, ST_VERSION
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pages", default=DEFAULT_PAGES, help=f"comma-separated keys ({','.join(k for k, _, _ in PAGES)}) or 'all'")
    ap.add_argument("--db", type=Path, help="an existing warehouse (default: the Tuban demo, built into a temp dir)")
    ap.add_argument("--script", default="server.py", help="what `streamlit run` serves (server.py; app.py without the HTTP guard)")
    args = ap.parse_args()
    wanted = [k for k, _, _ in PAGES] if args.pages == "all" else [k.strip() for k in args.pages.split(",") if k.strip()]
    unknown = set(wanted) - {k for k, _, _ in PAGES}
    if unknown:
        ap.error(f"unknown pages: {', '.join(sorted(unknown))}")
    pages = [p for k in wanted for p in PAGES if p[0] == k]
    signal.signal(signal.SIGINT, interrupted)  # Ctrl-C and kill: the finally blocks below stop both servers
    signal.signal(signal.SIGTERM, interrupted)

    import streamlit
    from playwright.sync_api import sync_playwright

    ST_VERSION = streamlit.__version__
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}".replace(".", ","), flush=True)
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="bench_browser_") as tmp_name:
        tmp = Path(tmp_name)
        try:
            db = args.db.resolve() if args.db else build_db(tmp)
            env = {**os.environ, "PMKS_DB": str(db), "PMKS_USERS_FILE": str(tmp / "pengguna.toml")}  # no users: demo mode
            (tmp / "bare.py").write_text(BARE_APP)
            servers.append(Server(args.script, env, tmp / "app.log"))
            servers.append(Server(str(tmp / "bare.py"), env, tmp / "bare.log"))  # same cwd, so the same .streamlit/config.toml
            app, bare_server = servers
            results = {k: Samples() for k, _, _ in pages}
            bare = Samples()
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                          "--disable-sync", "--no-first-run", "--disable-quic"])
                BROWSER_VERSION = browser.version
                try:
                    for n in range(args.repeat + 1):  # pass 0 warms the caches
                        pass_bare(browser, bare_server, bare, n > 0)
                        pass_app(browser, app, pages, results, n > 0)
                        print(f"pass {n}/{args.repeat} done", file=sys.stderr, flush=True)
                finally:
                    browser.close()
            idle = []
            for server in (app, bare_server):
                cpu0 = server.cpu()
                time.sleep(2)
                idle.append((server.cpu() - cpu0) / 2)
            print_table(pages, results, bare, args.repeat)
            if FAILURES:
                print(f"Timed out (no sample, 120 s): {'; '.join(FAILURES)}")
            print(f"Idle server CPU (no browser open): app {idle[0]:.3f}, bare {idle[1]:.3f} s per s; "
                  f"load average at the end {os.getloadavg()[0]:.1f}".replace(".", ","))
        finally:
            for server in servers:
                server.stop()


if __name__ == "__main__":
    try:
        main()
    except BaseException:
        if not INTERRUPTED:  # Ctrl-C also ends Playwright's driver: its errors are only noise then
            raise
        print("interrupted; both servers stopped", file=sys.stderr, flush=True)
        os._exit(130)
