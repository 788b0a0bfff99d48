"""Benchmark: many people at once against one app server process (issue 21), on loopback, bounded in count and time.

One `streamlit run server.py` on a copy of the Tuban demo warehouse (built as bench_browser.py builds it, or --db),
with an admin, a pimpinan who watches Ringkasan and one analyst per session added. The sessions are not browsers
(50 chromium pages would measure chromium on 2 cores): bench/st_client.py speaks Streamlit's own websocket protocol,
as the frontend does. Phases run one after another in the same server: N = 1 (the baseline, unless
--no-baseline), then each N of --sessions. Each session of a phase:
- connect: open the site (XSRF cookie, websocket, first run: the sign-in form); sign-in: submit the form;
- each round, twice: open a page (click it in the navigation; Ringkasan, Peta, Jelajah, Prioritas, Kelengkapan in
  turn, each session starting elsewhere), then change a filter (kecamatan and month in turn);
- open Unggah Data; upload+check: choose a one-desa PSM form (.xlsx; each session its own desa without a report
  in the month) until the page has read and checked it; then all sessions of the phase press Simpan together
  (the interesting case: saves into the same month at the same moment); save: until the success message.
A think time (uniform 0 to 2 x --think seconds) precedes each action except the save.
Timed: from the message sent (or the connection opened, or the file asked for) until the server's
script_finished of the run that shows the result. Errors (must be 0): an exception box, an error message, a message
that the store is busy or cannot be opened, a closed websocket, a run or upload that did not finish in
--action-timeout, a file not accepted, a save without its success message. Lag after a commit: from a save's
success message until the watcher's Ringkasan (rerun every --poll s, on the month saved into) first shows a total
that includes it. After the run, checks on the warehouse (through the store): see load_support.check_warehouse.
Usage: python bench/bench_load.py [--sessions 12,50] [--rounds 3] [--think 1] [--duration 600] [--timeout 1800]
       [--month 2026-11] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load_support as ls  # noqa: E402
from bench.load_farm import Farm, on_postgres  # noqa: E402
from bench.st_client import ClientError, Session  # noqa: E402
from common import fmt  # noqa: E402

# (URL path, name in the table, how the page's title starts)
PAGES = [("", "Ringkasan", "Ringkasan PMKS"), ("peta", "Peta", "Peta PMKS"), ("jelajah", "Jelajah", "Jelajah Data"),
         ("prioritas", "Prioritas", "Prioritas Intervensi"), ("kelengkapan", "Kelengkapan", "Kelengkapan Laporan")]
UNGGAH = ("unggah", "Unggah", "Unggah Laporan PSM")
ACTIONS = ["connect", "sign-in", "open page", *[f"open {t}" for _, t, _ in PAGES], "filter change", "open Unggah", "upload+check", "save"]
SAVED = re.compile(r"Tersimpan sebagai batch impor (\d+)")


@dataclass
class Ctx:
    url: str
    setup: ls.Setup
    rounds: int
    think: float
    duration: float
    timeout: float
    poll: float
    seed: int
    rec: ls.Recorder = field(default_factory=ls.Recorder)

    def expected(self) -> int:
        return self.setup.base_total + sum(s.report.total for s in self.rec.saves)


async def act(ctx: Ctx, phase: int, who: str, action: str, coro, record: bool = True):
    """Time one action until its run has finished; an error if the page shows one."""
    start = ls.now()
    run = await coro
    if record:
        ctx.rec.add(phase, action, ls.now() - start)
    run.ok = ctx.rec.check(phase, who, action, run)
    return run


async def sign_in(ctx: Ctx, s: Session, phase: int, who: str, record: bool = True) -> None:
    await act(ctx, phase, who, "connect", s.open(), record)
    run = await act(ctx, phase, who, "sign-in", s.set({"masuk_nama": who, "masuk_sandi": ls.PASSWORD}, press="submit:"), record)
    if run.widget("masuk_nama") is not None or ("unggah" not in s.pages and who != ls.OBSERVER):
        raise ClientError(f"sign-in did not open the app: {run.alerts()}")
    ctx.rec.signins += 1


def current(s: Session, key: str) -> str:
    return parse_qs(s.query_string).get(key, [""])[0]


async def change_filter(ctx: Ctx, s: Session, phase: int, who: str, index: int, k: int) -> None:
    """The k-th filter change of a session: a kecamatan (or back to all), else another month, in turn."""
    kec, month = s.last.widget("f_kec"), s.last.widget("f_periode")
    if k % 2 == 0 and kec is not None and not kec[2].disabled:
        options = list(kec[2].options)
        value = options[1 + (index * 3 + k) % (len(options) - 1)] if not current(s, "kec") else options[0]
        values = {"f_kec": value}
    elif month is not None:
        shown = current(s, "periode")
        label = fmt.bulan(date.fromisoformat(shown + "-01")) if shown else ""
        choices = [o for o in list(month[2].options)[:6] if o != label]
        values = {"f_periode": choices[(index + k) % len(choices)]}
    else:
        raise ClientError("no filter in the sidebar")
    await act(ctx, phase, who, "filter change", s.set(values))


async def open_page(ctx: Ctx, s: Session, phase: int, who: str, page: tuple, record: bool = True):
    """Click the page in the navigation; the run must be that page's, with its title."""
    path, title, heading = page
    run = await act(ctx, phase, who, f"open {title}", s.goto(path), record)
    headings = [e.heading.body for e in run.elements.values() if e.WhichOneof("type") == "heading"]
    if run.page != s.pages.get(path) or not any(h.startswith(heading) for h in headings):
        ctx.rec.error(phase, who, f"open {title}", f"not the page asked for: {headings[:3]}")
    return run


