"""Benchmark: 50 PSM sessions entering and sending their monthly report at once on one app process (issue 25),
on loopback, bounded in count and time, beside a bare Streamlit app of the same shape in the same run.

Two servers, one after the other, each with N sessions at once speaking Streamlit's own websocket protocol
(bench/st_client.py, as bench/bench_load.py; no browsers, which would measure chromium on 2 cores):
- bare: `streamlit run bench/lapor_bare_app.py`, a page of the same shape as Lapor Bulanan (22 rows of two number
  inputs and a note, a copy button, a send button) that keeps everything in the session and touches no store;
- lapor: `streamlit run server.py` on a copy of the Tuban demo warehouse (history until October 2026; built as
  bench_browser.py builds it, or --db), the real page `pages/lapor_bulanan.py`. One PSM account per session, each for its
  own desa (one with a complete report last month whose copy and edits raise no problem), and the setting "count
  every sent report", so every Kirim also publishes the report and refreshes the marts.
Each session: connect (and sign in, on the app), press "Salin dari bulan lalu", change --values values one by one
(each saved as a draft at once by the page), press "Kirim". A think time (uniform 0 to 2 x --think s) precedes
each action. Timed: from the message sent until the server's script_finished of the run showing the result.
Errors (must be 0): an exception box, an error message, a busy store, a closed websocket, an action over
--action-timeout, a Kirim without its success message. After the run, through the store: every desa's report is
sent once with exactly the values entered (versi = one per change), its audit rows are exactly one copy, --values
saves, one send and no conflict, exactly one web report per desa is active in `laporan` with those values, and
the kabupaten's monthly total in the marts grew by exactly their sum: nothing lost, nothing duplicated.
Usage: python bench/bench_lapor.py [--sessions 50] [--values 6] [--think 1] [--timeout 1200] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load_support as ls  # noqa: E402
from bench.st_client import ClientError, Session  # noqa: E402

ACTIONS = ["connect", "sign-in", "copy", "save value", "send"]
BARE_CODES = [f"I{n:02d}" for n in range(22)]


@dataclass
class Plan:
    login: str
    desa: str
    values: list  # (kode_indikator, L typed)
    expected: dict  # kode_indikator -> (L, P) after the session
    total: int


@dataclass
class Result:
    samples: dict = field(default_factory=lambda: defaultdict(list))  # (app, action) -> seconds
    errors: list = field(default_factory=list)  # (app, who, action, text)
    wall: dict = field(default_factory=dict)
    cpu: dict = field(default_factory=dict)
    sent: int = 0

    def error(self, app: str, who: str, action: str, text: str) -> None:
        self.errors.append((app, who, action, text))
        print(f"  error {app} {who} {action}: {text}", file=sys.stderr, flush=True)


def prepare(db: Path, sessions: int, values: int, seed: int, today: date) -> tuple[date, list[Plan], int]:
    """Add the admin and one PSM per session (each its own desa), count every sent report; returns the month entered,
    the plans and the kabupaten's total of that month before the run."""
    import lapor
    from accounts import store as accounts
    from accounts.users import User
    from lapor import read
    from lapor.model import Row
    from store import close_all, open_store

    store = open_store(db)
    month = ls.previous_month(today)
    accounts.save_user(store, ls.ADMIN, ls.ADMIN, "admin", "", ls.PASSWORD, "bench_lapor")
    lapor.save_settings(store, User(ls.ADMIN, ls.ADMIN, "admin"), 20, lapor.COUNT_SENT)
    plans: list[Plan] = []
    with store.read() as con:
        names = dict(read.indicators(con))
        desa = [r[0] for r in con.execute("""
            select l.kode_desa from laporan l join laporan_nilai n on n.laporan_id = l.id
            where l.aktif and l.periode = ? and n.laki_laki is not null and n.perempuan is not null
            group by 1 having count(*) = ? order by 1""", [read.months_back(month, 1), len(names)]).fetchall()]
        already = {r[0] for r in con.execute("select kode_desa from laporan where aktif and periode = ?", [month]).fetchall()}
        random.Random(seed).shuffle(desa)
        for kode in desa:
            if kode in already:
                continue
            last, history = read.last_report(con, kode, month), read.history(con, kode, month)
            rows = {k: Row(k, n, last[k][0], last[k][1], "", history.get(k)) for k, n in names.items()}
            if any(r.jauh for r in rows.values()):
                continue
            typed = [(k, int(r.laki_laki or 0) + 1) for k, r in rows.items()
                     if not Row(k, r.nama, int(r.laki_laki or 0) + 1, r.perempuan, "", r.riwayat).jauh][:values]
            if len(typed) < values:
                continue
            expected = {k: (r.laki_laki, r.perempuan) for k, r in rows.items()} | {k: (v, rows[k].perempuan) for k, v in typed}
            plans.append(Plan(f"psm{len(plans) + 1:02d}", kode, typed, expected, sum(a + b for a, b in expected.values())))
            if len(plans) == sessions:
                break
        base = ls.month_total(con, month)
    if len(plans) < sessions:
        raise SystemExit(f"only {len(plans)} desa fit (a complete report last month, no report in {month:%Y-%m}); lower --sessions")
    for plan in plans:
        accounts.save_user(store, plan.login, f"PSM {plan.login}", "psm", "", ls.PASSWORD, "bench_lapor", desa=plan.desa)
    close_all()  # the server process opens the file next
    return month, plans, base


