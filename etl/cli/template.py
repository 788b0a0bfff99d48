"""The official per-desa PSM form as an .xlsx with drop-down lists and whole-number validation.

The layout is the `form` layout of `etl.find.reports`, so `python -m etl import` reads a filled-in copy
without warnings. Lists live on a hidden sheet; with no kecamatan chosen the desa list follows the
kecamatan cell through INDIRECT on one named range per kecamatan.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import xlsxwriter

from common import fmt

FIRST_ROW = 9  # Excel row of the first indicator (1-based)


def _months(today: date, count: int = 25) -> list[str]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(fmt.bulan(date(year, month, 1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def build_template(wilayah: pd.DataFrame, indikator: pd.DataFrame, region_name: str, kecamatan: str | None = None,
                   today: date | None = None) -> bytes:
    """The form as bytes. `wilayah` has kode, nama, tingkat, kode_induk; `indikator` has nomor, nama in order.

    Long because it writes one worksheet cell block after another, in the order a PSM fills them in."""
    today = today or date.today()
    kec = wilayah[wilayah["tingkat"] == "kecamatan"].sort_values("nama")
    if kecamatan:
        kec = kec[kec["kode"] == kecamatan]
    desa = wilayah[wilayah["tingkat"] == "desa"].sort_values("nama")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title = book.add_format({"bold": True, "font_size": 13})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#D9D9D9", "align": "center", "valign": "vcenter", "text_wrap": True})
    cell = book.add_format({"border": 1})
    number = book.add_format({"border": 1, "num_format": "0", "bg_color": "#FFFDE7"})
    total = book.add_format({"border": 1, "bold": True, "num_format": "0"})
    field = book.add_format({"bottom": 1, "bg_color": "#FFFDE7"})
    note = book.add_format({"italic": True, "font_color": "#555555", "text_wrap": True, "valign": "top"})

    sheet = book.add_worksheet("Formulir")
    lists = book.add_worksheet("Daftar")
    lists.hide()

    # Lists: A kecamatan names, B kecamatan range names, C months, D indicators, then one column per kecamatan of desa names.
    lists.write_column(0, 0, kec["nama"].tolist())
    lists.write_column(0, 2, _months(today))
    lists.write_column(0, 3, indikator["nama"].tolist())
    book.define_name("DaftarKecamatan", f"=Daftar!$A$1:$A${len(kec)}")
    book.define_name("DaftarBulan", f"=Daftar!$C$1:$C${len(_months(today))}")
    book.define_name("DaftarPMKS", f"=Daftar!$D$1:$D${len(indikator)}")
    for i, (code, _name) in enumerate(zip(kec["kode"], kec["nama"])):
        names = desa.loc[desa["kode_induk"] == code, "nama"].tolist()
        col = 5 + i
        lists.write_column(0, col, names)
        range_name = "Desa_" + code.replace(".", "_")
        lists.write(i, 1, range_name)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        book.define_name(range_name, f"=Daftar!${letter}$1:${letter}${max(len(names), 1)}")
    book.define_name("KodeKecamatan", f"=Daftar!$A$1:$B${len(kec)}")

    sheet.set_column("A:A", 16)
    sheet.set_column("B:B", 52)
    sheet.set_column("C:E", 11)
    sheet.write("A1", "LAPORAN BULANAN PENYANDANG MASALAH KESEJAHTERAAN SOSIAL (PMKS)", title)
    sheet.write("A2", f"Pekerja Sosial Masyarakat (PSM) — {region_name}")
    labels = [("Kecamatan", 3), ("Desa/Kelurahan", 4), ("Bulan", 5), ("Nama PSM", 6)]
    for label, row in labels:
        sheet.write(f"A{row}", label, bold)
        sheet.write(f"B{row}", ":")
    sheet.set_column("B:B", 52)
    # values go into column C..E merged, so that the label/':'/value pattern holds
    for _, row in labels:
        sheet.merge_range(f"C{row}:E{row}", "", field)
    if kecamatan and len(kec) == 1:
        sheet.write("C3", kec["nama"].iloc[0], field)
        desa_source = "=" + "Desa_" + kecamatan.replace(".", "_")
    else:
        desa_source = "=INDIRECT(VLOOKUP($C$3,KodeKecamatan,2,FALSE))"
    sheet.data_validation("C3", {"validate": "list", "source": "=DaftarKecamatan", "input_title": "Kecamatan", "input_message": "Pilih kecamatan dari daftar."})
    sheet.data_validation("C4", {"validate": "list", "source": desa_source, "input_title": "Desa/Kelurahan", "input_message": "Pilih kecamatan dulu, lalu desa dari daftar."})
    sheet.data_validation("C5", {"validate": "list", "source": "=DaftarBulan", "input_title": "Bulan laporan", "input_message": "Pilih bulan, mis. Oktober 2026."})

    sheet.write_row("A8", ["No", "Jenis PMKS", "L", "P", "Jumlah"], head)
    last = FIRST_ROW + len(indikator) - 1
    for i, name in enumerate(indikator["nama"].tolist()):
        row = FIRST_ROW + i
        sheet.write(f"A{row}", i + 1, cell)
        sheet.write(f"B{row}", name, cell)
        sheet.write_blank(f"C{row}", None, number)
        sheet.write_blank(f"D{row}", None, number)
        sheet.write_formula(f"E{row}", f'=IF(COUNT(C{row}:D{row})=0,"",SUM(C{row}:D{row}))', number, "")
    whole = {"validate": "integer", "criteria": ">=", "value": 0, "error_title": "Bukan jumlah orang",
             "error_message": "Isi dengan bilangan bulat 0 atau lebih.", "input_title": "Jumlah orang", "input_message": "Bilangan bulat ≥ 0; kosong berarti 0."}
    sheet.data_validation(f"C{FIRST_ROW}:E{last}", whole)
    sheet.data_validation(f"B{FIRST_ROW}:B{last}", {"validate": "list", "source": "=DaftarPMKS"})
    sheet.write(f"B{last + 1}", "JUMLAH", total)
    sheet.write(f"A{last + 1}", "", total)
    for letter in "CDE":
        sheet.write_formula(f"{letter}{last + 1}", f"=SUM({letter}{FIRST_ROW}:{letter}{last})", total, 0)
    sheet.write(f"D{last + 3}", f"{region_name.split(' ', 1)[-1]}, ....................")
    sheet.write(f"D{last + 4}", "PSM Desa/Kelurahan")
    sheet.write(f"D{last + 7}", "(.................................)")
    sheet.merge_range(f"A{last + 9}:E{last + 11}",
                      "Petunjuk: pilih kecamatan, desa dan bulan dari daftar; isi L dan P (atau Jumlah saja bila rincian tidak ada). "
                      "Kosong atau '-' berarti 0. Jangan mengubah nama jenis PMKS. Kirim berkas ini ke Dinsos P3A PMD.", note)
    sheet.set_row(last + 8, 30)
    sheet.freeze_panes(8, 0)
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 1)
    book.close()
    return buffer.getvalue()


def template_for(con, kecamatan: str | None = None) -> bytes:
    """The form for the warehouse behind `con` (its region, desa and active indicators)."""
    from store.schema import get_setting

    code = get_setting(con, "kode_wilayah")
    wilayah = con.execute("select kode, nama, tingkat, kode_induk from wilayah").df()
    indikator = con.execute("select nomor, kode, nama from indikator where aktif order by nomor").df()
    region = con.execute("select nama from wilayah where kode = ?", [code]).fetchone()[0]
    return build_template(wilayah, indikator, region, kecamatan)