async def one_round(ctx: Ctx, s: Session, phase: int, index: int, r: int, report: ls.Report, rng) -> bool:
    """Two pages with a filter change each, then Unggah Data and the file checked; True when it can be saved."""
    who = ls.analyst(index + 1)
    for step in range(2):
        await asyncio.sleep(ls.wait_seconds(rng, ctx.think))
        await open_page(ctx, s, phase, who, PAGES[(index + 2 * r + step) % len(PAGES)])
        await asyncio.sleep(ls.wait_seconds(rng, ctx.think))
        await change_filter(ctx, s, phase, who, index, 2 * r + step)
    await asyncio.sleep(ls.wait_seconds(rng, ctx.think))
    await open_page(ctx, s, phase, who, UNGGAH)
    await asyncio.sleep(ls.wait_seconds(rng, ctx.think))
    run = await act(ctx, phase, who, "upload+check", s.upload("unggah_berkas_", report.name(), report.data(ctx.setup.month), ls.XLSX))
    button = run.widget("unggah_simpan")
    if button is None or button[2].disabled or not any(t.startswith("Akan disimpan: 1 berkas") for t in run.texts()):
        ctx.rec.error(phase, who, "upload+check", f"file not accepted: {[t[:120] for t in run.texts()[-4:]]}")
        return False
    return True


async def analyst_session(ctx: Ctx, phase: int, index: int, reports: list, gate: ls.Gate) -> None:
    who = ls.analyst(index + 1)
    rng = random.Random(ctx.seed * 100_000 + phase * 100 + index)
    s = Session(ctx.url, ctx.timeout)
    step = "connect"
    try:
        await asyncio.sleep(ls.wait_seconds(rng, ctx.think))
        await sign_in(ctx, s, phase, who)
        for r in range(len(reports)):
            step = f"round {r + 1}"
            ready = await one_round(ctx, s, phase, index, r, reports[r], rng)
            step = "save"
            go_on = await gate.wait()
            if ready:
                ctx.rec.tried[phase] += 1
                run = await act(ctx, phase, who, "save", s.set(press="unggah_simpan"))
                found = [m for t in run.alerts() if (m := SAVED.search(t))]
                if found:
                    ctx.rec.saves.append(ls.Save(phase, index, reports[r], int(found[0].group(1)), ls.now()))
                elif run.ok:  # no error shown, and no success either
                    ctx.rec.error(phase, who, "save", f"no success message: {[t[:120] for t in run.alerts()]}")
            if not go_on:
                break
        return
    except Exception as exc:  # any failure ends the session and counts as an error
        ctx.rec.error(phase, who, step, f"session ended: {exc}")
    finally:
        ctx.rec.bytes[phase] += s.received
        await s.close()
    await gate.leave()