async def act(res: Result, app: str, who: str, action: str, coro):
    start = ls.now()
    run = await coro
    res.samples[(app, action)].append(ls.now() - start)
    problems = run.errors()
    if problems:
        res.error(app, who, action, " | ".join(problems))
    return run


async def session(res: Result, url: str, app: str, index: int, plan: Plan | None, think: float, timeout: float, seed: int,
                  values: int) -> None:
    """One PSM: (sign in,) copy last month, change the values one by one, send."""
    rng = random.Random(seed * 1000 + index)
    who = plan.login if plan else f"bare{index:02d}"
    s = Session(url, timeout)
    try:
        await asyncio.sleep(ls.wait_seconds(rng, think))
        run = await act(res, app, who, "connect", s.open())
        if plan is not None:
            run = await act(res, app, who, "sign-in", s.set({"masuk_nama": plan.login, "masuk_sandi": ls.PASSWORD}, press="submit:"))
        if run.widget("lapor_salin") is None:
            raise ClientError(f"the form did not open: {run.alerts()[:2]}")
        await asyncio.sleep(ls.wait_seconds(rng, think))
        await act(res, app, who, "copy", s.set(press="lapor_salin"))
        typed = plan.values if plan else [(BARE_CODES[n], 5 + n) for n in range(values)]
        for kode, value in typed:
            await asyncio.sleep(ls.wait_seconds(rng, think))
            await act(res, app, who, "save value", s.set({f"lapor_L_{kode}": value}))
        await asyncio.sleep(ls.wait_seconds(rng, think))
        run = await act(res, app, who, "send", s.set(press="lapor_kirim"))
        if any("terkirim" in a for a in run.alerts()):
            res.sent += app == "lapor"
        else:
            res.error(app, who, "send", f"no success message: {[t[:120] for t in run.texts()[-4:]]}")
    except (ClientError, TimeoutError) as exc:
        res.error(app, who, "session", str(exc))
    finally:
        await s.close()


async def phase(res: Result, server, app: str, plans: list, think: float, timeout: float, seed: int, values: int) -> None:
    cpu, start = server.cpu(), time.perf_counter()
    await asyncio.gather(*(session(res, server.url, app, i, p, think, timeout, seed, values) for i, p in enumerate(plans)))
    res.wall[app], res.cpu[app] = time.perf_counter() - start, server.cpu() - cpu


def check_store(db: Path, month: date, plans: list[Plan], values: int, base: int) -> list[str]:
    """Nothing lost, nothing duplicated: the checks of the module docstring, through the store."""
    from store import open_store

    failures = []
    with open_store(db).read() as con:
        for plan in plans:
            target = f"{plan.desa} {month:%Y-%m}"
            state = con.execute("select status, versi from lapor where kode_desa = ? and periode = ?", [plan.desa, month]).fetchall()
            if state != [("dikirim", values + 2)]:
                failures.append(f"{plan.login}: workflow row {state}, expected [('dikirim', {values + 2})]")
            stored = {r[0]: (r[1], r[2]) for r in con.execute(
                "select kode_indikator, laki_laki, perempuan from lapor_nilai where kode_desa = ? and periode = ?", [plan.desa, month]).fetchall()}
            if stored != plan.expected:
                failures.append(f"{plan.login}: draft values differ from those entered")
            audit = dict(con.execute("select aksi, count(*) from audit where objek = ? and aksi like 'lapor%' group by 1", [target]).fetchall())
            if audit != {"lapor_salin": 1, "lapor_simpan": values, "lapor_dikirim": 1, "lapor_terbit": 1}:
                failures.append(f"{plan.login}: audit rows {audit}")
            reports = con.execute("""select l.id, b.jenis from laporan l join impor_batch b on b.id = l.batch_id
                                     where l.kode_desa = ? and l.periode = ? and l.aktif""", [plan.desa, month]).fetchall()
            if len(reports) != 1 or reports[0][1] != "web":
                failures.append(f"{plan.login}: active reports {reports}")
                continue
            published = {r[0]: (r[1], r[2]) for r in con.execute(
                "select kode_indikator, laki_laki, perempuan from laporan_nilai where laporan_id = ?", [reports[0][0]]).fetchall()}
            if published != plan.expected:
                failures.append(f"{plan.login}: published values differ from those entered")
        total = ls.month_total(con, month)
    if total != base + sum(p.total for p in plans):
        failures.append(f"kabupaten total of {month:%Y-%m} in the marts {total}, expected {base} + {sum(p.total for p in plans)}")
    return failures


