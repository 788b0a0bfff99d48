"""`python -m etl import`: check files, write the accepted ones, report in Bahasa Indonesia.

The slow part (reading the files) runs in the sandbox before the database is touched; checking runs
on a snapshot; only the final write waits for its turn as the store's writer, briefly. If another
import committed in between, the files are checked again inside the write transaction.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from common import fmt
from common.config import DatabaseUrl
from common.errors import PMKSError, SystemProblem, os_reason
from etl.read.sandbox import SheetReader
from etl.read.sheets import Sheet, Unreadable
from etl.write.reports import FileResult, Reference, analyse_files, commit, where_text
from store import open_store
from store.schema import is_ready

STATUS = {"accepted": "DITERIMA", "rejected": "DITOLAK", "unchanged": "TIDAK BERUBAH"}
LAYOUT = {"form": "formulir desa", "wide": "rekap kecamatan", "long": "tabel panjang"}


def _snapshot(con, results: list[FileResult]) -> tuple:
    """What the check of these files depends on that another writer may change meanwhile: the active reports of their
    desa (any month: the history rules read them), whether the files were imported already, the aliases and the
    monitored indicators. Saves of other desa leave it as it was, so fifty analysts saving at once are not checked
    again one after another."""
    desa = sorted({code for r in results if not r.reports.empty for code in r.reports["kode_desa"]})
    return con.execute("""
        select (select string_agg(cast(id as varchar), ',' order by id) from laporan where aktif and kode_desa in (select unnest(?::varchar[]))),
               (select string_agg(sha256, ',' order by sha256) from berkas_impor where sha256 in (select unnest(?::varchar[]))),
               (select count(*) from alias_desa), (select max(dibuat) from alias_desa),
               (select count(*) from alias_indikator), (select max(dibuat) from alias_indikator),
               (select string_agg(kode, ',' order by kode) from indikator where aktif)
    """, [desa, sorted({r.sha256 for r in results})]).fetchone()


def check_files(con, files: list[tuple[str, bytes, list[Sheet] | Unreadable | None]], reader: SheetReader, *, replace: bool,
                today: date | None = None, user: str = "cli", scope: str = "", kecamatan: str | None = None,
                periode: date | None = None, aliases: dict | None = None) -> list[FileResult]:
    """Analyse every file against the database behind `con`, in order (earlier files claim desa x months first).

    `kecamatan` (a code) and `periode` are what the analyst says; they are used only where a file is silent.
    `aliases` ({('desa', kode kecamatan, as written) | ('indikator', '', as written): code}) are labels the analyst
    placed on the upload page, read as saved aliases until Simpan saves them."""
    if kecamatan:
        known = con.execute("select 1 from wilayah where kode = ? and tingkat = 'kecamatan'", [kecamatan]).fetchone()
        if not known:
            raise SystemProblem(f"kecamatan {kecamatan} tidak ada di basis data; lihat kodenya dengan: python -m etl status")
    ref = Reference(con, today=today, user=user, scope=scope, kecamatan=kecamatan, periode=periode, aliases=aliases)
    return analyse_files(ref, files, reader, replace=replace)


def read_only_check(db: Path | DatabaseUrl, files, reader: SheetReader, *, replace: bool, today: date | None = None,
                    user: str = "cli", scope: str = "", **given) -> tuple[list[FileResult], tuple]:
    """Check files on a snapshot (other writers are not held up); returns results and a snapshot key."""
    with open_store(db).read() as con:
        if not is_ready(con):
            raise PMKSError(f"Basis data {db} belum disiapkan. Jalankan dulu: python -m etl init",
                            short="Basis data dasbor belum disiapkan di server. Hubungi admin aplikasi.")
        results = check_files(con, files, reader, replace=replace, today=today, user=user, scope=scope, **given)
        return results, _snapshot(con, results)


def write_files(db: Path | DatabaseUrl, files, reader: SheetReader, results: list[FileResult], before: tuple, *, replace: bool,
                today: date | None = None, user: str = "cli", scope: str = "", wait: float | None = None,
                **given) -> tuple[list[FileResult], int | None]:
    """Write the accepted files in one transaction (waiting up to `wait` seconds for the turn, default
    $PMKS_LOCK_WAIT); if another write touched what the check read since `before`, check again first."""
    with open_store(db).transaction(wait=wait) as con:
        if _snapshot(con, results) != before:  # another write touched what the check read: check again in this transaction
            results = check_files(con, files, reader, replace=replace, today=today, user=user, scope=scope, **given)
        batch = commit(con, results, user)
    return results, batch


def run_import(paths: list[str], db: Path | DatabaseUrl, *, dry_run: bool, replace: bool, report_json: str | None, user: str,
               today: date | None = None, kecamatan: str | None = None, periode: date | None = None) -> int:
    for path in paths:
        if not Path(path).is_file():
            raise SystemProblem(f"berkas {path} tidak ada atau bukan berkas biasa; tidak ada yang diimpor")
    if report_json:
        _check_writable(Path(report_json))
    files = []
    with SheetReader() as reader:
        for path in paths:
            data = Path(path).read_bytes()
            try:
                sheets: list[Sheet] | Unreadable = reader.read(data, Path(path).name)
            except Unreadable as exc:
                sheets = exc  # analyse() turns the reason into an issue
            files.append((Path(path).name, data, sheets))
        given: dict[str, Any] = {"kecamatan": kecamatan, "periode": periode}
        results, before = read_only_check(db, files, reader, replace=replace, today=today, user=user, **given)
        batch = None
        if not dry_run and any(r.status == "accepted" for r in results):
            results, batch = write_files(db, files, reader, results, before, replace=replace, today=today, user=user, **given)
    print_report(results, db, dry_run=dry_run, batch=batch)
    if report_json:
        try:
            Path(report_json).write_text(json.dumps({"files": [r.to_json() for r in results], "batch": batch, "dry_run": dry_run},
                                                    ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        except OSError as exc:
            saved = f"Impor sudah tersimpan (batch {batch}), tetapi l" if batch is not None else "L"
            raise SystemProblem(f"{saved}aporan JSON tidak dapat ditulis ke {report_json} ({os_reason(exc)}).") from None
    return 1 if any(r.status == "rejected" for r in results) else 0


def _check_writable(path: Path) -> None:
    """Refuse a --report-json path that cannot be written, before anything is read or committed."""
    hint = "tidak ada yang diimpor; sebutkan nama berkas yang dapat ditulis, mis. --report-json hasil_impor.json"
    if path.is_dir():
        raise SystemProblem(f"--report-json {path} adalah folder, bukan berkas; {hint}")
    if not path.parent.is_dir():
        raise SystemProblem(f"--report-json {path} tidak dapat ditulis: folder {path.parent} tidak ada; {hint}")
    existed = path.exists()
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise SystemProblem(f"berkas --report-json {path} tidak dapat ditulis ({os_reason(exc)}); {hint}") from None
    if not existed:
        path.unlink(missing_ok=True)


def tally_line(tally) -> str:
    """'lembar 'Rekap': 52 angka dibaca, 9 jumlah/total diperiksa, 12 diabaikan (nomor urut 12), 0 tidak terbaca'."""
    return (f"lembar '{tally.sheet}'" if tally.sheet else "isi berkas") + f": {tally.text()}"


def print_report(results: list[FileResult], db: Path | DatabaseUrl, *, dry_run: bool, batch: int | None, out=None) -> None:
    out = out or sys.stdout
    write = lambda text="": print(text, file=out)  # noqa: E731
    write(f"Pemeriksaan {len(results)} berkas untuk {db}" + (" (uji coba, --dry-run: tidak ada yang disimpan)" if dry_run else ""))
    for result in results:
        layouts = ", ".join(sorted({LAYOUT[x] for x in result.layouts}))
        head = f"{STATUS[result.status]:<14} {result.file}" + (f" — {layouts}" if layouts else "")
        if result.status != "rejected" and not result.reports.empty:
            months = sorted(set(result.reports["periode"]))
            span = fmt.bulan(months[0]) + (f" s.d. {fmt.bulan(months[-1])}" if len(months) > 1 else "")
            head += f"; {fmt.angka(len(result.reports))} laporan desa, {span}, {fmt.angka(int(result.values['jumlah'].sum()))} jiwa PMKS"
        write(head)
        for tally in result.tally:
            write(f"    {tally_line(tally)}")
        if result.note:
            write(f"    {result.note}")
        for issue in result.issues:
            kind = "kesalahan" if issue.severity == "error" else "peringatan"
            line = f"    {kind}: {where_text(issue, result.file)}: {issue.message}"
            if issue.suggestion:
                line += f". Saran: {issue.suggestion}"
            write(line)
        if result.changes:
            write(f"    perubahan ({len(result.changes)}):")
            for change in result.changes[:50]:
                write(f"      {change}")
            if len(result.changes) > 50:
                write(f"      … dan {fmt.angka(len(result.changes) - 50)} perubahan lainnya")
    counts = {s: sum(r.status == s for r in results) for s in STATUS}
    write(f"Hasil: {counts['accepted']} diterima, {counts['rejected']} ditolak, {counts['unchanged']} tidak berubah.")
    if batch is not None:
        n = sum(len(r.reports) for r in results if r.status == "accepted")
        write(f"Tersimpan: {fmt.angka(n)} laporan dalam batch impor {batch}.")
    elif not dry_run and counts["accepted"] == 0:
        write("Tidak ada yang disimpan.")