def shown_total(s: Session, run, month: date) -> int | None:
    """The kabupaten total Ringkasan shows for `month` (0 when the month has no report yet), None for another month."""
    if current(s, "periode") != f"{month:%Y-%m}":
        labels = list(run.widget("f_periode")[2].options) if run.widget("f_periode") else []
        return 0 if fmt.bulan(month) not in labels else None
    value = run.metric("Total PMKS (jiwa)")
    return int(value.replace(".", "")) if value else 0


async def watcher(ctx: Ctx, phase: int, stop: asyncio.Event, ready: asyncio.Event) -> None:
    """The pimpinan on Ringkasan, rerun every --poll seconds on the month saved into; what each run showed goes to
    rec.seen. After `stop`, it goes on until it has shown every save (at most 60 s)."""
    s, label, give_up = Session(ctx.url, ctx.timeout), fmt.bulan(ctx.setup.month), None
    try:
        await sign_in(ctx, s, phase, ls.OBSERVER, record=False)
        while True:
            month = s.last.widget("f_periode")
            if month and label in month[2].options and current(s, "periode") != f"{ctx.setup.month:%Y-%m}":
                run = await act(ctx, phase, ls.OBSERVER, "watch", s.set({"f_periode": label}), record=False)
            else:
                run = await act(ctx, phase, ls.OBSERVER, "watch", s.rerun(), record=False)
            total = shown_total(s, run, ctx.setup.month)
            if total is not None:
                ctx.rec.seen.append((phase, ls.now(), total))
                ready.set()
            if stop.is_set():
                if total is not None and total >= ctx.expected():
                    break
                give_up = give_up or ls.now() + 60
                if ls.now() > give_up:
                    ctx.rec.error(phase, ls.OBSERVER, "watch", f"Ringkasan never showed the total {ctx.expected()} (last {total})")
                    break
            await asyncio.sleep(ctx.poll)
    except Exception as exc:  # any failure ends the session and counts as an error
        ctx.rec.error(phase, ls.OBSERVER, "watch", f"session ended: {exc}")
    finally:
        ready.set()
        await s.close()


async def warm_up(ctx: Ctx) -> None:
    """One untimed pass over the pages and Unggah Data (imports, caches), so that the baseline is not a cold start."""
    s = Session(ctx.url, ctx.timeout)
    try:
        await sign_in(ctx, s, 0, ls.analyst(1), record=False)
        for page in [*PAGES, UNGGAH]:
            await open_page(ctx, s, 0, ls.analyst(1), page, record=False)
    except Exception as exc:  # any failure ends the session and counts as an error
        ctx.rec.error(0, ls.analyst(1), "warm-up", f"session ended: {exc}")
    finally:
        await s.close()


async def run_phase(ctx: Ctx, server, n: int, start: int) -> ls.Phase:
    reports = ls.deal(ctx.setup, n, ctx.rounds, start)
    stop, ready = asyncio.Event(), asyncio.Event()
    watch = asyncio.create_task(watcher(ctx, n, stop, ready))
    await ready.wait()
    result, deadline, done = ls.Phase(n), ls.now() + ctx.duration, [0]

    def another_round() -> bool:
        done[0] += 1
        return done[0] < ctx.rounds and ls.now() < deadline

    gate = ls.Gate(n, another_round)
    cpu0, client0, start_time = server.cpu() if server else 0.0, ls.client_cpu(), ls.now()
    print(f"phase N={n}: {n} sessions ...", file=sys.stderr, flush=True)
    await asyncio.gather(*(analyst_session(ctx, n, i, reports[i], gate) for i in range(n)))
    result.wall, result.rounds = ls.now() - start_time, done[0]
    result.server_cpu, result.client_cpu = (server.cpu() - cpu0) if server else 0.0, ls.client_cpu() - client0
    stop.set()
    await watch
    return result


@dataclass
class LoadResult:
    ctx: Ctx
    phases: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    timed_out: bool = False
    load: tuple = ()
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