def run(db: Path, sessions: int, values: int, think: float, timeout: float, action_timeout: float, seed: int, log: Path):
    from bench.browser_support import Server

    month, plans, base = prepare(db, sessions + 1, values, seed, date.today())  # the last one warms the server up
    env = {**{k: v for k, v in os.environ.items() if k not in ("PMKS_DB", "PMKS_DATABASE_URL")},
           "PMKS_USERS_FILE": str(log.parent / "tidak_ada.toml"), "PMKS_DB": str(db)}
    res = Result()
    load_start = os.getloadavg()[0]
    for app, script in (("bare", "bench/lapor_bare_app.py"), ("lapor", "server.py")):
        server = Server(script, env, log.with_name(f"{app}.log"))
        try:
            # one session first, not in the table, so that both servers have loaded their modules
            warm = Result()
            asyncio.run(asyncio.wait_for(phase(warm, server, app, [None] if app == "bare" else plans[-1:], 0, action_timeout, seed, values),
                                         timeout))
            res.errors += warm.errors
            res.sent += warm.sent
            asyncio.run(asyncio.wait_for(phase(res, server, app, [None] * sessions if app == "bare" else plans[:-1], think, action_timeout,
                                               seed, values), timeout))
        except TimeoutError:
            res.error(app, "bench", "run", f"hard timeout {timeout:g} s")
        finally:
            failures = check_store(db, month, plans, values, base) if app == "lapor" else []
            server.stop()
    return res, month, plans, failures, (load_start, os.getloadavg()[0])


def print_report(res: Result, month: date, plans: list, failures: list, load: tuple, args) -> None:
    import streamlit

    from bench.bench_browser import machine
    from common import fmt

    print(f"Lapor load benchmark {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC: streamlit {streamlit.__version__}, loopback; "
          f"{args.sessions} sessions at once, {args.values} values each, think 0-{2 * args.think:g} s, seed {args.seed}; "
          "embedded DuckDB file, one app process (server.py, the real page pages/lapor_bulanan.py)")
    print(f"Machine: {machine()}; load average {load[0]:.1f} at the start, {load[1]:.1f} at the end")
    print(f"PSM reports of {fmt.bulan(month)}; setting: count every sent report (each Kirim publishes and refreshes the marts)")
    print(f"{'action':<12}{'app':<7}{'count':>7}{'p50 s':>8}{'p95 s':>8}{'max s':>8}{'p50/bare':>10}{'p95/bare':>10}")
    for action in ACTIONS:
        bare = ls.quantiles(res.samples[("bare", action)])
        for app in ("bare", "lapor"):
            values = res.samples[(app, action)]
            q = ls.quantiles(values)
            if q is None:
                continue
            ratio = [q[j] / bare[j] if bare and bare[j] else None for j in (0, 1)]
            print(f"{action if app == 'bare' or bare is None else '':<12}{app:<7}{len(values):>7}{ls.cell(q[0])}{ls.cell(q[1])}"
                  f"{ls.cell(q[2])}{ls.cell(ratio[0], 10, 1)}{ls.cell(ratio[1], 10, 1)}")
    for app in ("bare", "lapor"):
        errors = sum(1 for e in res.errors if e[0] == app)
        print(f"{app}: errors {errors}; wall {res.wall.get(app, 0):.0f} s; server CPU {res.cpu.get(app, 0):.0f} s")
    print(f"lapor: {res.sent} of {len(plans)} reports sent ({len(plans) - 1} timed, 1 to warm up); store checks: "
          + ("all held (every value once, versi and audit rows exact, one web report per desa, marts total exact)"
             if not failures else f"{len(failures)} FAILED"))
    for failure in failures[:20]:
        print(f"  {failure}")


def stopped(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    from bench.browser_support import build_db

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=50, help="PSM sessions at once (1-100)")
    ap.add_argument("--values", type=int, default=6, help="values each session changes one by one (1-22)")
    ap.add_argument("--think", type=float, default=1.0, help="mean think time before an action, seconds")
    ap.add_argument("--timeout", type=float, default=1200, help="hard limit of each server's phase, seconds")
    ap.add_argument("--action-timeout", type=float, default=120, help="seconds one action may take before it is an error")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--db", type=Path, help="a warehouse to copy (default: the Tuban demo, built into a temp dir)")
    args = ap.parse_args()
    if not 1 <= args.sessions <= 100 or not 1 <= args.values <= 22:
        ap.error("--sessions 1-100, --values 1-22")
    signal.signal(signal.SIGTERM, stopped)
    with tempfile.TemporaryDirectory(prefix="bench_lapor_", ignore_cleanup_errors=True) as tmp_name:
        tmp = Path(tmp_name)
        if args.db:
            db = tmp / "pmks.duckdb"
            shutil.copy(args.db, db)
        else:
            db = build_db(tmp)
        res, month, plans, failures, load = run(db, args.sessions, args.values, args.think, args.timeout, args.action_timeout,
                                                args.seed, tmp / "app.log")
        print_report(res, month, plans, failures, load, args)
        if res.errors or failures or res.sent != len(plans):
            for app in ("bare", "lapor"):
                print(f"{app} server log: {(tmp / f'{app}.log').read_text()[-2000:]}")
            sys.exit(1)


if __name__ == "__main__":
    start = time.time()
    main()
    print(f"({time.time() - start:.0f} s)", file=sys.stderr)
