"""What bench/bench_load.py needs besides the protocol client: the warehouse set up for the run (users, the desa each
save writes, the report files), the samples and errors of a run, and the checks of the warehouse afterwards."""

from __future__ import annotations

import asyncio
import random
import re
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from common import fmt

PASSWORD = "bench-muat-2026"
OBSERVER = "pengamat"
ADMIN = "admin_bench"
INDICATORS = ("Fakir Miskin", "Penyandang Disabilitas", "Lanjut Usia Terlantar")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def analyst(i: int) -> str:
    return f"analis{i:02d}"


@dataclass(frozen=True)
class Report:
    """One file an analyst saves: one desa, one month, three indicators."""

    kode: str
    desa: str
    kecamatan: str
    values: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.values)

    def name(self) -> str:
        return f"psm_{self.kode.replace('.', '')}.xlsx"

    def data(self, month: date) -> bytes:
        from tests import reportfiles as rf

        return rf.form_xlsx(self.desa, self.kecamatan, fmt.bulan(month), dict(zip(INDICATORS, self.values)))


@dataclass
class Setup:
    month: date
    base_total: int  # the kabupaten total of the month before the run
    free: list  # (kode, desa, kecamatan) without a report in the month, in a seeded order
    last_batch: int
    analysts: int


def prepare(db: Path, month: date, analysts: int, seed: int) -> Setup:
    """Add the users of the run (an admin, `analysts` analysts, one pimpinan who watches Ringkasan), all with
    PASSWORD, through the store as `python -m etl user add` does; read what the checks compare with afterwards."""
    from accounts import store as accounts
    from store import close_all, open_store

    store = open_store(db)
    for login, role in [(ADMIN, "admin"), (OBSERVER, "pimpinan")] + [(analyst(i), "analis") for i in range(1, analysts + 1)]:
        accounts.save_user(store, login, login, role, "", PASSWORD, "bench_load")
    with store.read() as con:
        free = con.execute("""
            select d.kode, d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk where d.tingkat = 'desa'
            and d.kode not in (select kode_desa from laporan where aktif and periode = ?) order by d.kode""", [month]).fetchall()
        base = month_total(con, month)
        last_batch = con.execute("select coalesce(max(id), 0) from impor_batch").fetchone()[0]
    close_all()  # the server process opens the file next
    random.Random(seed).shuffle(free)
    return Setup(month, base, free, last_batch, analysts)


def month_total(con, month: date) -> int:
    row = con.execute("select sum(jumlah) from agregat_laporan where tingkat = 'kabupaten' and periode = ?", [month]).fetchone()
    return int(row[0] or 0)


def deal(setup: Setup, sessions: int, rounds: int, start: int) -> list[list[Report]]:
    """The desa each session saves, round by round, from `start` in the free list (every save its own desa)."""
    out = []
    for s in range(sessions):
        mine = []
        for r in range(rounds):
            kode, desa, kecamatan = setup.free[start + s * rounds + r]
            mine.append(Report(kode, desa, kecamatan, (3 + (s + r) % 9, 1 + s % 4, 2 + r % 5)))
        out.append(mine)
    return out


@dataclass
class Save:
    phase: int
    session: int
    report: Report
    batch: int
    done: float  # perf_counter when the success message had arrived


@dataclass
class Recorder:
    """Samples per (phase, action), errors, saves, what the observer saw."""

    samples: dict = field(default_factory=lambda: defaultdict(list))
    errors: list = field(default_factory=list)  # (phase, who, action, text)
    saves: list = field(default_factory=list)
    seen: list = field(default_factory=list)  # (phase, perf_counter at the end of a Ringkasan run, total shown)
    signins: int = 0
    tried: dict = field(default_factory=lambda: defaultdict(int))  # saves pressed per phase
    bytes: dict = field(default_factory=lambda: defaultdict(int))

    def add(self, phase: int, action: str, seconds: float) -> None:
        self.samples[(phase, action)].append(seconds)

    def error(self, phase: int, who: str, action: str, text: str) -> None:
        self.errors.append((phase, who, action, text))
        print(f"  error N={phase} {who} {action}: {text}", file=sys.stderr, flush=True)

    def check(self, phase: int, who: str, action: str, run) -> bool:
        """One error per action that showed any (what it showed, joined)."""
        problems = run.errors()
        if problems:
            self.error(phase, who, action, " | ".join(problems))
        return not problems

    def summary(self, phase: int, top: int = 5) -> list[str]:
        """The most frequent errors of a phase, numbers and user names folded: '12 x save: error message: …'."""
        kinds = Counter(f"{action}: {re.sub(r'[0-9]+', '#', text)[:160]}" for p, _, action, text in self.errors if p == phase)
        return [f"{n} x {kind}" for kind, n in kinds.most_common(top)]


def quantiles(values: list) -> tuple[float, float, float] | None:
    """p50, p95 (nearest rank) and max."""
    if not values:
        return None
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, int(round(0.95 * len(ordered))) - 1))]
    return statistics.median(ordered), p95, ordered[-1]


