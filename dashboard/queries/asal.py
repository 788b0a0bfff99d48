"""The provenance panel's questions (issue 26): the reports, values, cells, batches and kept files behind a number.

Unlike the other page queries these run on `store.read()` (the warehouse itself, on PostgreSQL too: the pages' copy
holds no `laporan_nilai` and no kept files), so every statement is portable (`?` parameters, `starts_with`, no DuckDB
dialect). Each reads a handful of rows: one month of one area's reports, then the values of those report ids only
(bounded by their id range as well, so DuckDB skips the row groups of other months of a 120-million-row fact table).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.queries.base import Con

REPORT_COLUMNS = ["id", "kode_desa", "batch_id", "nama_berkas", "sheet", "sha256", "nama_psm", "diterima", "aktif", "diganti_batch",
                  "sintetis", "jenis", "status", "pengguna", "waktu", "keterangan", "ganti_jenis", "ganti_pengguna", "ganti_waktu",
                  "ganti_keterangan"]


def area_row(con: Con, area: str) -> tuple[str, str, str] | None:
    """(kode, nama, tingkat) of an area code, or None when the warehouse does not know it."""
    row = con.execute("select kode, nama, tingkat from wilayah where kode = ?", [area]).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def parts(con: Con, area: str, tingkat: str) -> pd.DataFrame:
    """The areas one level below `area` whose figures add up to it (kode, nama, kode_induk, nama_induk); desa for a
    kecamatan or a desa itself."""
    return con.execute("""
        select d.kode, d.nama, d.kode_induk, k.nama as nama_induk from wilayah d left join wilayah k on k.kode = d.kode_induk
        where d.tingkat = ? and starts_with(d.kode, ?) order by d.kode""", [tingkat, area]).df()


def indicators(con: Con, codes: tuple[str, ...]) -> pd.DataFrame:
    """kode, nama of the indicators a number counts: the chosen ones, or every active one (as the pages count)."""
    if codes:
        return con.execute("select kode, nama from indikator where kode in (select unnest(?::varchar[])) order by nomor",
                           [list(codes)]).df()
    return con.execute("select kode, nama from indikator where aktif order by nomor").df()


def reports(con: Con, area: str, periode: date) -> pd.DataFrame:
    """Every report of the area's desa for the month, active, replaced and rolled back, with its batch and the batch
    that replaced it (REPORT_COLUMNS), oldest first."""
    return con.execute("""
        select l.id, l.kode_desa, l.batch_id, l.nama_berkas, l.sheet, l.sha256, l.nama_psm, l.diterima, l.aktif, l.diganti_batch,
               l.sintetis, b.jenis, b.status, b.pengguna, b.waktu, b.keterangan,
               g.jenis as ganti_jenis, g.pengguna as ganti_pengguna, g.waktu as ganti_waktu, g.keterangan as ganti_keterangan
        from laporan l
        join impor_batch b on b.id = l.batch_id
        left join impor_batch g on g.id = l.diganti_batch
        where l.periode = ? and starts_with(l.kode_desa, ?)
        order by l.kode_desa, l.id""", [periode, area]).df().reindex(columns=REPORT_COLUMNS)


def values(con: Con, ids: list[int], codes: list[str]) -> pd.DataFrame:
    """laporan_id, kode_indikator, jumlah, laki_laki, perempuan, baris, kolom of the given reports and indicators."""
    if not ids:
        return pd.DataFrame(columns=["laporan_id", "kode_indikator", "jumlah", "laki_laki", "perempuan", "baris", "kolom"])
    return con.execute("""
        select laporan_id, kode_indikator, jumlah, laki_laki, perempuan, baris, kolom from laporan_nilai
        where laporan_id between ? and ? and laporan_id in (select unnest(?::bigint[]))
          and kode_indikator in (select unnest(?::varchar[]))
        order by laporan_id, kode_indikator""", [min(ids), max(ids), [int(i) for i in ids], codes]).df()


def kept_files(con: Con, digests: list[str]) -> pd.DataFrame:
    """sha256, nama_berkas, ukuran, wilayah of the files among `digests` whose bytes are still kept."""
    return con.execute("select sha256, nama_berkas, ukuran, wilayah from berkas_asli where sha256 in (select unnest(?::varchar[]))",
                       [list(digests)]).df()


def part_totals(con: Con, tingkat: str, area: str, periode: date, codes: list[str]) -> pd.DataFrame:
    """kode, jumlah, laporan per area of a level inside `area` for the month, from the marts (a kabupaten or wider
    number is explained by its kecamatan, each of which has a panel of its own)."""
    return con.execute("""
        select r.kode_wilayah as kode, r.laporan, coalesce(v.jumlah, 0) as jumlah
        from agregat_laporan r left join (
            select kode_wilayah, sum(jumlah) as jumlah from agregat_bulanan
            where tingkat = ? and starts_with(kode_wilayah, ?) and periode = ? and kode_indikator in (select unnest(?::varchar[]))
            group by kode_wilayah) v on v.kode_wilayah = r.kode_wilayah
        where r.tingkat = ? and starts_with(r.kode_wilayah, ?) and r.periode = ? and r.laporan > 0""",
                       [tingkat, area, periode, codes, tingkat, area, periode]).df()


def population_cells(con: Con, desa: list[str]) -> pd.DataFrame:
    """Where the active desa population figures of these desa were read: kode_wilayah, acuan, jumlah, nama_berkas,
    sha256, sheet, baris, kolom, batch_id, pengguna, waktu."""
    return con.execute("""
        select p.kode_wilayah, p.acuan, p.jumlah, p.nama_berkas, p.sha256, p.sheet, p.baris, p.kolom, p.batch_id, b.pengguna, b.waktu
        from penduduk_desa p join impor_batch b on b.id = p.batch_id
        where p.aktif and p.kode_wilayah in (select unnest(?::varchar[]))""", [list(desa)]).df()


def app_steps(con: Con, area: str, periode: date) -> pd.DataFrame:
    """kode_desa, ke, pengguna, waktu of every step of the month's reports entered in the app (issue 25: sent,
    verified, approved, returned, withdrawn) in the area, oldest first."""
    return con.execute("""
        select kode_desa, ke, pengguna, waktu from lapor_langkah
        where periode = ? and starts_with(kode_desa, ?) order by kode_desa, id""", [periode, area]).df()
