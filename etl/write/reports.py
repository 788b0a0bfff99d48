"""From the bytes of a PSM report file to validated reports, or a precise list of what is wrong.

`analyse` never writes: it reads the file (in the sandbox), recognises its layout, matches every
name to an official code, applies the rules of `etl.check.rules` and compares with the stored reports.
`commit` writes every accepted file of a run in one transaction with its provenance. The same
functions serve `python -m etl import` and the upload page.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import duckdb
import pandas as pd

from common import fmt
from etl.check import rules
from etl.check.rules import HasIssues, Issue
from etl.find.lexicon import Lexicon
from etl.find.reports import extract, names_month, read
from etl.read.cells import find_period
from etl.read.sandbox import SheetReader
from etl.read.sheets import Sheet, Unreadable
from etl.resolve.match import Gazetteer, IndicatorMatcher
from etl.resolve.reports import COLUMNS, resolve_long, resolve_raws
from etl.write import kept
from etl.write.load import exact_cells, new_batch, write_reports
from store.schema import audit as write_audit

MAX_ISSUES_PER_KIND = 20  # the same message on many rows is reported this often, then summarised


@dataclass
class FileResult(HasIssues):
    file: str
    sha256: str
    size: int
    status: str = "rejected"  # accepted | rejected | unchanged
    layouts: list[str] = field(default_factory=list)
    tally: list = field(default_factory=list)  # etl.find.reading.Tally per sheet: numbers read, totals checked, ignored, unaccounted
    reports: pd.DataFrame = field(default_factory=pd.DataFrame)  # kode_desa, periode, sheet, nama_psm, values, jumlah, baris
    desa: list[str] = field(default_factory=list)  # every desa the file reports, those skipped as unchanged too (its kept copy's area)
    values: pd.DataFrame = field(default_factory=pd.DataFrame)  # etl.write.load.VALUE_COLUMNS
    issues: list[Issue] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # "Menilo, Fakir Miskin: 12 → 19"
    replaces: int = 0  # stored reports this file replaces
    note: str = ""
    content: bytes = field(default=b"", repr=False)  # the file as received, kept with its import (etl.write.kept)

    def to_json(self) -> dict:
        reports = [
            {"kode_desa": r.kode_desa, "periode": r.periode.strftime("%Y-%m"), "values": int(r.values), "jumlah": int(r.jumlah),
             "sheet": r.sheet}
            for r in self.reports.itertuples()
        ] if not self.reports.empty else []
        return {"file": self.file, "sha256": self.sha256, "status": self.status, "layouts": self.layouts, "reports": reports,
                "tally": [t.to_json() for t in self.tally],
                "issues": [{k: v for k, v in asdict(i).items() if k != "file" and (k != "choices" or v)} for i in self.issues], "changes": self.changes, "note": self.note}


class Reference:
    """What a run of imports compares against: the gazetteer, the indicators and the stored reports."""

    def __init__(self, con: duckdb.DuckDBPyConnection, today: date | None = None, user: str = "cli", scope: str = "",
                 kecamatan: str | None = None, periode: date | None = None, aliases: dict | None = None):
        self.con = con
        self.kecamatan = kecamatan  # what the analyst says, used only where a file does not say it
        self.periode = periode
        self.scope = scope  # a user limited to one kecamatan may load only its desa
        self.today = today or date.today()
        self.user = user
        self.gazetteer = Gazetteer.from_db(con)
        self.indicators = IndicatorMatcher.from_db(con)
        for (jenis, kec, written), code in (aliases or {}).items():  # labels the analyst placed on this upload
            if jenis == "desa":
                self.gazetteer.choose(kec, written, code)
            else:
                self.indicators.choose(written, code)
        self.lexicon = Lexicon(self.gazetteer, self.indicators)
        self.indicator_names = dict(con.execute("select kode, nama from indikator").fetchall())
        self.imported = {
            sha: (nama, waktu, batch)
            for sha, nama, waktu, batch in con.execute("""
                select f.sha256, f.nama_berkas, b.waktu, b.id from berkas_impor f join impor_batch b on b.id = f.batch_id
                where b.status = 'aktif'
            """).fetchall()
        }
        self.claimed: dict[tuple[str, date], str] = {}  # desa x month already taken by a file of this run


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def analyse(ref: Reference, name: str, data: bytes, reader: SheetReader, *, replace: bool = False,
            sheets: list[Sheet] | Unreadable | None = None) -> FileResult:
    """Everything the import would do with one file, without writing anything."""
    return analyse_files(ref, [(name, data, sheets)], reader, replace=replace)[0]


def analyse_files(ref: Reference, files: list[tuple[str, bytes, list[Sheet] | Unreadable | None]], reader: SheetReader,
                  *, replace: bool = False) -> list[FileResult]:
    """Analyse several files together, as one import: earlier files claim a desa x month first.

    Reading and matching run per file; the rules and the comparison with stored reports run once over
    all files, so a month of 328 forms costs a few queries, not a few per form.
    """
    rows: list[tuple]
    frames: list[pd.DataFrame]
    results, rows, frames = [], [], []
    for index, (name, data, sheets) in enumerate(files):
        result, found, tables = _read(ref, name, data, reader, sheets)
        results.append(result)
        rows.extend(row + (index,) for row in found)
        frames.extend(frame.assign(_file=index) for frame in tables if not frame.empty)
    if rows:  # one frame for all forms and recaps of the run, not one per file
        frames.insert(0, pd.DataFrame(rows, columns=[*COLUMNS, "_file"]))
    if frames:
        _plan(ref, pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0], results, replace)
    for result in results:
        result.issues = _summarise(_in_sheet_order(result.issues))
        if result.errors:
            result.status = "rejected"
            result.reports = pd.DataFrame()
            result.values = pd.DataFrame()
            result.changes = []
            result.replaces = 0
        elif result.status != "unchanged":
            result.status = "accepted"
            for key in zip(result.reports["kode_desa"], result.reports["periode"]):
                ref.claimed[key] = result.file
    return results


def _read(ref: Reference, name: str, data: bytes, reader: SheetReader, sheets) -> tuple[FileResult, list[tuple], list[pd.DataFrame]]:
    """Read one file and resolve its names, months and counts: rows of its forms and recaps, frames of its long tables."""
    result = FileResult(name, sha256(data), len(data), content=data)
    if result.sha256 in ref.imported:
        earlier, when, batch = ref.imported[result.sha256]
        result.status = "unchanged"
        result.note = f"berkas yang sama persis sudah diimpor pada {fmt.tanggal(when.date())} (batch {batch}, '{earlier}'); tidak ada yang diubah"
        return result, [], []
    try:
        if isinstance(sheets, Unreadable):
            raise sheets
        sheets = sheets if sheets is not None else reader.read(data, name)
    except Unreadable as exc:
        result.issues.append(Issue("error", None, None, None, f"berkas tidak dapat dibaca: {exc}", "simpan ulang berkas sebagai .xlsx atau .csv dari Excel/LibreOffice"))
        return result, [], []
    raws, tables = [], []
    defaults = _defaults(ref, name)
    used: dict[str, str] = {}
    readings = [read(sheet.name, sheet.rows, sheet.merged, ref.lexicon) for sheet in sheets]
    if any(r.tables and not r.blank for r in readings):
        for reading in readings:  # a month sheet prepared ahead in a workbook of filled months
            if reading.blank:
                reading.skip_blank()
    named = [names_month(reading, ref.lexicon) for reading in readings]
    for i, (sheet, reading) in enumerate(zip(sheets, readings)):
        found = extract(reading, ref.lexicon, defaults, months_elsewhere=any(named[:i] + named[i + 1:]))
        used.update({k: defaults[k][2] for k in found.defaulted})
        result.layouts.extend(found.layouts)
        result.tally.append(found.tally)
        for severity, where, message, suggestion in found.problems:
            result.issues.append(Issue(severity, sheet.name, where.row, where.col, message, suggestion))
        raws.extend(found.values)
        tables.extend(found.tables)
    if not raws and not any(t.rows for t in tables):
        if not result.errors:
            result.issues.append(Issue("error", None, None, None, "tidak ada laporan PMKS yang dikenali dalam berkas ini",
                                       "gunakan formulir resmi (python -m etl template), rekap kecamatan, atau tabel panjang dengan kolom desa, indikator, periode, jumlah"))
        return result, [], []
    _note_defaults(ref, result, defaults, used)
    return result, resolve_raws(ref, raws, result), [resolve_long(ref, table, result) for table in tables]


def _defaults(ref: Reference, name: str) -> dict[str, tuple]:
    """Kecamatan and month to use where a sheet does not say them: (value, where, source) per field.

    The month may come from the file name ('rekap_montong_okt_2026.xlsx'), else from the analyst; the
    kecamatan only from the analyst."""
    from etl.find.context import Where, year_in

    found: dict[str, tuple] = {}
    stem = name.rsplit(".", 1)[0].replace("_", " ")
    in_name = find_period(stem)
    if in_name:
        found["periode"] = (in_name, Where(), "nama berkas")
    elif ref.periode:
        found["periode"] = (ref.periode, Where(), "pilihan analis")
    if ref.kecamatan:
        found["kecamatan"] = (ref.kecamatan, Where(), "pilihan analis")
    if year_in(stem):
        found["tahun"] = (year_in(stem), Where(), "nama berkas")
    return found


def _note_defaults(ref: Reference, result: FileResult, defaults: dict, used: dict[str, str]) -> None:
    for key, source in sorted(used.items()):
        value = defaults[key][0]
        if key == "periode":
            _add_note(result, f"bulan laporan tidak tertulis di dalam berkas; dipakai {fmt.bulan(value)} dari {source}")
        else:
            label = ref.gazetteer.names.get(value, value)
            _add_note(result, f"kecamatan tidak tertulis di dalam berkas; dipakai {label} ({value}) dari {source}")


def _add_note(result: FileResult, text: str) -> None:
    result.note = f"{result.note}; {text}" if result.note else text


def _plan(ref: Reference, frame: pd.DataFrame, results: list[FileResult], replace: bool) -> None:
    """Apply the validation rules, compare with stored reports and decide what each file would write."""
    def file_issues(issues: list[Issue]) -> None:
        for issue in issues:
            results[issue.file].issues.append(issue)

    frame, found = rules.reconcile_sex(frame)
    file_issues(found)
    frame, found = rules.duplicates(frame, ref.gazetteer, ref.indicator_names)
    file_issues(found)
    file_issues(rules.future_month(frame, ref.today))
    failed = {i for i, r in enumerate(results) if r.errors}
    frame = frame[~frame["_file"].isin(failed)]
    file_issues(rules.all_zero(frame, ref.gazetteer))
    file_issues(rules.claimed_in_run(frame[~frame["_file"].isin(failed)], ref.claimed, [r.file for r in results], ref.gazetteer))
    failed = {i for i, r in enumerate(results) if r.errors}
    frame = frame[~frame["_file"].isin(failed)]
    if frame.empty:
        return
    file_issues(rules.history_jumps(frame, ref.con, ref.gazetteer, ref.indicator_names))
    reports = (
        frame.groupby(["_file", "kode_desa", "periode"], sort=True)
        .agg(sheet=("sheet", "first"), nama_psm=("nama_psm", "first"), values=("jumlah", "size"), jumlah=("jumlah", "sum"), baris=("baris", "min"))
        .reset_index()
    )
    drop = _compare_stored(ref, frame, reports, results, replace)
    # split per file once (dropping the run's file index here, not 2 x 328 times below)
    report_groups = dict(tuple(reports.drop(columns="_file").groupby(reports["_file"].to_numpy())))
    value_groups = dict(tuple(frame.drop(columns="_file").groupby(frame["_file"].to_numpy())))
    for index, result in enumerate(results):
        if index not in report_groups or result.errors:
            continue
        mine, values = report_groups[index], value_groups[index]
        result.desa = sorted(set(mine["kode_desa"]))
        if drop:
            same = [(index, d, p) in drop for d, p in zip(mine["kode_desa"], mine["periode"])]
            if all(same):
                result.status = "unchanged"
                _add_note(result, "semua laporan dalam berkas ini sama dengan yang sudah tersimpan; tidak ada yang diubah")
            elif any(same):
                _add_note(result, f"{sum(same)} laporan sama dengan yang tersimpan dan dilewati")
                keep = {(d, p) for (i, d, p) in drop if i == index}
                mine = mine[[not s for s in same]]
                values = values[[k not in keep for k in zip(values["kode_desa"], values["periode"])]]
        result.reports = mine.reset_index(drop=True)
        result.values = values.reset_index(drop=True)


def _compare_stored(ref: Reference, frame: pd.DataFrame, reports: pd.DataFrame, results: list[FileResult], replace: bool) -> set[tuple]:
    """Compare with the stored reports: record the changes (or the refusal without --replace); returns the
    (file, desa, month) reports identical to what is stored, which are skipped."""
    stored = _stored(ref.con, reports)
    drop: set[tuple] = set()
    if not stored:
        return drop
    many_months = reports.groupby("_file")["periode"].nunique().to_dict()
    keys = set(stored)
    subset = frame[[k in keys for k in zip(frame["kode_desa"], frame["periode"])]]
    for (index, desa, periode), new in subset.groupby(["_file", "kode_desa", "periode"], sort=True):
        old = stored[(desa, periode)]
        result = results[index]
        diff = _diff(ref, desa, periode, old["values"], new, many_months=many_months[index] > 1)
        if not diff:
            drop.add((index, desa, periode))
        elif replace:
            result.changes.extend(diff)
            result.replaces += 1
        else:
            source = "data demo sintetis" if old["sintetis"] else f"berkas '{old['nama_berkas']}'"
            result.issues.append(Issue(
                "error", new["sheet"].iloc[0], int(new["baris"].min()), None,
                f"laporan {ref.gazetteer.label(desa)} {fmt.bulan(periode)} sudah ada ({source}, diimpor {fmt.tanggal(old['diterima'].date())}); "
                f"{len(diff)} nilai berbeda, mis. {diff[0]}",
                "periksa lalu impor ulang dengan --replace (unggah: centang 'ganti laporan yang sudah ada') untuk menggantinya",
            ))
    return drop


def _stored(con: duckdb.DuckDBPyConnection, reports: pd.DataFrame) -> dict:
    """Active stored reports for the desa x months of a file, with their values."""
    con.register("_keys", reports[["kode_desa", "periode"]].drop_duplicates())
    rows = con.execute("""
        select l.kode_desa, l.periode, l.id, l.nama_berkas, l.diterima, l.sintetis, n.kode_indikator, n.jumlah
        from laporan l join _keys k on k.kode_desa = l.kode_desa and k.periode = l.periode
        left join laporan_nilai n on n.laporan_id = l.id
        where l.aktif
    """).fetchall()
    con.unregister("_keys")
    stored: dict = {}
    for desa, periode, lid, berkas, diterima, sintetis, kode, jumlah in rows:
        entry = stored.setdefault((desa, periode), {"id": lid, "nama_berkas": berkas, "diterima": diterima, "sintetis": sintetis, "values": {}})
        if kode is not None:
            entry["values"][kode] = jumlah
    return stored


def _diff(ref: Reference, desa: str, periode: date, old: dict, new: pd.DataFrame, many_months: bool) -> list[str]:
    name = ref.gazetteer.names[desa] + (f" {fmt.bulan(periode)}" if many_months else "")
    new_values = dict(zip(new["kode_indikator"], new["jumlah"]))
    lines = []
    for code in sorted(set(old) | set(new_values), key=lambda c: list(ref.indicator_names).index(c) if c in ref.indicator_names else 99):
        before, after = old.get(code), new_values.get(code)
        if before != after:
            show = lambda v: "(kosong)" if v is None else fmt.angka(v)  # noqa: E731
            lines.append(f"{name}, {ref.indicator_names.get(code, code)}: {show(before)} → {show(after)}")
    return lines


def _in_sheet_order(issues: list[Issue]) -> list[Issue]:
    """Issues of a file sheet by sheet (as first met) and row by row, the way a person reads it to fix it."""
    sheets = {sheet: n for n, sheet in enumerate(dict.fromkeys(i.sheet for i in issues))}
    return sorted(issues, key=lambda i: (sheets[i.sheet], i.row or 0))


def _summarise(issues: list[Issue]) -> list[Issue]:
    """Keep the first MAX_ISSUES_PER_KIND issues of each message kind and summarise the rest."""
    seen: dict[tuple, int] = {}
    kept = []
    exact = set()
    for issue in issues:
        key = (issue.severity, issue.sheet, issue.row, issue.column, issue.message)
        if key in exact:  # a desa error repeats once per indicator of its row
            continue
        exact.add(key)
        kind = (issue.severity, issue.message.split("'")[0], issue.column)
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= MAX_ISSUES_PER_KIND:
            kept.append(issue)
    for kind, n in seen.items():
        if n > MAX_ISSUES_PER_KIND:
            kept.append(Issue(kind[0], None, None, kind[2], f"… dan {fmt.angka(n - MAX_ISSUES_PER_KIND)} masalah serupa lainnya ({kind[1].strip()})", None))
    return kept


def commit(con: duckdb.DuckDBPyConnection, results: list[FileResult], user: str) -> int | None:
    """Write every accepted file in one batch; the caller holds the transaction. Returns the batch id."""
    accepted = [r for r in results if r.status == "accepted"]
    if not accepted:
        return None
    names = ", ".join(r.file for r in accepted)
    batch = new_batch(con, user, "impor", names[:500])
    now = datetime.now()
    reports = pd.concat([r.reports.assign(nama_berkas=r.file, sha256=r.sha256) for r in accepted], ignore_index=True)
    values = pd.concat([r.values for r in accepted], ignore_index=True)
    values = values.assign(kolom=exact_cells(values))
    reports = reports.assign(diterima=now, sintetis=False)
    values = values.assign(laki_laki=values["laki_laki"].astype("Int64"), perempuan=values["perempuan"].astype("Int64"))
    write_reports(con, reports, values, batch)
    files = pd.DataFrame({"batch_id": batch, "nama_berkas": [r.file for r in accepted], "sha256": [r.sha256 for r in accepted],
                          "ukuran": [r.size for r in accepted], "jumlah_laporan": [len(r.reports) for r in accepted]})
    con.register("_berkas_in", files)
    con.execute("insert into berkas_impor select batch_id, nama_berkas, sha256, ukuran, jumlah_laporan from _berkas_in")
    con.unregister("_berkas_in")
    for result in accepted:
        kept.keep(con, result.file, result.content, result.desa or list(result.reports["kode_desa"]), user, now)
    for result in accepted:
        if result.replaces:
            write_audit(con, user, "ganti_laporan", result.file, json.dumps({"batch": batch, "perubahan": result.changes}, ensure_ascii=False))
    write_audit(con, user, "impor", f"batch {batch}", json.dumps({"berkas": [r.file for r in accepted], "laporan": int(sum(len(r.reports) for r in accepted))}, ensure_ascii=False))
    kept.prune(con, user)
    return batch


def where_text(issue: Issue, file: str) -> str:
    parts = [file]
    if issue.sheet:
        parts.append(f"lembar '{issue.sheet}'")
    if issue.row:
        parts.append(f"baris {issue.row}")
    if issue.column:
        parts.append(f"kolom {issue.column}")
    return ", ".join(parts)


__all__ = ["FileResult", "Reference", "analyse", "analyse_files", "commit", "where_text"]
