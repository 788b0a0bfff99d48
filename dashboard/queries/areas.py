"""Questions about the warehouse and its areas: settings, months, lists of areas and indicators, map shapes, imports."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.queries.base import Con


def warehouse_info(con: Con) -> dict:
    """Region, last load and whether the data is synthetic."""
    row = con.execute("""
        select (select nilai from pengaturan where kunci = 'kode_wilayah'),
               exists (select 1 from laporan where aktif and sintetis),
               (select max(waktu) from impor_batch where status = 'aktif'),
               (select coalesce(sum(laporan), 0) from agregat_laporan where tingkat = 'semua' and kode_wilayah = ''),
               (select count(*) from batas_wilayah)
    """).fetchall()[0]
    code = row[0]
    name = con.execute("select nama from wilayah where kode = ?", [code]).fetchone() if code else None
    return {"kode": code, "nama": name[0] if name else None, "sintetis": bool(row[1]), "dimuat": row[2], "laporan": row[3], "batas": row[4]}


def setting(con: Con, key: str) -> str | None:
    """A value of the `pengaturan` table (configuration kept in the warehouse)."""
    row = con.execute("select nilai from pengaturan where kunci = ?", [key]).fetchone()
    return row[0] if row else None


def periods(con: Con) -> list[date]:
    """Months that have at least one active report, oldest first."""
    return [r[0] for r in con.execute("select periode from agregat_laporan where tingkat = 'semua' and kode_wilayah = '' and laporan > 0 order by periode").fetchall()]


def latest_complete_month(con: Con, today: date, due_day: int) -> date | None:
    """The newest month with reports whose due date (day `due_day` of the next month) has passed."""
    for p in reversed(periods(con)):
        nxt = date(p.year + (p.month == 12), p.month % 12 + 1, due_day)
        if nxt < today:
            return p
    ps = periods(con)
    return ps[0] if ps else None


def kecamatan_list(con: Con) -> pd.DataFrame:
    return con.execute("select kode, nama from wilayah where tingkat = 'kecamatan' order by nama").df()


def desa_list(con: Con, kecamatan: str = "") -> pd.DataFrame:
    return con.execute(
        """
        select d.kode, d.nama, d.jenis, k.nama as kecamatan from wilayah d join wilayah k on k.kode = d.kode_induk
        where d.tingkat = 'desa' and starts_with(d.kode, ?) order by d.nama
        """,
        [kecamatan],
    ).df()


def indikator_list(con: Con, only_active: bool = True) -> pd.DataFrame:
    return con.execute(
        "select kode, nomor, nama, singkatan, kelompok, definisi, aktif, sumber from indikator where aktif or not ? order by nomor",
        [only_active],
    ).df()


def desa_count(con: Con, area: str) -> int:
    return con.execute("select count(*) from wilayah where tingkat = 'desa' and starts_with(kode, ?)", [area]).fetchall()[0][0]


def area_label(con: Con, kode: str) -> str:
    """'Menilo (Kec. Soko)' for a desa, 'Kec. Soko' for a kecamatan."""
    row = con.execute("""select w.nama, w.tingkat, k.nama from wilayah w left join wilayah k on k.kode = w.kode_induk
                         where w.kode = ?""", [kode]).fetchone()
    if row is None:
        return kode
    return f"{row[0]} (Kec. {row[2]})" if row[1] == "desa" else (f"Kec. {row[0]}" if row[1] == "kecamatan" else row[0])


DETAIL_TOLERANCE = 0.0005  # degrees (about 55 m): the desa of one kecamatan fill the map, so they are drawn finer


def map_geometry(con: Con, tingkat: str, area: str) -> pd.DataFrame:
    """Simplified map geometry (GeoJSON strings prepared at import) of the kecamatan or desa in an area;
    the coarser copy when the map spans more than one kabupaten; the desa of one kecamatan simplified afresh from
    the imported polygons with a finer tolerance (about 20 desa: a few tens of KB)."""
    frame = con.execute(
        """
        with b as (select * from batas_wilayah where tingkat = ? and starts_with(kode, ?)),
        wide as (select count(distinct left(kode, 5)) > 1 as wide from b)
        select kode, case when wide.wide then coalesce(geom_peta_ringkas, geom_peta) else geom_peta end as geom_peta,
               geom_wkb
        from b, wide order by kode
        """,
        [tingkat, area],
    ).df()
    if tingkat == "desa" and len(area) == 8 and not frame.empty:
        import shapely

        from common.geometry import simplify_for_map

        geoms = shapely.from_wkb([bytes(g) if g is not None and len(g) else None for g in frame["geom_wkb"]], on_invalid="ignore")
        if not any(g is None or shapely.is_empty(g) for g in geoms):
            frame["geom_peta"] = simplify_for_map(geoms, DETAIL_TOLERANCE)
    return frame.drop(columns="geom_wkb")


def import_batches(con: Con, area: str = "") -> pd.DataFrame:
    """Every import batch with who, when, what and how much. With an area (a user's kecamatan scope), only the
    batches that touch it (a report of theirs lies in it, or was replaced or undone by them), `laporan` counts only
    their reports in it, and `di_luar` says whether the batch also touches reports outside it."""
    return con.execute("""
        with touched as (
            select batch_id as id, kode_desa from laporan
            union all select diganti_batch, kode_desa from laporan where diganti_batch is not null
        ), scope as (
            select id, bool_or(starts_with(kode_desa, ?)) as di_dalam, bool_or(not starts_with(kode_desa, ?)) as di_luar
            from touched group by id
        )
        select b.id, b.waktu, b.pengguna, b.jenis, b.status, b.keterangan,
               count(distinct f.sha256) as berkas,
               (select count(*) from laporan l where l.batch_id = b.id and starts_with(l.kode_desa, ?)) as laporan,
               string_agg(f.nama_berkas || ' (' || left(f.sha256, 12) || ')', '; ' order by f.nama_berkas) as rincian,
               coalesce(any_value(s.di_luar), false) as di_luar
        from impor_batch b left join berkas_impor f on f.batch_id = b.id left join scope s on s.id = b.id
        where ? = '' or coalesce(s.di_dalam, false)
        group by all order by b.id desc
    """, [area, area, area, area]).df()


def audit_log(con: Con, limit: int = 500) -> pd.DataFrame:
    return con.execute("select waktu, pengguna, aksi, objek, rincian from audit order by id desc limit ?", [limit]).df()
