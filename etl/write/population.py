"""Desa population files as denominators: read, match, check, compare, write and undo, like PMKS reports.

`analyse` never writes: it reads the file in the sandbox (`etl.read.sandbox`), finds the table (`etl.find.population`),
matches every desa within its kecamatan (`etl.resolve.match`, with the saved aliases), applies the rules below and compares
with the stored figures of the same reference date. `commit` writes one batch with its source, reference date and
file; `rollback` undoes it exactly. The same functions serve `python -m etl penduduk` and the admin page.

Rules: counts are whole numbers > 0; L + P = jumlah; one row per desa; a desa already stored for the reference date
is replaced only on request (the changes are listed); a change of more than JUMP_SHARE from the desa's previous
figure is a warning; desa totals are set beside the kecamatan census figure, never forced to it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import pandas as pd

from common import fmt
from common.errors import PMKSError
from etl.check.rules import HasIssues, Issue
from etl.find.lexicon import Lexicon
from etl.find.population import PopRow, read_population_sheet
from etl.read.cells import cell_text, parse_count
from etl.read.sheets import Sheet, Unreadable
from etl.resolve.match import Gazetteer, IndicatorMatcher, Match, parse_code
from etl.write import kept
from etl.write.load import new_batch
from store.schema import audit as write_audit

SUMBER = {"dukcapil": "Dukcapil", "bps": "BPS", "desa": "Profil desa", "lainnya": "Lainnya"}
JUMP_SHARE = 0.25  # a desa's population moving more than this from its previous figure is a warning
_ACUAN = re.compile(r"^\s*(\d{4})(?:\s*[-/ ]?\s*(?:s|sem|semester)\s*[-]?\s*(1|2|i|ii))?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Acuan:
    """The reference date of a population figure: a year (31 December) or a semester (30 June / 31 December)."""

    kode: str  # '2025-S2' or '2025'
    tanggal: date

    @property
    def label(self) -> str:
        if self.kode.endswith("-S1"):
            return f"Semester I {self.kode[:4]}"
        if self.kode.endswith("-S2"):
            return f"Semester II {self.kode[:4]}"
        return self.kode


def parse_acuan(text: str, today: date | None = None) -> Acuan:
    """'2025-S2', '2025 S1', '2025-semester-2', '2025' -> Acuan; PMKSError in Indonesian otherwise."""
    match = _ACUAN.match(str(text))
    if not match:
        raise PMKSError(f"tanggal acuan '{text}' tidak dikenali; tulis tahun (mis. 2025) atau semester (mis. 2025-S1, 2025-S2)")
    year, sem = int(match.group(1)), (match.group(2) or "").lower()
    semester = {"1": 1, "i": 1, "2": 2, "ii": 2}.get(sem)
    acuan = Acuan(f"{year}-S{semester}" if semester else str(year), date(year, 6, 30) if semester == 1 else date(year, 12, 31))
    today = today or date.today()
    if year < 1960 or date(acuan.tanggal.year, acuan.tanggal.month, 1) > today:
        raise PMKSError(f"tanggal acuan {acuan.label} belum tiba atau tidak masuk akal (hari ini {fmt.tanggal(today)})")
    return acuan


@dataclass
class PopulationResult(HasIssues):
    file: str
    sha256: str
    size: int
    status: str = "rejected"  # accepted | rejected | unchanged
    layouts: list[str] = field(default_factory=list)
    tally: list = field(default_factory=list)  # etl.find.reading.Tally per sheet
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # kode_wilayah, jumlah, laki_laki, perempuan, sheet, baris
    desa: list[str] = field(default_factory=list)  # every area the file gives, those skipped as unchanged too (its kept copy's area)
    issues: list[Issue] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # "Menilo: 3.210 → 3.254"
    replaces: int = 0
    note: str = ""
    kecamatan: pd.DataFrame = field(default_factory=pd.DataFrame)  # desa totals beside the kecamatan census figure
    content: bytes = field(default=b"", repr=False)  # the file as received, kept with its import (etl.write.kept)


def analyse(con: duckdb.DuckDBPyConnection, name: str, data: bytes, sheets: list[Sheet] | Unreadable, acuan: Acuan,
            *, replace: bool = False, scope: str = "", sintetis: bool = False) -> PopulationResult:
    """Everything importing one population file would do, without writing anything."""
    result = PopulationResult(name, hashlib.sha256(data).hexdigest(), len(data), content=data)
    if not con.execute("select count(*) from information_schema.tables where table_name = 'penduduk_desa'").fetchall()[0][0]:
        raise PMKSError("Basis data belum disiapkan untuk penduduk desa. Jalankan dulu: python -m etl init")
    earlier = con.execute("""
        select f.nama_berkas, b.waktu, b.id from berkas_impor f join impor_batch b on b.id = f.batch_id
        where b.status = 'aktif' and b.jenis = 'penduduk' and f.sha256 = ?""", [result.sha256]).fetchone()
    if earlier:
        result.status = "unchanged"
        result.note = (f"berkas yang sama persis sudah diimpor pada {fmt.tanggal(earlier[1].date())} (batch {earlier[2]}, "
                       f"'{earlier[0]}'); tidak ada yang diubah")
        return result
    if isinstance(sheets, Unreadable):
        result.issues.append(Issue("error", None, None, None, f"berkas tidak dapat dibaca: {sheets}",
                                   "simpan ulang berkas sebagai .xlsx atau .csv dari Excel/LibreOffice"))
        return result
    gaz = Gazetteer.from_db(con)
    lexicon = Lexicon(gaz, IndicatorMatcher.from_db(con))
    raws = []
    for sheet in sheets:
        found = read_population_sheet(sheet.name, sheet.rows, sheet.merged, lexicon)
        result.layouts.extend(found.layouts)
        result.tally.append(found.tally)
        for severity, row, col, message, suggestion in found.problems:
            result.issues.append(Issue(severity, sheet.name, row, col, message, suggestion))
        raws.extend(found.rows)
    if not raws and not result.errors:
        result.issues.append(Issue("error", None, None, None, "tidak ada tabel penduduk desa yang dikenali dalam berkas ini",
                                   "gunakan templat penduduk (python -m etl template --penduduk): kolom kode desa atau "
                                   "kecamatan dan desa, lalu L, P, Jumlah"))
    frame = _resolve(gaz, raws, result, scope)
    if frame is not None and not result.errors:
        _plan(con, gaz, frame, result, acuan, replace, sintetis)
    if result.errors:
        result.status, result.rows, result.changes, result.replaces = "rejected", pd.DataFrame(), [], 0
    elif result.status != "unchanged":
        result.status = "accepted"
    return result


def _count(value, column: str | None, raw, label: str, issues: list[Issue]) -> int | None:
    """A population count from a cell: None when blank; an issue when unreadable or not > 0."""
    if column is None or not cell_text(value):
        return None
    number, problem = parse_count(value)
    if problem:
        issues.append(Issue("error", raw.sheet, raw.row, column, f"{label}: {problem}", "isi dengan bilangan bulat > 0"))
        return None
    return number


def _full_code(raw) -> str | None:
    """The row's code when it is a whole desa code; a split one ('2001' beside kode kecamatan '10') leaves the names to
    decide, as long as the row has a desa name."""
    if raw.kode and (not raw.desa or (parse_code(raw.kode) or "").count(".") == 3):
        return raw.kode
    return None


def _match(gaz: Gazetteer, raw, kec_code: str | None) -> Match:
    code = _full_code(raw)
    match = gaz.match_desa(code or raw.desa or "", kec_code)
    if match.code is not None and code and raw.desa:  # a code and a name: they must name the same desa
        by_name = gaz.match_desa(raw.desa, gaz.parent[match.code])
        if by_name.code is not None and by_name.code != match.code:
            return Match(None, 0.0, "conflict", [(match.code, gaz.label(match.code), 100.0), (by_name.code, gaz.label(by_name.code), 100.0)])
    return match


def _desa_issue(gaz: Gazetteer, raw, kec_code, match: Match) -> str:
    written = raw.desa or raw.kode
    if match.how == "elsewhere":
        return f"desa '{written}' tidak berada di Kecamatan {gaz.names.get(kec_code, kec_code)}; nama/kode itu ada di " + \
            ", ".join(label for _, label, _ in match.candidates[:3])
    if match.how == "ambiguous":
        return f"desa '{written}' ada di {len(match.candidates)} kecamatan; berkas tidak menyebut kecamatannya"
    if match.how == "conflict":
        return f"kode desa '{raw.kode}' tidak sesuai dengan nama '{raw.desa}'"
    if raw.kode and match.how == "none":
        return f"kode desa '{raw.kode}' tidak ada di wilayah basis data ini"
    return f"desa '{written}' tidak ditemukan" + (f" di Kecamatan {gaz.names[kec_code]}" if kec_code else "")


def _resolve_desa(gaz: Gazetteer, raw: PopRow, kecs: dict, scope: str, issues: list[Issue]) -> str | None:
    """The desa code of a row (matched within its kecamatan), or None with an issue saying why."""
    kec_code = None
    if raw.kecamatan and not _full_code(raw):
        if raw.kecamatan not in kecs:
            kecs[raw.kecamatan] = gaz.match_kecamatan(raw.kecamatan)
        kmatch = kecs[raw.kecamatan]
        if not kmatch.ok:
            issues.append(Issue("error", raw.sheet, *raw.kecamatan_at, f"kecamatan '{raw.kecamatan}' tidak dikenal", _candidates(kmatch)))
            return None
        kec_code = kmatch.code
    match = _match(gaz, raw, kec_code)
    if not match.ok:  # a code that names no desa is reported in the code's column, not the name's
        column = raw.cols.get("kode", raw.desa_col) if _full_code(raw) and match.how in ("none", "elsewhere") else raw.desa_col
        issues.append(Issue("error", raw.sheet, raw.row, column, _desa_issue(gaz, raw, kec_code, match), _candidates(match)))
        return None
    assert match.code is not None  # match.ok
    if scope and not match.code.startswith(scope):
        issues.append(Issue("error", raw.sheet, raw.row, raw.desa_col, f"desa {gaz.label(match.code)} di luar kecamatan Anda", None))
        return None
    if match.how == "fuzzy":
        issues.append(Issue("warning", raw.sheet, raw.row, raw.desa_col, f"desa '{raw.desa}' dibaca sebagai {gaz.label(match.code)} "
                            f"(kemiripan {match.score:.0f}%)", "simpan sebagai alias bila benar: python -m etl alias"))
    return match.code


def _resolve_counts(raw, name: str, issues: list[Issue]) -> tuple[int, int | None, int | None] | None | str:
    """(jumlah, L, P) of a row; None with an issue when wrong; 'kosong' when the row holds no number at all."""
    errors = sum(i.severity == "error" for i in issues)
    lk = _count(raw.laki_laki, raw.cols.get("l"), raw, "L (laki-laki)", issues)
    pr = _count(raw.perempuan, raw.cols.get("p"), raw, "P (perempuan)", issues)
    total = _count(raw.jumlah, raw.cols.get("jumlah"), raw, "jumlah", issues)
    if sum(i.severity == "error" for i in issues) > errors:
        return None
    if total is None and lk is None and pr is None:
        return "kosong"
    if total is None and lk is not None and pr is not None:
        total = lk + pr
    where = raw.cols.get("jumlah") or raw.cols.get("l")
    if total is None:
        issues.append(Issue("error", raw.sheet, raw.row, where, f"jumlah penduduk {name} kosong", "isi Jumlah, atau L dan P"))
    elif total == 0:
        issues.append(Issue("error", raw.sheet, raw.row, where, f"jumlah penduduk {name} 0", "isi jumlah penduduk desa (> 0)"))
    elif lk is not None and pr is not None and lk + pr != total:
        issues.append(Issue("error", raw.sheet, raw.row, where, f"L + P = {fmt.angka(lk)} + {fmt.angka(pr)} = {fmt.angka(lk + pr)}, "
                            f"tetapi jumlah tertulis {fmt.angka(total)}", "perbaiki L, P atau jumlah"))
    else:
        return total, lk, pr
    return None


def _cell(raw) -> str | None:
    """Where a row's figure stands: the Jumlah column's letter when its cell is filled, else 'C12+D12' (L + P)."""
    if raw.cols.get("jumlah") and cell_text(raw.jumlah):
        return raw.cols["jumlah"]
    parts = [f"{raw.cols[k]}{raw.row}" for k in ("l", "p") if raw.cols.get(k)]
    return "+".join(parts) if len(parts) > 1 else (raw.cols.get("l") or raw.cols.get("p"))


def _resolve(gaz: Gazetteer, raws: list, result: PopulationResult, scope: str) -> pd.DataFrame:
    """Codes and counts of every row; an issue for everything that does not resolve (name and numbers of a row are
    both checked, so one pass lists every error)."""
    kecs: dict[str, Match]
    issues, rows, kecs, skipped = result.issues, [], {}, []
    for raw in raws:
        code = _resolve_desa(gaz, raw, kecs, scope, issues)
        counts = _resolve_counts(raw, gaz.label(code) if code else f"'{raw.desa or raw.kode}'", issues)
        if counts == "kosong":
            skipped.append(raw.row)  # a desa row left blank (e.g. a template filled in part)
        elif code and counts:
            rows.append((code, *counts, raw.sheet, raw.row, _cell(raw)))
    frame = pd.DataFrame(rows, columns=["kode_wilayah", "jumlah", "laki_laki", "perempuan", "sheet", "baris", "kolom"])
    if skipped:  # rows of a template left blank on purpose: a note, not a warning to act on
        result.note = f"{fmt.angka(len(skipped))} desa dibiarkan kosong dan dilewati; angkanya tidak berubah"
    if frame.empty and raws and not result.errors:
        issues.append(Issue("error", raws[0].sheet, None, None, "tidak ada angka penduduk dalam tabel", "isi kolom L, P atau Jumlah"))
    for code, group in frame[frame.duplicated("kode_wilayah", keep=False)].groupby("kode_wilayah"):
        lines = ", ".join(str(r) for r in group["baris"])
        issues.append(Issue("error", group["sheet"].iloc[1], int(group["baris"].iloc[1]), group["kolom"].iloc[1],
                            f"{gaz.label(code)} tertulis lebih dari sekali (baris {lines})", "hapus salah satu baris"))
    return frame


def _candidates(match: Match) -> str | None:
    return ("mungkin: " + "; ".join(f"{label} [{code}]" for code, label, _ in match.candidates[:3])) if match.candidates else None


def _plan(con, gaz: Gazetteer, frame: pd.DataFrame, result: PopulationResult, acuan: Acuan, replace: bool, sintetis: bool) -> None:
    """Compare with the stored figures: same reference date (unchanged, replaced or refused) and the previous one (jumps)."""
    con.register("_pop_new", frame[["kode_wilayah"]])
    stored = con.execute("""
        select p.kode_wilayah, p.acuan, p.acuan_label, p.sumber, p.jumlah, p.laki_laki, p.perempuan, p.nama_berkas, p.sintetis
        from penduduk_desa p join _pop_new n using (kode_wilayah) where p.aktif and (p.acuan <= ? or p.acuan = ?)
        order by p.kode_wilayah, p.acuan""", [acuan.tanggal, acuan.tanggal]).df()
    con.unregister("_pop_new")
    # a real file takes a demo's synthetic figure of the same date without --replace (the demo yields to real data)
    same = stored[(stored["acuan"].dt.date == acuan.tanggal) & (stored["sintetis"] == sintetis)].set_index("kode_wilayah")
    before = stored[(stored["acuan"].dt.date < acuan.tanggal) & (stored["sintetis"] == sintetis)].groupby("kode_wilayah").last()
    keep = []
    for row in frame.itertuples():
        old = same.loc[row.kode_wilayah] if row.kode_wilayah in same.index else None
        unchanged = old is not None and old["jumlah"] == row.jumlah and _eq(old["laki_laki"], row.laki_laki) and _eq(old["perempuan"], row.perempuan)
        keep.append(not unchanged)
        if old is not None and not unchanged:
            change = f"{gaz.names[row.kode_wilayah]}: {fmt.angka(old['jumlah'])} → {fmt.angka(row.jumlah)}"
            if replace:
                result.changes.append(change)
                result.replaces += 1
            else:
                result.issues.append(Issue("error", row.sheet, row.baris, row.kolom,
                                           f"penduduk {gaz.label(row.kode_wilayah)} {acuan.label} sudah ada ({SUMBER.get(old['sumber'], old['sumber'])}, "
                                           f"berkas '{old['nama_berkas']}'): {change}",
                                           "periksa lalu impor ulang dengan --replace (di aplikasi: centang 'ganti') untuk menggantinya"))
        if row.kode_wilayah in before.index:
            prev = before.loc[row.kode_wilayah]
            share = row.jumlah / prev["jumlah"] - 1
            if abs(share) > JUMP_SHARE:
                result.issues.append(Issue("warning", row.sheet, row.baris, row.kolom,
                                           f"{gaz.label(row.kode_wilayah)}: {fmt.angka(row.jumlah)} berubah {'+' if share > 0 else ''}"
                                           f"{fmt.angka(share * 100, 1)}% dari {fmt.angka(prev['jumlah'])} ({SUMBER.get(prev['sumber'])} "
                                           f"{Acuan(prev['acuan_label'], prev['acuan'].date()).label})", "pastikan angka ini dengan sumbernya"))
    result.kecamatan = kecamatan_comparison(con, frame, acuan)
    result.desa = sorted(set(frame["kode_wilayah"]))
    frame = frame[keep]
    if frame.empty and not result.errors:
        result.status = "unchanged"
        result.note = _also(result.note, "semua angka dalam berkas ini sama dengan yang sudah tersimpan; tidak ada yang diubah")
    elif not all(keep):
        result.note = _also(result.note, f"{fmt.angka(len(keep) - sum(keep))} desa sama dengan yang tersimpan dan dilewati")
    result.rows = frame.reset_index(drop=True)


def _also(note: str, more: str) -> str:
    return f"{note}; {more}" if note else more


def _eq(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and int(a) == int(b))


def kecamatan_comparison(con, frame: pd.DataFrame, acuan: Acuan) -> pd.DataFrame:
    """Per kecamatan of the file: desa in the file and in the kecamatan, their total, and the kecamatan's census
    figure nearest the reference date, side by side (a difference is information, not an error)."""
    sums = frame.assign(kec=frame["kode_wilayah"].str[:8]).groupby("kec").agg(desa_berkas=("jumlah", "size"), jumlah_desa=("jumlah", "sum"))
    con.register("_kec", sums.reset_index())
    out = con.execute("""
        select k.kode, k.nama as kecamatan, s.desa_berkas,
               (select count(*) from wilayah d where d.kode_induk = k.kode and d.tingkat = 'desa') as desa_kecamatan,
               s.jumlah_desa,
               (select p.jumlah from penduduk p where p.kode_wilayah = k.kode order by abs(p.tahun - ?), p.tahun limit 1) as sensus,
               (select p.tahun from penduduk p where p.kode_wilayah = k.kode order by abs(p.tahun - ?), p.tahun limit 1) as tahun_sensus
        from _kec s join wilayah k on k.kode = s.kec order by k.nama""", [acuan.tanggal.year, acuan.tanggal.year]).df()
    con.unregister("_kec")
    out["selisih"] = out["jumlah_desa"] / out["sensus"] - 1
    return out


def commit(con: duckdb.DuckDBPyConnection, result: PopulationResult, acuan: Acuan, sumber: str, user: str, *,
           perkiraan: bool = False, sintetis: bool = False) -> int | None:
    """Write an accepted file as one batch (the caller holds the transaction); returns the batch id."""
    if result.status != "accepted" or result.rows.empty:
        return None
    batch = new_batch(con, user, "penduduk", f"penduduk {SUMBER[sumber]} {acuan.label}: {result.file}"[:500])
    rows = result.rows.assign(acuan=acuan.tanggal, acuan_label=acuan.kode, sumber=sumber, perkiraan=perkiraan, sintetis=sintetis,
                              batch_id=batch, nama_berkas=result.file, sha256=result.sha256, diterima=datetime.now())
    rows = rows.assign(laki_laki=rows["laki_laki"].astype("Int64"), perempuan=rows["perempuan"].astype("Int64"))
    con.register("_pop_in", rows)
    con.execute("""update penduduk_desa set aktif = false, diganti_batch = ?
                   where aktif and acuan = ? and kode_wilayah in (select kode_wilayah from _pop_in)""", [batch, acuan.tanggal])
    con.execute("""
        insert into penduduk_desa (kode_wilayah, acuan, acuan_label, sumber, jumlah, laki_laki, perempuan, perkiraan, sintetis,
                                   batch_id, nama_berkas, sha256, sheet, baris, kolom, diterima, aktif)
        select kode_wilayah, acuan, acuan_label, sumber, jumlah, laki_laki, perempuan, perkiraan, sintetis,
               batch_id, nama_berkas, sha256, sheet, baris, kolom, diterima, true from _pop_in""")
    con.unregister("_pop_in")
    con.execute("insert into berkas_impor values (?, ?, ?, ?, ?)", [batch, result.file, result.sha256, result.size, len(rows)])
    kept.keep(con, result.file, result.content, result.desa or list(rows["kode_wilayah"]), user)
    details = {"batch": batch, "sumber": sumber, "acuan": acuan.kode, "desa": len(rows), "perubahan": result.changes[:500]}
    write_audit(con, user, "impor_penduduk", result.file, json.dumps(details, ensure_ascii=False))
    kept.prune(con, user)
    return batch


def rollback(con: duckdb.DuckDBPyConnection, batch_id: int, user: str) -> dict:
    """Undo a population batch exactly: its figures leave, the figures it replaced come back. Inside a transaction."""
    row = con.execute("select status, jenis from impor_batch where id = ?", [batch_id]).fetchone()
    if row is None or row[1] != "penduduk":
        raise PMKSError(f"Batch {batch_id} bukan batch impor penduduk (lihat: python -m etl history).")
    if row[0] != "aktif":
        raise PMKSError(f"Batch impor {batch_id} sudah dibatalkan sebelumnya.")
    later = con.execute("select distinct diganti_batch from penduduk_desa where batch_id = ? and not aktif and diganti_batch is not null order by 1",
                        [batch_id]).fetchall()
    if later:
        raise PMKSError(f"Sebagian angka penduduk batch {batch_id} sudah diganti oleh batch {', '.join(str(r[0]) for r in later)}; batalkan batch itu dulu.")
    undo = new_batch(con, user, "rollback", f"membatalkan batch penduduk {batch_id}")
    removed = con.execute("update penduduk_desa set aktif = false, diganti_batch = ? where batch_id = ? and aktif", [undo, batch_id]).fetchall()[0][0]
    restored = con.execute("update penduduk_desa set aktif = true, diganti_batch = null where diganti_batch = ?", [batch_id]).fetchall()[0][0]
    con.execute("update impor_batch set status = 'dibatalkan' where id = ?", [batch_id])
    return {"batch": undo, "dihapus": int(removed), "dipulihkan": int(restored)}
