"""One set of priority classes (K1-K5) on the map, the table, the XLSX export and the PDF brief; and every export a
model offers is safe in Excel: desa rows carry Kode and Kecamatan (11 desa names occur twice in Tuban), counts are
whole numbers, and no header or cell is one that Excel turns into a date."""

from __future__ import annotations

import io
import json
import re
import subprocess
from dataclasses import replace
from datetime import date

import openpyxl
import pandas as pd
import pytest

from dashboard import brief, queries
from dashboard.export import report_xlsx, to_csv_bytes, to_xlsx_bytes
from dashboard.views import MISSING, Filters, Settings, jelajah, kelengkapan, peta, prioritas, ringkasan
from tests.conftest import memory_warehouse
from tests.priority_reference import desa_ranking

OKT = date(2026, 10, 1)
PALANG = "35.23.18"
GROUPS = ["anak", "disabilitas", "keluarga dan komunitas", "kemiskinan", "korban", "lanjut usia", "tuna sosial"]


def _square(i: int, size: float = 0.01) -> str:
    x, y = 111.5 + (i % 25) * size, -7.2 + (i // 25) * size
    return json.dumps({"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]})


@pytest.fixture(scope="module")
def geo_con():
    """The in-memory Tuban warehouse with a square for every desa and kecamatan, so that the models draw maps."""
    con = memory_warehouse()
    for tingkat in ("desa", "kecamatan"):
        codes = [r[0] for r in con.execute("select kode from wilayah where tingkat = ? order by kode", [tingkat]).fetchall()]
        for i, kode in enumerate(codes):
            con.execute("insert into batas_wilayah values (?, ?, ''::blob, ?, 1.0, 5, 'uji', now(), null)", [kode, tingkat, _square(i)])
    yield con
    con.close()


def k_of(text) -> int | None:
    """'K2', 'K1 (20% teratas)' or 'K3 (35,1 – 40,2)' -> the class number; '—' -> None."""
    match = re.match(r"K([1-5])\b", str(text))
    return int(match.group(1)) if match else None


def kabupaten_quintiles(con) -> dict[str, int]:
    """Quintile of every ranked desa over the whole kabupaten, from the independent computation: rank r of n (ties
    share the best rank) is in quintile 1 + 5(r - 1) // n."""
    ranking = desa_ranking(con, OKT.isoformat(), dict.fromkeys(GROUPS, 1.0))
    n = len(ranking)
    out, rank, last = {}, 0, None
    for position, (kode, index) in enumerate(ranking, start=1):
        if last is None or round(index, 9) != round(last, 9):
            rank = position
        out[kode], last = 1 + 5 * (rank - 1) // n, index
    return out


def map_classes(con, v, tingkat: str, area: str) -> tuple[dict[str, int | None], dict[str, str]]:
    """The class (by its legend label) and the hover rank of every area drawn on the model's map."""
    trace = v.map_chart.data[0]
    codes = queries.map_geometry(con, tingkat, area)["kode"].tolist()
    labels = trace.colorbar.ticktext
    classes = {codes[loc]: k_of(labels[int(z)]) for loc, z in zip(trace.locations, trace.z)}
    ranks = {codes[loc]: row[2] for loc, row in zip(trace.locations, trace.customdata)}
    return classes, ranks


def test_map_table_and_kabupaten_quintiles_are_one_set_of_classes_inside_a_kecamatan(geo_con):
    f = Filters(periode=OKT, kecamatan=PALANG, area_nama="Kec. Palang")
    v = prioritas.build(geo_con, f, Settings())
    on_map, ranks = map_classes(geo_con, v, "desa", PALANG)
    in_table = dict(zip(v.table["Kode"], map(k_of, v.table["Kuintil"])))
    kabupaten = kabupaten_quintiles(geo_con)
    palang = [k for k in in_table if k.startswith(PALANG)]
    assert len(palang) == queries.desa_count(geo_con, PALANG) == len(on_map)
    ranked = [k for k in palang if k in kabupaten]
    assert len(ranked) >= 10 and len({kabupaten[k] for k in ranked}) >= 2  # a real test: several classes in Palang
    for kode in palang:
        assert on_map[kode] == in_table[kode] == kabupaten.get(kode), kode
    # the hover ranks are the table's (among the whole kabupaten), not recounted inside the kecamatan
    table_rank = dict(zip(v.table["Kode"], v.table["Peringkat"]))
    assert {k: int(ranks[k]) for k in ranked} == {k: int(table_rank[k]) for k in ranked}
    assert max(int(table_rank[k]) for k in ranked) > len(ranked)
    assert "kuintil se-Kabupaten Tuban" in v.map_chart.layout.title.text
    # within the kecamatan the quintiles are not re-cut: Palang's 5 legend classes are the kabupaten's ranges
    whole = prioritas.build(geo_con, Filters(periode=OKT), Settings())
    assert list(v.map_chart.data[0].colorbar.ticktext) == list(whole.map_chart.data[0].colorbar.ticktext)
    assert dict(zip(whole.table["Kode"], map(k_of, whole.table["Kuintil"]))) == {k: kabupaten.get(k) for k in whole.table["Kode"]}


def test_kecamatan_level_map_classes_equal_the_table(geo_con):
    v = prioritas.build(geo_con, Filters(periode=OKT), Settings(), tingkat="kecamatan")
    on_map, _ = map_classes(geo_con, v, "kecamatan", "")
    assert on_map == dict(zip(v.table["Kode"], map(k_of, v.table["Kuintil"])))
    assert sorted(on_map.values()) == [q for q in (1, 2, 3, 4, 5) for _ in range(4)]


def test_one_level_is_no_choice(geo_con):
    f = Filters(periode=OKT, kecamatan=PALANG, area_nama="Kec. Palang")
    assert prioritas.levels(f) == ["desa"] and prioritas.levels(Filters(periode=OKT)) == ["desa", "kecamatan"]
    v = prioritas.build(geo_con, f, Settings(), tingkat="kecamatan")  # a stale choice: the one level there is
    assert "Desa/Kelurahan" in v.table.columns and set(v.table["Kecamatan"]) == {"Palang"}


def test_xlsx_export_class_column_equals_the_table(geo_con):
    v = prioritas.build(geo_con, Filters(periode=OKT, kecamatan=PALANG, area_nama="Kec. Palang"), Settings())
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(v.export, v.cover, v.export_title, number_formats=v.number_formats)))
    rows = list(book["Daftar prioritas"].iter_rows(values_only=True))
    header = list(rows[0])
    assert {"Kode", "Desa/Kelurahan", "Kecamatan", "Kuintil"} <= set(header)
    exported = {r[header.index("Kode")]: r[header.index("Kuintil")] for r in rows[1:]}
    shown = dict(zip(v.table["Kode"], v.table["Kuintil"]))
    assert exported == shown and MISSING in exported.values()  # unranked desa: no class, said as in the table
    assert [r[header.index("Peringkat")] for r in rows[1:6]] == [int(x) for x in v.table["Peringkat"].head(5)]


def test_pdf_brief_shows_the_same_class_as_the_table(geo_con, tmp_path):
    v = prioritas.build(geo_con, Filters(periode=OKT, kecamatan=PALANG, area_nama="Kec. Palang"), Settings())
    shown = dict(zip(v.table["Kode"], map(k_of, v.table["Kuintil"])))
    data = brief.collect(geo_con, PALANG, OKT)
    assert {k: int(q) for k, q in zip(data.villages["kode"], data.villages["kuintil"])} == {k: shown[k] for k in data.villages["kode"]}
    path = tmp_path / "brief.pdf"
    path.write_bytes(brief.render(data, None, date(2026, 11, 28)))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    section = text[text.index("Desa/kelurahan prioritas"):text.index("Kelengkapan:")]
    assert "Kuintil" in section
    lines = {int(m.group(1)): m.group(2) for m in re.finditer(r"^\s*(\d+)\s+(.*)$", section, re.M)}
    for rank, kode in zip(data.villages["peringkat"], data.villages["kode"]):
        assert re.search(rf"\bK{shown[kode]}\b", lines[int(rank)]), (rank, lines[int(rank)])


# --- exports ------------------------------------------------------------------------------------------------

DATE_LIKE = [
    re.compile(r"^\d{1,2}\s*[/-]\s*\d{1,2}([/-]\d{2,4})?$"),  # 1/1, 10/12, 1-1, 1/1/26 (en-US and id-ID date separators)
    re.compile(r"^\d{1,2}[/-]\d{4}$"),  # 10/2026
    re.compile(r"^\d{4}[/-]\d{1,2}([/-]\d{1,2})?$"),  # 2026-10, 2026/10/01
    re.compile(r"^[A-Za-z]{3,9}[-/]\d{2,4}$"),  # Okt-26, Oct/2026
]
RATE = re.compile(r"per 1\.000|Indeks|Perubahan|rata", re.I)


def date_like(text: str) -> bool:
    return any(p.match(text.strip()) for p in DATE_LIKE)


def model_exports(con) -> list[tuple[str, pd.DataFrame, bool]]:
    """(name, frame, desa level) of every table a model offers for download, and of its desa tables on screen."""
    f, palang = Filters(periode=OKT), Filters(periode=OKT, kecamatan=PALANG, area_nama="Kec. Palang")
    out = []
    for name, filters in (("", f), (" per1000", Filters(periode=OKT, ukuran="per1000")), (" rilis", Filters(periode=OKT, rilis=3))):
        kec = jelajah.build(con, filters, Settings())
        desa = jelajah.build(con, replace(filters, kecamatan=PALANG, area_nama="Kec. Palang"), Settings(), tingkat="desa")
        out += [(f"jelajah kecamatan{name}", kec.export, False), (f"jelajah desa{name}", desa.export, True),
                (f"jelajah tren{name}", kec.series, False)]
        for level_f, level in ((filters, "kecamatan"), (replace(filters, kecamatan=PALANG), "desa")):
            out.append((f"peta {level}{name}", peta.build(con, level_f, Settings()).export, level == "desa"))
    k = kelengkapan.build(con, f, Settings())
    out += [("kelengkapan belum lapor", k.missing_download.frame, True), ("kelengkapan status", k.status_download.frame, True)]
    for name, filters in (("", palang), (" rilis", Filters(periode=OKT, rilis=3))):
        out.append((f"prioritas desa{name}", prioritas.build(con, filters, Settings()).export, True))
    out.append(("prioritas kecamatan", prioritas.build(con, f, Settings(), tingkat="kecamatan").export, False))
    r = ringkasan.build(con, f, Settings())
    out += [("ringkasan kenaikan", r.rises, True), ("ringkasan belum lapor", r.missing, True)]
    return out


def test_every_export_has_codes_whole_counts_and_no_dates(geo_con):
    exports = model_exports(geo_con)
    assert len(exports) == 22
    for name, frame, desa_level in exports:
        assert frame is not None and len(frame), name
        if desa_level:
            assert {"Kode", "Kecamatan"} <= set(frame.columns), name
            codes = frame["Kode"][frame["Kode"] != ""]
            assert codes.str.fullmatch(r"\d{2}\.\d{2}\.\d{2}\.\d{4}").all(), name
            named = frame[frame["Kode"] != ""]
            label = next(c for c in ("Desa/Kelurahan", "Wilayah") if c in frame)
            assert not named.duplicated(subset=["Kode"]).any() or "Periode" in frame, name  # one row per desa (per month)
            assert named[label].notna().all(), name
        for col in frame.columns:
            values = frame[col].dropna()
            if RATE.search(col) or not len(values) or values.map(lambda x: isinstance(x, str)).all():
                continue
            numbers = values[values.map(lambda x: not isinstance(x, str))]  # release mode mixes '<3' and 'x' in
            assert numbers.map(lambda x: float(x).is_integer() and not isinstance(x, float)).all(), (name, col, numbers.head().tolist())
        csv = to_csv_bytes(frame).decode("utf-8-sig").splitlines()
        cells = [c for line in csv for c in line.split(";")]
        assert not [c for c in cells if date_like(c)], (name, [c for c in cells if date_like(c)][:5])
        counts = [i for i, c in enumerate(frame.columns) if not RATE.search(c)]
        whole = [line.split(";") for line in csv[1:]]
        assert not [row[i] for row in whole for i in counts if i < len(row) and re.fullmatch(r"-?\d+,0", row[i])], name
        sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
        assert not [c.value for row in sheet.iter_rows() for c in row if c.is_date], name


def test_export_writes_whole_floats_as_whole_numbers():
    frame = pd.DataFrame({"Kode": ["35.23.18.2004"], "Jumlah": [395.0], "Per 1.000 penduduk": [12.5]})
    assert to_csv_bytes(frame).decode("utf-8-sig").splitlines()[1] == "35.23.18.2004;395;12,5"
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert ws["B2"].value == 395 and isinstance(ws["B2"].value, int)


def test_codes_are_not_aligned_as_numbers():
    from dashboard.ui import _NUMBER_TEXT

    assert all(_NUMBER_TEXT.match(t) for t in ("1.234", "12,5", "0", "-3,2", "12%", "<3", "x", "—"))
    assert not any(_NUMBER_TEXT.match(t) for t in ("35.23.18.2004", "35.23.18", "35.23", "11 dari 12"))