async def run_phases(ctx: Ctx, server, phases: list[int], warm: bool, out: LoadResult) -> None:
    if warm:
        await warm_up(ctx)
    start = 0
    for n in phases:
        out.phases.append(await run_phase(ctx, server, n, start))
        start += n * ctx.rounds


def run_load(db: Path | str, phases: list[int], *, rounds: int = 3, think: float = 1.0, duration: float = 600, timeout: float = 1800,
             action_timeout: float = 120, poll: float = 0.25, month: date | None = None, seed: int = 42, warm: bool = True,
             log: Path | None = None, servers: int = 1) -> LoadResult:
    """Add the users, start the server on `db` (changed: pass a copy; a PostgreSQL URL with `servers` app processes
    behind nginx), run the phases, check the warehouse."""
    from bench.browser_support import Server

    month = month or ls.previous_month(date.today())
    setup = ls.prepare(db, month, max(phases), seed)
    needed = sum(phases) * rounds
    if needed > len(setup.free):
        raise SystemExit(f"{needed} saves need as many desa without a report in {month:%Y-%m}; only {len(setup.free)}: "
                         "lower --rounds or --sessions, or pick another --month")
    log = log or Path(tempfile.mkdtemp(prefix="bench_load_log_")) / "app.log"
    env = {**{k: v for k, v in os.environ.items() if k not in ("PMKS_DB", "PMKS_DATABASE_URL")},
           "PMKS_USERS_FILE": str(log.parent / "tidak_ada.toml"), "PMKS_DB" if isinstance(db, Path) else "PMKS_DATABASE_URL": str(db)}
    load_start = os.getloadavg()[0]
    server = Server("server.py", env, log) if servers == 1 else Farm(env, log, servers)
    try:
        ctx = Ctx(server.url, setup, rounds, think, duration, action_timeout, poll, seed)
        out = LoadResult(ctx)
        try:
            asyncio.run(asyncio.wait_for(run_phases(ctx, server, phases, warm, out), timeout))
        except TimeoutError:
            out.timed_out = True
            ctx.rec.error(0, "bench", "run", f"hard timeout {timeout:g} s: stopped")
        out.failures = ls.check_warehouse(db, setup, ctx.rec)  # while the server still holds the file
    finally:
        server.stop()  # also on Ctrl-C or SIGTERM (main turns it into KeyboardInterrupt)
    out.load = (load_start, os.getloadavg()[0])
    return out


def print_report(out: LoadResult, args_line: str) -> None:
    from bench.bench_browser import machine

    rec, setup = out.ctx.rec, out.ctx.setup
    import streamlit

    print(f"Load benchmark {out.started:%Y-%m-%d %H:%M}-{datetime.now(timezone.utc):%H:%M} UTC: streamlit {streamlit.__version__}, loopback; "
          f"{args_line}")
    print(f"Machine: {machine()}; load average {out.load[0]:.1f} at the start, {out.load[1]:.1f} at the end")
    print(f"Saves into {fmt.bulan(setup.month)} (kabupaten total before: {setup.base_total}); client: bench/st_client.py")
    print(f"{'action':<18}{'N':>4}{'count':>7}{'p50 s':>8}{'p95 s':>8}{'max s':>8}{'p50/N=1':>9}{'p95/N=1':>9}")
    base = out.phases[0].n if out.phases else None
    for action in ACTIONS:
        label = action
        for phase in out.phases:
            values = samples(rec, phase.n, action)
            q, q1 = ls.quantiles(values), ls.quantiles(samples(rec, base, action))
            if q is None:
                continue
            ratio = [q[j] / q1[j] if q1 and q1[j] else None for j in (0, 1)]
            print(f"{label:<18}{phase.n:>4}{len(values):>7}{ls.cell(q[0])}{ls.cell(q[1])}{ls.cell(q[2])}"
                  f"{ls.cell(ratio[0], 9, 1)}{ls.cell(ratio[1], 9, 1)}")
            label = ""
    for phase in out.phases:
        lag, missing = ls.lags(rec, setup, phase.n)
        q = ls.quantiles(lag) or (None, None, None)
        errors = sum(1 for e in rec.errors if e[0] == phase.n)
        print(f"N={phase.n}: errors {errors}; saves {sum(1 for s in rec.saves if s.phase == phase.n)} of {rec.tried[phase.n]}; lag after a commit p50 "
              f"{ls.cell(q[0], 0)} s, p95 {ls.cell(q[1], 0)} s, max {ls.cell(q[2], 0)} s ({missing} never shown); rounds {phase.rounds}; "
              f"wall {phase.wall:.0f} s; server CPU {phase.server_cpu:.0f} s; client CPU {phase.client_cpu:.0f} s; "
              f"websocket {rec.bytes[phase.n] / 1e6:.1f} MB")
        for line in rec.summary(phase.n):
            print(f"  {line}")
    other = [e for e in rec.errors if e[0] not in {p.n for p in out.phases}]
    print(f"Errors outside the phases: {len(other)}; invariants: " + ("all hold" if not out.failures else "FAILED"))
    for text in out.failures:
        print(f"  invariant failed: {text}")
    if out.timed_out:
        print("TIMED OUT: the run was stopped by --timeout")


