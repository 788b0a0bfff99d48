"""The corpus of real-world report variants (issue 15) and its manifest.

`python -m tests.corpus.generate FOLDER` writes every file into FOLDER with `manifest.json`;
`python -m tests.corpus.generate --manifest` rewrites the committed tests/corpus/manifest.json.
Each case is one way kecamatan and desa staff really write a report, written as .xlsx, .xls
(Excel 97), .ods and/or .csv. The expected outcome of every file (status, months, desa codes,
total, the cells of every planted error) follows from how the file was built: the counts are
chosen here, the desa codes are the Kemendagri codes of Tuban copied from the reference gazetteer.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date
from pathlib import Path

from tests.corpus.shapes import OFFICIAL, Expect, Form, Recap, form_grid, indicator_text, long_grid, recap_grid
from tests.corpus.writers import WRITERS, Grid

HERE = Path(__file__).resolve().parent
OKT = "2026-10"
# (kecamatan, desa) -> Kemendagri code (../shared/reference/tuban_wilayah.csv)
CODES = {
    ("Soko", "Tluwe"): "35.23.11.2001", ("Soko", "Wadung"): "35.23.11.2002", ("Soko", "Jati"): "35.23.11.2003",
    ("Soko", "Menilo"): "35.23.11.2004", ("Soko", "Cekalang"): "35.23.11.2005", ("Soko", "Pandanagung"): "35.23.11.2006",
    ("Montong", "Guwoterus"): "35.23.10.2001", ("Montong", "Manjung"): "35.23.10.2004", ("Montong", "Pakel"): "35.23.10.2007",
    ("Montong", "Sumurgung"): "35.23.10.2008", ("Montong", "Pucangan"): "35.23.10.2010",
    ("Palang", "Panyuran"): "35.23.18.1001", ("Palang", "Tasikmadu"): "35.23.18.2002", ("Palang", "Sumurgung"): "35.23.18.2004",
    ("Palang", "Pucangan"): "35.23.18.2009", ("Palang", "Leran Kulon"): "35.23.18.2013",
    ("Tuban", "Latsari"): "35.23.16.1006", ("Tuban", "Sidorejo"): "35.23.16.1010", ("Tuban", "Kebonsari"): "35.23.16.1014",
    ("Semanding", "Boto"): "35.23.15.2002", ("Semanding", "Prunggahan Kulon"): "35.23.15.2003",
    ("Semanding", "Prunggahan Wetan"): "35.23.15.2011",
}
FORM_CODES = ["ABT", "AT", "ABH", "AKTK", "LUT", "PD", "TS", "GLD", "ODHA", "KTK", "PMBS", "KBA", "KBS", "PRSE", "FM", "KBSP"]
SPREADSHEETS = ("xlsx", "xls", "ods")


def _values(rng: random.Random, codes: list[str]) -> dict[str, tuple[int, int]]:
    return {c: (rng.choice([0, 0, 1, 2, 3, 5, 8]), rng.choice([0, 1, 2, 4, 6, 9])) for c in codes}


def _entry(expect: Expect, periods: list[str], status: str = "accepted", options: dict | None = None) -> dict:
    rejected = status == "rejected"
    return {
        "status": status, "options": options or {},
        "periode": [] if rejected else periods, "desa": [] if rejected else sorted(expect.desa),
        "total": 0 if rejected else expect.total,
        "errors": sorted([list(e) for e in expect.errors], key=str), "warnings": sorted([list(w) for w in expect.warnings], key=str),
    }


def _fields(desa: str, kec: str | None, bulan) -> list[tuple[str, object]]:
    out = [("Desa/Kelurahan", desa)]
    if kec:
        out.append(("Kecamatan", kec))
    if bulan is not None:
        out.append(("Bulan", bulan))
    return out + [("Nama PSM", "Siti Aminah")]


def form_cases(rng: random.Random):
    """(name, grids, expected entry, formats) of per-desa forms."""
    def one(name, spec: Form, kec, desa, *, options=None, status="accepted", periods=(OKT,), extra=(), formats=SPREADSHEETS,
            big: dict | None = None, **errs):
        expect = Expect(desa={CODES[(kec, desa)]} if kec else set())
        grid = form_grid(spec, _values(rng, FORM_CODES) | (big or {}), expect, **errs)
        yield name, [grid, *extra], _entry(expect, list(periods), status, options), formats

    yield from one("formulir_resmi", Form("Menilo", _fields("Menilo", "Soko", "Oktober 2026")), "Soko", "Menilo")
    yield from one("formulir_judul_kabupaten", Form(
        "Sumurgung", _fields("Sumurgung", None, date(2026, 10, 1)), naming="atau",
        titles=["LAPORAN PMKS DESA SUMURGUNG", "KECAMATAN MONTONG KABUPATEN TUBAN"]), "Montong", "Sumurgung")
    yield from one("formulir_nama_lama", Form("Kel. Latsari", _fields("Kel. Latsari", "Tuban", "Okt-26"), naming="old",
                                              field_style="adjacent", header="lp2"), "Tuban", "Latsari")
    yield from one("formulir_singkatan", Form("DS. CEKALANG", _fields("DS. CEKALANG", "SOKO", "10/2026"), naming="abbr",
                                              header="j", counts="orang"), "Soko", "Cekalang")
    yield from one("formulir_salah_ketik", Form("Desa Pandanagung", _fields("Desa Pandanagung", "Soko", "X / 2026"),
                                                naming="typo", field_style="colon-cell"), "Soko", "Pandanagung")
    yield from one("formulir_strip_keterangan", Form("Tluwe", _fields("Tluwe", "Soko", "OKTOBER 2026"), counts="dash",
                                                     keterangan=True, numbered=True, groups=False), "Soko", "Tluwe")
    yield from one("formulir_logo_kec_baris_tersembunyi", Form(
        "Sumurgung", _fields("Sumurgung", None, "Oktober 2026"), logo=True, hidden=("FM", "TS"),
        titles=["PEMERINTAH KABUPATEN TUBAN", "LAPORAN PMKS Kec: Palang"]), "Palang", "Sumurgung")
    yield from one("formulir_wadung_oktober_2026", Form("Wadung", _fields("Wadung", "Soko", None), counts="text"), "Soko", "Wadung")
    yield from one("formulir_spasi_ribuan", Form("LERAN  KULON", _fields("LERAN  KULON", "PALANG", "Bulan Oktober 2026"),
                                                 header="j", counts="thousands"), "Palang", "Leran Kulon", big={"PD": (600, 634), "FM": (1000, 12)})
    # two forms in one workbook, an old month on a hidden sheet, a chart on its own sheet (.xlsx)
    expect = Expect(desa={CODES[("Soko", "Menilo")], CODES[("Soko", "Jati")]})
    a = form_grid(Form("Menilo", _fields("Menilo", "Soko", "Oktober 2026"), sheet="Menilo"), _values(rng, FORM_CODES), expect)
    b = form_grid(Form("Jati", _fields("Jati", "Soko", "Oktober 2026"), sheet="Jati", naming="abbr"), _values(rng, FORM_CODES), expect)
    hidden = form_grid(Form("Menilo", _fields("Menilo", "Soko", "September 2026"), sheet="Sept (lama)"), _values(rng, FORM_CODES), Expect())
    hidden.hidden = True
    yield "formulir_dua_desa_lembar_tersembunyi", [a, hidden, b, Grid("Grafik", chart_only=True)], _entry(expect, [OKT]), SPREADSHEETS
    # rejected: every error of the file at once
    values = _values(rng, FORM_CODES)
    expect = Expect()
    grid = form_grid(Form("Jati", _fields("Jati", "Soko", "Oktober 2026")), values, expect,
                     wrong_sum={"KBSP": 99}, bad_cell={"AT": "lima"}, unknown=["Anak Putus Sekolah"])
    yield "formulir_salah_tiga", [grid], _entry(expect, [], "rejected"), SPREADSHEETS
    silent = Form("Jati", _fields("Jati", "Soko", None))
    expect = Expect(errors=[("Laporan", None, None)])
    grid = form_grid(silent, _values(rng, FORM_CODES), Expect())
    yield "formulir_tanpa_bulan", [grid], _entry(expect, [], "rejected"), SPREADSHEETS
    expect = Expect(desa={CODES[("Soko", "Jati")]})
    grid = form_grid(silent, _values(rng, FORM_CODES), expect)
    yield "formulir_tanpa_bulan_dipilih", [grid], _entry(expect, [OKT], options={"periode": OKT}), SPREADSHEETS
    twin = Form("Pucangan", _fields("Pucangan", None, "Oktober 2026"))
    expect = Expect(errors=[("Laporan", 3, "A")])  # the 'Desa/Kelurahan : Pucangan' cell
    grid = form_grid(twin, _values(rng, FORM_CODES), Expect())
    yield "formulir_kembar_tanpa_kecamatan", [grid], _entry(expect, [], "rejected"), SPREADSHEETS
    expect = Expect(desa={CODES[("Palang", "Pucangan")]})
    grid = form_grid(twin, _values(rng, FORM_CODES), expect)
    yield "formulir_kembar_kecamatan_dipilih", [grid], _entry(expect, [OKT], options={"kecamatan": "35.23.18"}), SPREADSHEETS
    # no month and two more errors: the missing month does not hide them
    expect = Expect(errors=[("Laporan", None, None)])
    grid = form_grid(Form("Jati", _fields("Jati", "Soko", None)), _values(rng, FORM_CODES), expect,
                     wrong_sum={"FM": 77}, unknown=["Anak Putus Sekolah"])
    yield "formulir_tanpa_bulan_dan_salah", [grid], _entry(expect, [], "rejected"), SPREADSHEETS


def _recap_rows(rng, kec: str, written: dict[str, str | None], codes: list[str]):
    """{(desa as written, code or None for an unknown name): values}."""
    return {(text, CODES[(kec, desa)] if desa else None): _values(rng, codes) for text, desa in written.items()}


def recap_cases(rng: random.Random):
    def one(name, spec: Recap, rows, *, periods=(OKT,), status="accepted", formats=SPREADSHEETS, warnings=(), errors=(), **errs):
        expect = Expect(errors=list(errors))
        grid = recap_grid(spec, rows, expect, **errs)
        expect.warnings.extend(warnings)
        yield name, [grid], _entry(expect, list(periods), status), formats

    codes = ["ABT", "AT", "LUT", "PD", "FM", "PRSE", "KBA"]
    yield from one("rekap_kecamatan_kabupaten", Recap(["REKAPITULASI DATA PMKS", "KECAMATAN MONTONG KABUPATEN TUBAN", "BULAN OKTOBER 2026"]),
                   _recap_rows(rng, "Montong", {"Guwoterus": "Guwoterus", "Sumurgung": "Sumurgung", "Pucangan": "Pucangan", "Manjung": "Manjung"}, codes),
                   formats=(*SPREADSHEETS, "csv"))
    yield from one("rekap_kec_titik_satu_judul", Recap(["REKAPITULASI PMKS KEC. PALANG BULAN OKTOBER 2026"], header="group", naming="official"),
                   _recap_rows(rng, "Palang", {"Sumurgung": "Sumurgung", "Pucangan": "Pucangan", "Kel. Panyuran": "Panyuran", "Tasikmadu": "Tasikmadu"}, codes))
    yield from one("rekap_lp_kec_titik_dua", Recap(["REKAP PMKS", "Kec: Soko", "Bulan : 10/2026"], header="lp", desa_label="Nama Desa"),
                   _recap_rows(rng, "Soko", {"DS. MENILO": "Menilo", "Desa Tluwe": "Tluwe", "WADUNG": "Wadung", "Jati": "Jati"}, codes[:5]),
                   formats=(*SPREADSHEETS, "csv"))
    yield from one("rekap_nomor_kolom_romawi", Recap(["DATA PMKS KECAMATAN SEMANDING", "BULAN X TAHUN 2026"], numbered=True, keterangan=True, counts="dash"),
                   _recap_rows(rng, "Semanding", {"Prunggahan  Kulon": "Prunggahan Kulon", "PRUNGGAHAN WETAN": "Prunggahan Wetan", "Ds. Boto": "Boto"}, codes),
                   formats=(*SPREADSHEETS, "csv"))
    yield from one("rekap_tuban_okt_2026", Recap(["REKAPITULASI PMKS KECAMATAN TUBAN"], logo=True, naming="atau"),
                   _recap_rows(rng, "Tuban", {"Kel. Latsari": "Latsari", "Kel. Sidorejo": "Sidorejo", "KEBONSARI": "Kebonsari"}, codes))
    yield from one("rekap_baris_tersembunyi_nama_lama", Recap(["REKAPITULASI PMKS", "KECAMATAN SOKO", "PERIODE : OKTOBER 2026"], naming="old",
                                                             hidden_desa=("Jati",)),
                   _recap_rows(rng, "Soko", {"Menilo": "Menilo", "Jati": "Jati", "Cekalang": "Cekalang"}, ["PD", "PRSE", "ABH", "FM", "LUT"]))
    yield from one("rekap_salah_ketik_desa", Recap(["REKAP DATA PMKS KECAMATAN SOKO KAB. TUBAN", "OKTOBER 2026"]),
                   _recap_rows(rng, "Soko", {"Menilo": "Menilo", "Pandanagng": "Pandanagung", "Cekalan": "Cekalang"}, codes),
                   warnings=[("Rekap", 6, "B"), ("Rekap", 7, "B")])
    yield from one("rekap_salah_tiga", Recap(["REKAPITULASI DATA PMKS", "KECAMATAN MONTONG", "BULAN OKTOBER 2026"], header="lp"),
                   _recap_rows(rng, "Montong", {"Guwoterus": "Guwoterus", "Sukamaju": None, "Pakel": "Pakel"}, codes[:4]),
                   status="rejected", wrong_sum={("Pakel", "LUT"): 40}, bad_cell={("Guwoterus", "AT"): "tiga"})
    yield from one("rekap_tanpa_bulan_dan_salah", Recap(["REKAPITULASI DATA PMKS", "KECAMATAN SOKO"]),
                   _recap_rows(rng, "Soko", {"Menilo": "Menilo", "Sukamaju": None}, codes[:4]), status="rejected",
                   bad_cell={("Menilo", "LUT"): "lima"}, errors=[("Rekap", None, None)])


def long_cases(rng: random.Random):
    def yes(name, header, records, expect, periods, *, title=None, formats=("csv",), status="accepted", options=None):
        grid, _ = long_grid(header, [list(r) for r in records], title)
        yield name, [grid], _entry(expect, periods, status, options), formats

    # L/P with two months, names in every style
    header = ["Kecamatan", "Desa/Kel", "Jenis PMKS", "Bulan", "L", "P", "Jumlah"]
    records, expect = [], Expect()
    for _month, label in (("2026-09", "September 2026"), (OKT, "Oktober 2026")):
        for kec, desa in (("Soko", "Menilo"), ("Montong", "Sumurgung"), ("Palang", "Sumurgung")):
            for i, code in enumerate(["ABT", "AKTK", "PD", "FM", "PRSE"]):
                l, p = rng.randint(0, 9), rng.randint(0, 9)
                naming = ("official", "atau", "old", "abbr", "official")[i]
                records.append([kec.upper(), desa, indicator_text(code, naming), label, l, p, l + p])
                expect.total += l + p
                expect.desa.add(CODES[(kec, desa)])
    yield from yes("panjang_lp_dua_bulan", header, records, expect, ["2026-09", OKT], formats=("csv", "xlsx"))
    # counts as typed, 'Okt-26', codes instead of names
    records, expect = [], Expect()
    for desa, code, official in (("Menilo", "35.23.11.2004", "35.23.11.2004"), ("Sumurgung", "3523102008", "35.23.10.2008"),
                                 ("Pucangan", "35.23.18.2009", "35.23.18.2009")):
        for ind, value, shown in (("FM", 5, "5 orang"), ("LUT", 0, "-"), ("PD", 1234, "1.234"), ("ODHA", 0, ""), ("KBA", 7, "7")):
            records.append([code, desa, ind, "Okt-26", shown])
            expect.total += value
        expect.desa.add(official)
    yield from yes("panjang_kode_desa", ["Kode Desa", "Nama Desa", "Indikator", "Periode", "Jumlah"], records, expect, [OKT],
                   formats=("csv", "ods", "xls"))
    # an exact repeat of a row: a warning naming both rows, counted once
    base = [["Soko", "Jati", "Fakir Miskin", "2026-10", 4], ["Soko", "Jati", "Anak Terlantar", "2026-10", 2]]
    records = base + [base[0]]
    expect = Expect(total=6, desa={CODES[("Soko", "Jati")]}, warnings=[(None, 4, "E")])
    yield from yes("panjang_baris_rangkap", ["kecamatan", "desa", "indikator", "periode", "jumlah"], records, expect, [OKT])
    # the same value twice with different counts: an error
    records = base + [["Soko", "Jati", "FM", "2026-10", 5]]
    expect = Expect(errors=[(None, 4, "E")])
    yield from yes("panjang_nilai_bentrok", ["kecamatan", "desa", "indikator", "periode", "jumlah"], records, expect, [], status="rejected")
    # every kind of error at once
    records = [["Soko", "Menilo", "Fakir Miskin", "Oktober 2026", 2, 3, 9],   # L + P != Jumlah
               ["Soko", "Menilo", "Anak Putus Sekolah", "Oktober 2026", 1, 1, 2],  # unknown indicator
               ["Soko", "Sukamaju", "Fakir Miskin", "Oktober 2026", 1, 1, 2],  # unknown desa
               ["Soko", "Tluwe", "Pengemis", "Oktober 2026", "dua", 1, 3]]  # not a number
    expect = Expect(errors=[(None, 2, "G"), (None, 3, "C"), (None, 4, "B"), (None, 5, "E")])
    yield from yes("panjang_salah_empat", ["Kecamatan", "Desa", "Jenis PMKS", "Bulan", "L", "P", "Jumlah"], records, expect, [], status="rejected")
    # no kecamatan column, the title names it; months as Excel dates
    records, expect = [], Expect()
    for desa in ("Menilo", "Wadung", "Jati"):
        for code in ("FM", "LUT", "KBSP"):
            value = rng.randint(0, 12)
            records.append([desa, OFFICIAL[code], date(2026, 10, 1), value])
            expect.total += value
        expect.desa.add(CODES[("Soko", desa)])
    yield from yes("panjang_judul_kecamatan", ["Desa", "Jenis PMKS", "Bulan", "Jumlah"], records, expect, [OKT],
                   title="DATA PMKS KECAMATAN SOKO KABUPATEN TUBAN", formats=SPREADSHEETS)
    # twin names without any kecamatan: the analyst says it
    records = [["Sumurgung", "FM", "2026-10", 3], ["Pucangan", "FM", "2026-10", 4]]
    expect = Expect(total=7, desa={CODES[("Montong", "Sumurgung")], CODES[("Montong", "Pucangan")]})
    yield from yes("panjang_kembar_kecamatan_dipilih", ["desa", "indikator", "periode", "jumlah"], records, expect, [OKT],
                   options={"kecamatan": "35.23.10"})


def build(folder: Path) -> list[dict]:
    """Write every corpus file into `folder`; returns the manifest (one entry per file)."""
    rng = random.Random(15)
    manifest = []
    for cases in (form_cases, recap_cases, long_cases):
        for name, grids, entry, formats in cases(rng):
            for ext in formats:
                file = f"{name}.{ext}"
                (folder / file).write_bytes(WRITERS[ext](grids))
                sheet_named = ext != "csv"
                fix = lambda cells: [[c[0] if sheet_named else None, *c[1:]] for c in cells]  # noqa: E731
                manifest.append({"file": file, "format": ext, **entry, "errors": fix(entry["errors"]), "warnings": fix(entry["warnings"])})
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str]) -> None:
    if argv == ["--manifest"]:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            build(Path(tmp))
            (HERE / "manifest.json").write_text((Path(tmp) / "manifest.json").read_text(encoding="utf-8"), encoding="utf-8")
        return
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{len(build(folder))} berkas ditulis ke {folder}")


if __name__ == "__main__":
    main(sys.argv[1:])
