"""The load benchmark's client (bench/bench_load.py, bench/st_client.py) against a real server (issue 21): two analysts
sign in, open pages, change filters, upload a form each and press Simpan at the same moment, into a month that already
has demo reports, while a pimpinan watches Ringkasan. Behaviour only, never timings: no error of any kind, every save
shown to the watcher, and the warehouse checks of the benchmark hold."""

from __future__ import annotations

from datetime import date

from bench import load_support as ls
from bench.bench_load import run_load


def in_thread(call):
    """`call()` in a thread of its own: a browser test earlier in this worker leaves playwright's event loop running
    in the main thread, where asyncio.run refuses to start another."""
    import threading

    out: list = []
    worker = threading.Thread(target=lambda: out.append(call()))
    worker.start()
    worker.join(600)
    return out[0]


def test_two_sessions_save_together_without_errors_and_the_warehouse_adds_up(demo_db, tmp_path):
    out = in_thread(lambda: run_load(demo_db, [2], rounds=1, think=0, timeout=150, action_timeout=60, month=date(2026, 10, 1),
                                     warm=False, log=tmp_path / "app.log"))
    rec, setup = out.ctx.rec, out.ctx.setup
    assert not out.timed_out
    assert rec.errors == [], (tmp_path / "app.log").read_text()[-3000:]
    assert out.failures == []
    assert setup.base_total > 0  # the month had demo reports: the checks compare the demo total plus both files
    assert len(rec.saves) == 2 and len({s.batch for s in rec.saves}) == 2
    assert {s.report.kode for s in rec.saves} <= {kode for kode, _, _ in setup.free}
    lag, missing = ls.lags(rec, setup, 2)
    assert missing == 0 and len(lag) == 2  # the watcher's Ringkasan showed both saves
    assert rec.signins == 3  # two analysts and the watcher, each one session and one audit row (checked above)
    counts = {action: len(rec.samples[(2, action)]) for action in ("connect", "sign-in", "filter change", "open Unggah", "upload+check", "save")}
    assert counts == {"connect": 2, "sign-in": 2, "filter change": 4, "open Unggah": 2, "upload+check": 2, "save": 2}
    assert sum(len(v) for (n, action), v in rec.samples.items() if n == 2 and action.startswith("open ") and action != "open Unggah") == 4


def test_the_client_sees_what_a_user_would_count_as_an_error(demo_db, tmp_path):
    """The negative control of 'errors 0': a wrong password's message is an error the client reports."""
    import asyncio

    from bench.st_client import Session
    from tests.conftest import AppServer

    ls.prepare(demo_db, date(2026, 10, 1), 1, 1)
    server = AppServer(demo_db, tmp_path / "app.log")

    async def wrong_password():
        s = Session(server.url, timeout=60)
        try:
            first = await s.open()
            assert first.widget("masuk_nama") is not None and first.errors() == []
            return await s.set({"masuk_nama": ls.analyst(1), "masuk_sandi": "salah-sekali-123"}, press="submit:")
        finally:
            await s.close()

    try:
        run = in_thread(lambda: asyncio.run(wrong_password()))
    finally:
        server.stop()
    assert run.errors() == ["error message: Nama pengguna atau kata sandi salah."]
