"""Synthetic desa population files for the tests (SINTETIS: made-up figures on the real Tuban gazetteer)."""

from __future__ import annotations

import io

import duckdb
import xlsxwriter


def gazetteer(db) -> list[tuple[str, str, str]]:
    """(kode, kecamatan, desa) of every desa, by code."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("""select d.kode, k.nama, d.nama from wilayah d join wilayah k on k.kode = d.kode_induk
                              where d.tingkat = 'desa' order by d.kode""").fetchall()
    finally:
        con.close()


def figures(desa: list, shift: int = 0) -> dict[str, tuple[int, int]]:
    """Made-up (L, P) per desa code, different per desa; `shift` moves every figure a little."""
    return {k: (900 + (i * 37) % 800 + shift, 950 + (i * 53) % 700 + shift) for i, (k, _, _) in enumerate(desa)}


def dukcapil_xlsx(desa: list, values: dict, extra_rows: list[list] | None = None) -> bytes:
    """A Dukcapil-style workbook: title, merged two-row header ('Jumlah Penduduk' over L | P | Jumlah), kecamatan and
    desa names in capitals, a totals row and a signature block."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("DKB")
    sheet.write(0, 0, "DATA KONSOLIDASI BERSIH PENDUDUK PER DESA/KELURAHAN SEMESTER II 2025 (SINTETIS)")
    for c, title in enumerate(["No", "Kecamatan", "Desa/Kelurahan"]):
        sheet.merge_range(2, c, 3, c, title)
    sheet.merge_range(2, 3, 2, 5, "Jumlah Penduduk")
    sheet.write_row(3, 3, ["L", "P", "Jumlah"])
    rows = [[i + 1, kec.upper(), name.upper(), *values[k], sum(values[k])] for i, (k, kec, name) in enumerate(d for d in desa if d[0] in values)]
    rows += extra_rows or []
    for r, row in enumerate(rows, start=4):
        sheet.write_row(r, 0, row)
    end = 4 + len(rows)
    sheet.write_row(end, 0, ["", "JUMLAH", "", sum(v[0] for v in values.values()), sum(v[1] for v in values.values())])
    sheet.write(end + 2, 4, "Kepala Dinas Kependudukan dan Pencatatan Sipil")
    book.close()
    return buffer.getvalue()


def codes_csv(desa: list, values: dict) -> bytes:
    """An export with undotted Kemendagri codes, names and L;P;Jumlah, semicolon-separated, Windows-1252."""
    lines = ["Kode Wilayah;Nama Desa;Laki-laki;Perempuan;Jumlah"]
    lines += [f"{k.replace('.', '')};{name};{values[k][0]};{values[k][1]};{sum(values[k]):,}".replace(",", ".")
              for k, _, name in desa if k in values]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def recap_xlsx(kecamatan: str, desa: list, values: dict) -> bytes:
    """A BPS 'Kecamatan … Dalam Angka' table: the kecamatan only in the title, desa names and Jumlah only."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Tabel 3.1.2")
    sheet.write(0, 0, f"Kecamatan {kecamatan} Dalam Angka 2025 (SINTETIS)")
    sheet.write(1, 0, "Jumlah Penduduk Menurut Desa/Kelurahan, 2024")
    sheet.write_row(3, 0, ["Desa/Kelurahan", "Penduduk"])
    sheet.write_row(4, 0, ["(1)", "(2)"])
    rows = [[name, sum(values[k])] for k, kec, name in desa if kec == kecamatan and k in values]
    for r, row in enumerate(rows, start=5):
        sheet.write_row(r, 0, row)
    sheet.write_row(5 + len(rows), 0, [f"Kecamatan {kecamatan}", sum(sum(values[k]) for k, kec, _ in desa if kec == kecamatan)])
    book.close()
    return buffer.getvalue()


def pmks_long_csv(rows: list[tuple[str, str, str, str, int]]) -> bytes:
    """A PMKS long table: (kecamatan, desa, indikator, periode, jumlah) per row."""
    lines = ["Kecamatan;Desa;Jenis PMKS;Periode;Jumlah"] + [";".join(map(str, r)) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