def lags(rec: Recorder, setup: Setup, phase: int) -> tuple[list[float], int]:
    """Seconds from each save's success message (in this phase) until the observer's Ringkasan first showed a total
    that includes it, and how many saves it never showed. Batches commit one after another in id order and every
    file adds a positive amount, so the total right after batch b is the base plus every file of a batch <= b, and
    any total at least that large includes b."""
    after, running = {}, setup.base_total
    for save in sorted(rec.saves, key=lambda s: s.batch):
        running += save.report.total
        after[save.batch] = running
    seen = sorted((t, total) for p, t, total in rec.seen if p == phase)
    out, missing = [], 0
    for save in (s for s in rec.saves if s.phase == phase):
        shown = [t for t, total in seen if total >= after[save.batch]]
        if not shown:
            missing += 1
            continue
        out.append(max(0.0, shown[0] - save.done))
    return out, missing


class Gate:
    """A barrier whose parties may leave (a session that failed); the last to arrive decides for everyone whether
    another round follows (`decide()`)."""

    def __init__(self, parties: int, decide):
        self.parties, self.decide = parties, decide
        self._waiting, self._generation, self._answer = 0, 0, True
        self._cond = asyncio.Condition()

    async def wait(self) -> bool:
        async with self._cond:
            generation = self._generation
            self._waiting += 1
            if self._waiting >= self.parties:
                self._release()
            else:
                await self._cond.wait_for(lambda: self._generation != generation)
            return self._answer

    async def leave(self) -> None:
        async with self._cond:
            self.parties -= 1
            if self.parties and self._waiting >= self.parties:
                self._release()

    def _release(self) -> None:
        self._answer = self.decide()
        self._waiting = 0
        self._generation += 1
        self._cond.notify_all()


def check_warehouse(db: Path, setup: Setup, rec: Recorder) -> list[str]:
    """The invariants after the run, read through the store (`store.open_store(db).read()`): the month's kabupaten
    total is the base plus every saved file; each saved desa holds its file, in its batch; every aggregate equals the
    same aggregate recomputed from the facts; one `impor` audit row per batch and no other new batch; one `masuk`
    audit row and one session per sign-in. Returns what failed (empty: all hold)."""
    from store import open_store
    from tests.test_marts import assert_marts_match_facts

    failed = []
    batches = [s.batch for s in rec.saves]
    with open_store(db).read() as con:
        total = month_total(con, setup.month)
        expected = setup.base_total + sum(s.report.total for s in rec.saves)
        if total != expected:
            failed.append(f"kabupaten total of {setup.month:%Y-%m} is {total}, expected {setup.base_total} + saved files = {expected}")
        for save in rec.saves:
            row = con.execute("""select count(distinct l.id), coalesce(sum(n.jumlah), 0), min(l.batch_id) from laporan l
                                 join laporan_nilai n on n.laporan_id = l.id where l.aktif and l.kode_desa = ? and l.periode = ?""",
                              [save.report.kode, setup.month]).fetchone()
            if tuple(row) != (1, save.report.total, save.batch):
                failed.append(f"desa {save.report.kode}: (reports, total, batch) {tuple(row)}, expected (1, {save.report.total}, {save.batch})")
        new = [r[0] for r in con.execute("select id from impor_batch where id > ? and jenis = 'impor' order by 1", [setup.last_batch]).fetchall()]
        if sorted(new) != sorted(batches) or len(set(batches)) != len(batches):
            failed.append(f"new import batches {new}, saves reported {sorted(batches)}")
        audited = dict(con.execute("select objek, count(*) from audit where aksi = 'impor' group by 1").fetchall())
        wrong = {b: audited.get(f"batch {b}", 0) for b in batches if audited.get(f"batch {b}", 0) != 1}
        if wrong:
            failed.append(f"impor audit rows per batch not 1: {wrong}")
        signins = con.execute("select count(*) from audit where aksi = 'masuk'").fetchone()[0]
        sessions = con.execute("select count(*) from sesi").fetchone()[0]
        if signins != rec.signins or sessions != rec.signins:
            failed.append(f"{rec.signins} sign-ins, {signins} 'masuk' audit rows, {sessions} sessions")
    try:
        assert_marts_match_facts(db)
    except AssertionError as exc:
        failed.append(f"marts differ from the facts: {exc}")
    return failed


@dataclass
class Phase:
    n: int
    wall: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    rounds: int = 0


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def previous_month(today: date) -> date:
    """The month whose reports analysts are sending now (due on day 10 of this month)."""
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


def cell(value: float | None, width: int = 8, digits: int = 2) -> str:
    return f"{'-' if value is None else f'{value:.{digits}f}':>{width}}"


def wait_seconds(rng: random.Random, think: float) -> float:
    return rng.uniform(0, 2 * think) if think > 0 else 0.0


def now() -> float:
    return time.perf_counter()