def samples(rec: ls.Recorder, phase: int | None, action: str) -> list:
    if action == "open page":
        return [v for _, t, _ in PAGES for v in rec.samples.get((phase, f"open {t}"), [])]
    return rec.samples.get((phase, action), [])


def stopped(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    from bench.browser_support import build_db

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", default="12,50", help="comma-separated N, after the N=1 baseline")
    ap.add_argument("--no-baseline", action="store_true", help="skip the N=1 phase")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per session (each: 2 pages, 2 filter changes, 1 save)")
    ap.add_argument("--duration", type=float, default=600, help="seconds per phase after which no new round starts")
    ap.add_argument("--timeout", type=float, default=1800, help="hard limit of the whole run, seconds")
    ap.add_argument("--action-timeout", type=float, default=120, help="seconds one action may take before it is an error")
    ap.add_argument("--think", type=float, default=1.0, help="mean think time before an action, seconds")
    ap.add_argument("--poll", type=float, default=0.25, help="seconds between the watcher's Ringkasan reruns")
    ap.add_argument("--month", help="YYYY-MM the files report (default: last month)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--db", type=Path, help="a warehouse to copy (default: the Tuban demo, built into a temp dir)")
    ap.add_argument("--postgres", action="store_true",
                    help="move the warehouse into PostgreSQL (a throwaway cluster, tests/pgcluster.py) and serve it from --servers processes")
    ap.add_argument("--servers", type=int, default=1, help="app processes (with --postgres; more than one: behind nginx)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, stopped)
    sessions = [int(n) for n in args.sessions.split(",") if n.strip()]
    if not sessions or min(sessions) < 1 or max(sessions) > 100:
        ap.error("--sessions: between 1 and 100 each")
    phases = sessions if args.no_baseline else [1] + [n for n in sessions if n != 1]
    month = date.fromisoformat(args.month + "-01") if args.month else None
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp_name:
        tmp = Path(tmp_name)
        if args.db:
            db = tmp / "pmks.duckdb"
            shutil.copy(args.db, db)
        else:
            db = build_db(tmp)
        cluster, db = on_postgres(db) if args.postgres else (None, db)  # --servers N: N processes on PostgreSQL
        try:
            out = run_load(db, phases, rounds=args.rounds, think=args.think, duration=args.duration, timeout=args.timeout,
                           action_timeout=args.action_timeout, poll=args.poll, month=month, seed=args.seed, log=tmp / "app.log",
                           servers=args.servers if args.postgres else 1)
        finally:
            cluster and cluster.stop()
        where = f"PostgreSQL, {args.servers} app processes" if args.postgres else "embedded DuckDB file, one app process"
        print_report(out, f"{where}; phases N={','.join(map(str, phases))}, {args.rounds} rounds, think 0-{2 * args.think:g} s, seed {args.seed}")
        if out.ctx.rec.errors or out.failures or out.timed_out:
            print(f"server log: {(tmp / 'app.log').read_text()[-3000:]}")
            sys.exit(1)


if __name__ == "__main__":
    start = time.time()
    main()
    print(f"({time.time() - start:.0f} s)", file=sys.stderr)
