"""Asal angka ("Dari mana angka ini?", issue 26): the model of the provenance panel, shared by the page and the CLI.

For an area × month × indicator selection: the parts that add up to the number (per desa for a kecamatan or desa, per
kecamatan for anything wider, each with a panel of its own), the desa that did not report, each value's source (the
kept file's name, sheet and exact cell, e.g. `Rekap!E12`, its batch, who imported it and when; or an entry made in the
app: its batch kind, who and when), the history of each desa's report (every earlier value it replaced, old → new,
and rolled-back batches), and the population figure with its source when a rate is shown. Public release mode masks
it as it masks the pages. Runs on `store.read()` (`dashboard.queries.asal`); no Streamlit here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from common import fmt
from dashboard import release
from dashboard.queries import asal as q
from dashboard.queries.population import population as population_for
from dashboard.views import MISSING, Settings, table
from dashboard.views.frozen import Model

FILE_BATCHES = ("impor", "penduduk")  # batch kinds whose reports were read from a file
SOURCE_LABEL = {"berkas": "sel berkas", "demo": "data demo", "aplikasi": "entri aplikasi"}
_PLAIN_SHEET = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
LEVEL_BELOW = {"desa": "desa", "kecamatan": "desa"}  # wider areas are explained by their kecamatan


@dataclass(frozen=True)
class Question:
    """Which number: an area code ('' = the whole warehouse), a month, indicators (() = every active one), the measure
    (jumlah | per1000) and the public release threshold (None: release mode off)."""

    area: str
    periode: date
    indikator: tuple[str, ...] = ()
    ukuran: str = "jumlah"
    rilis: int | None = None


@dataclass
class AsalView(Model):
    stop: str | None = None
    heading: str = ""
    number: str = ""  # the sentence that states the number and what adds up to it
    total: int | None = None  # the number itself (None when hidden by release mode)
    level: str = "desa"  # what the parts are: desa | kecamatan
    parts: pd.DataFrame = field(default_factory=pd.DataFrame)  # numeric: kode, nama, jumlah, … (hidden counts missing)
    parts_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing: str | None = None  # the desa (or kecamatan) that did not report, named
    cells: pd.DataFrame = field(default_factory=pd.DataFrame)  # numeric: one row per value with its source
    cells_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    history: pd.DataFrame = field(default_factory=pd.DataFrame)  # numeric: one row per event of a desa's report
    history_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    population: list[str] = field(default_factory=list)  # sentences on the population figure and its source
    penduduk: int | None = None  # the population a rate divides by (when a rate is shown and known)
    files: pd.DataFrame = field(default_factory=pd.DataFrame)  # kept files behind the values: sha256, nama_berkas, ukuran, wilayah
    release_notice: str | None = None


def cell_address(sheet: str | None, baris, kolom) -> str:
    """'Rekap!E12', "'Form Desa'!E12", 'Rekap!C12 + Rekap!D12' (L + P where Jumlah was not written), 'E12' in a CSV
    file; '' when the warehouse does not know the cell (demo data, reports older than the reader)."""
    if kolom is None or (not isinstance(kolom, str)) or not kolom:
        return ""
    prefix = "" if sheet is None or (not isinstance(sheet, str)) else (sheet if _PLAIN_SHEET.match(sheet) else "'" + sheet.replace("'", "''") + "'") + "!"
    if any(ch.isdigit() for ch in kolom):
        return " + ".join(prefix + cell for cell in kolom.split("+"))
    if baris is None or pd.isna(baris):
        return ""
    return f"{prefix}{kolom}{int(baris)}"


def source_kind(sintetis, jenis, nama_berkas) -> str:
    """What a report's values were taken from: 'berkas' (a cell of an imported file), 'demo' (synthetic), or
    'aplikasi' (entered in the app: any other batch kind, e.g. the web reports of issue 25)."""
    if bool(sintetis):
        return "demo"
    return "berkas" if jenis in FILE_BATCHES and isinstance(nama_berkas, str) else "aplikasi"


def _when(waktu) -> str:
    return f"{fmt.tanggal(pd.Timestamp(waktu).date())} {pd.Timestamp(waktu):%H.%M}"


def source_text(row, steps: str = "") -> str:
    """Where a report came from, in one line: a file (name and batch), synthetic demo data, or an entry in the app
    (with `steps`: who sent, verified and approved it and when, `app_steps_text`)."""
    who = f"oleh {row.pengguna}, {_when(row.waktu)}"
    kind = source_kind(row.sintetis, row.jenis, row.nama_berkas)
    if kind == "demo":
        return f"data demo sintetis (batch {int(row.batch_id)}, {who})"
    if kind == "berkas":
        return f"berkas '{row.nama_berkas}' (batch {int(row.batch_id)}, diimpor {who})"
    if steps:
        return f"Lapor Bulanan di aplikasi: {steps} (batch {int(row.batch_id)})"
    return f"dimasukkan di aplikasi (batch {int(row.batch_id)}, jenis {row.jenis}, {who})"


APP_STEPS = {"dikirim": "dikirim", "diverifikasi": "diverifikasi", "disetujui": "disetujui"}  # the steps a source names


def app_steps_text(steps: pd.DataFrame) -> dict[str, str]:
    """Per desa, the latest sending, verification and approval of its report entered in the app, in that order:
    'dikirim oleh psm1 (3 Desember 2026 10.12), diverifikasi oleh tksk (…), disetujui oleh ana (…)'. A step before
    the latest sending (a report given back and sent again) is not the one that counts and is left out."""
    out: dict[str, str] = {}
    for kode, rows in steps.groupby("kode_desa", sort=False):
        sent = [i for i, ke in enumerate(rows["ke"]) if ke == "dikirim"]
        latest = rows.iloc[sent[-1]:] if sent else rows
        found: dict[str, str] = {}
        for r in latest.itertuples():
            if r.ke in APP_STEPS:
                found[r.ke] = f"{APP_STEPS[r.ke]} oleh {r.pengguna} ({_when(r.waktu)})"
        out[str(kode)] = ", ".join(found[k] for k in APP_STEPS if k in found)
    return out


def build(con, question: Question, settings: Settings) -> AsalView:
    """The panel for one number; `settings.area` limits it to the user's area (another area is refused)."""
    area = question.area
    if not area.startswith(settings.area):
        return AsalView(stop="Wilayah ini di luar wilayah akun Anda; asal angkanya tidak dapat ditampilkan.")
    found = q.area_row(con, area) if area else ("", "seluruh wilayah", "semua")
    if found is None:
        return AsalView(stop=f"Wilayah dengan kode '{area}' tidak dikenal di basis data ini.")
    _, name, level = found
    inds = q.indicators(con, question.indikator)
    if inds.empty:
        return AsalView(stop="Indikator yang diminta tidak dikenal di basis data ini.")
    what = "semua indikator" if not question.indikator else ", ".join(inds["nama"])
    label = name if level in ("desa", "semua") else f"{level.capitalize()} {name}"
    view = AsalView(heading=f"{label}, {fmt.bulan(question.periode)}, {what}", release_notice=release.notice(question.rilis))
    codes = list(inds["kode"])
    if level in LEVEL_BELOW:
        _by_desa(con, view, question, area, level, dict(zip(inds["kode"], inds["nama"])))
    else:
        _by_kecamatan(con, view, question, area, codes)
    _population(con, view, question, area, level)
    return view


def _by_kecamatan(con, view: AsalView, question: Question, area: str, codes: list[str]) -> None:
    """A kabupaten or wider: the kecamatan totals from the marts (each kecamatan has its own panel down to the cells)."""
    view.level = "kecamatan"
    kec = q.parts(con, area, "kecamatan")
    sums = q.part_totals(con, "kecamatan", area, question.periode, codes)
    parts = kec.merge(sums, on="kode", how="left")
    _set_parts(view, question, parts, "kecamatan", extra={})


def _by_desa(con, view: AsalView, question: Question, area: str, level: str, names: dict[str, str]) -> None:
    desa = q.parts(con, area, "desa")
    reps = q.reports(con, area, question.periode)
    vals = q.values(con, [int(i) for i in reps["id"]], list(names))
    vals["jumlah"] = vals["jumlah"].astype("int64")
    active = reps[reps["aktif"]]
    current = vals.merge(active, left_on="laporan_id", right_on="id")
    sums = current.groupby("kode_desa")["jumlah"].sum()
    parts = desa.assign(laporan=desa["kode"].isin(active["kode_desa"]).astype(int))
    parts["jumlah"] = [int(sums.get(k, 0)) if r else None for k, r in zip(parts["kode"], parts["laporan"])]
    sources = {r.kode_desa: r for r in active.itertuples()}
    steps = app_steps_text(q.app_steps(con, area, question.periode)) if (active["jenis"] == "web").any() else {}
    extra = {"Sumber": [source_text(sources[k], steps.get(k, "")) if k in sources else MISSING for k in parts["kode"]]}
    masks = _two_way(current, question.rilis)
    _set_parts(view, question, parts, "desa", extra, masks)
    if level == "desa" and not len(active):
        view.number = f"{view.heading}: belum ada laporan; tidak ada angka untuk bulan ini."
    _set_cells(view, question, current, dict(zip(desa["kode"], desa["nama"])), names, masks)
    _set_history(view, question, reps, vals, dict(zip(desa["kode"], desa["nama"])), names)
    digests = sorted({s for s in current["sha256"].dropna()})
    view.files = q.kept_files(con, digests) if digests else pd.DataFrame(columns=["sha256", "nama_berkas", "ukuran", "wilayah"])


@dataclass(frozen=True)
class _Masks:
    """Release mode over the desa x indicator values behind a number, as one two-way table (`release.table_labels`):
    the desa totals are the parts, the indicator totals what a page shows for the area, the grand total the number.
    Each holds '' (shown), '<4' or 'x'."""

    rows: dict[str, str]
    total: str
    cells: dict[tuple[str, str], str]


def _two_way(current: pd.DataFrame, threshold: int | None) -> _Masks | None:
    """The suppression of the values behind a desa or kecamatan number (None outside release mode): no hidden value
    follows from the parts, the per-indicator totals and the number together."""
    if not threshold or current.empty:
        return None
    grid = current.pivot_table(index="kode_desa", columns="kode_indikator", values="jumlah", aggfunc="sum", fill_value=0)
    cells, rows, total = release.table_labels(grid, threshold)
    return _Masks({str(d): s for d, s in rows.items()}, total, {(d, i): cells.at[d, i] for d in grid.index for i in grid.columns})


def _set_parts(view: AsalView, question: Question, parts: pd.DataFrame, level: str, extra: dict, masks: _Masks | None = None) -> None:
    """The parts that add up to the number, masked for release (one way over the parts, or by `masks` where the
    values behind them are shown too), and the sentence that states the sum."""
    reported = parts[parts["laporan"].fillna(0) > 0]
    total = int(pd.to_numeric(reported["jumlah"]).fillna(0).sum())
    noun = "desa" if level == "desa" else "kecamatan"
    if masks is not None:
        hidden, total_label = masks.rows, masks.total
    else:
        masked = release.rows(reported[["kode", "jumlah"]].reset_index(drop=True), question.rilis)
        hidden = dict(zip(masked["kode"], masked["rilis"]))
        total_label = release.label(question.rilis) if release.small(total, question.rilis) else ""
    shown_total = None if total_label else total
    view.total = shown_total
    count = fmt.angka(shown_total) if shown_total is not None else total_label
    view.number = (f"**{count}** jiwa PMKS = jumlah laporan {fmt.angka(len(reported))} {noun} di bawah "
                   f"({fmt.angka(len(reported))} dari {fmt.angka(len(parts))} {noun} melapor).")
    out = parts.copy()
    out["jumlah"] = pd.array([None if hidden.get(k) or pd.isna(v) else int(v) for k, v in zip(out["kode"], out["jumlah"])], dtype="Int64")
    view.parts = out.reset_index(drop=True)
    shown = pd.DataFrame({noun.capitalize(): out["nama"], "Kode": out["kode"],
                          "Jumlah": [hidden.get(k) or v for k, v in zip(out["kode"], out["jumlah"])],
                          "Melapor": ["ya" if r else "belum" for r in out["laporan"].fillna(0)], **extra})
    view.parts_table = table(shown, {"Jumlah": 0})
    silent = out[out["laporan"].fillna(0) == 0]["nama"].tolist()
    view.missing = (f"Belum melapor ({fmt.angka(len(silent))} {noun}): " + ", ".join(silent) + ".") if silent else None


def _set_cells(view: AsalView, question: Question, current: pd.DataFrame, desa: dict, names: dict, masks: _Masks | None) -> None:
    """One row per value behind the number: desa, indicator, value, the exact cell and its file and batch."""
    if current.empty:
        view.cells, view.cells_table = current, pd.DataFrame()
        return
    cur = current.sort_values(["kode_desa", "kode_indikator"]).reset_index(drop=True)
    cur["sumber"] = [source_kind(*r) for r in zip(cur["sintetis"], cur["jenis"], cur["nama_berkas"])]
    cur["alamat"] = [cell_address(s, b, k) if kind == "berkas" else "" for s, b, k, kind in zip(cur["sheet"], cur["baris"], cur["kolom"], cur["sumber"])]
    shown = cur["jumlah"].astype(object).tolist()
    if masks is not None:  # the two-way suppression; every value of a desa whose count is hidden
        hidden = _hidden(view)
        for i, (kode, ind, value) in enumerate(zip(cur["kode_desa"], cur["kode_indikator"], cur["jumlah"])):
            shown[i] = _mask(value, question.rilis, True) if kode in hidden else (masks.cells[(kode, ind)] or value)
    view.cells = cur
    view.cells_table = table(pd.DataFrame({
        "Desa": [desa.get(k, k) for k in cur["kode_desa"]], "Indikator": [names.get(k, k) for k in cur["kode_indikator"]],
        "Nilai": shown, "Sumber": cur["sumber"].map(SOURCE_LABEL), "Sel": [a or MISSING for a in cur["alamat"]],
        "Berkas": [b if k == "berkas" else MISSING for b, k in zip(cur["nama_berkas"], cur["sumber"])],
        "Batch": [int(b) for b in cur["batch_id"]], "Diimpor oleh": cur["pengguna"],
        "Waktu impor": [fmt.tanggal(pd.Timestamp(w).date()) + f" {pd.Timestamp(w):%H.%M}" for w in cur["waktu"]],
    }), {"Nilai": 0})


def _set_history(view: AsalView, question: Question, reps: pd.DataFrame, vals: pd.DataFrame, desa: dict, names: dict) -> None:
    """Every event of each desa's report of the month, in batch order: it came in, replaced an earlier value (old →
    new), or was rolled back (the earlier value current again)."""
    by_report = {lid: dict(zip(g["kode_indikator"], g["jumlah"])) for lid, g in vals.groupby("laporan_id")}
    events = []
    for kode, group in reps.groupby("kode_desa", sort=True):
        steps = [(int(r.batch_id), "masuk", r) for r in group.itertuples()]
        steps += [(int(r.diganti_batch), "batal", r) for r in group.itertuples() if r.ganti_jenis == "rollback"]
        stack: list = []
        for batch, kind, r in sorted(steps, key=lambda s: (s[0], s[1] == "masuk")):
            before = by_report.get(stack[-1].id, {}) if stack else None
            if kind == "masuk":
                stack.append(r)
            else:
                stack = [s for s in stack if s.id != r.id]
            after = by_report.get(stack[-1].id, {}) if stack else None
            events.append(_event(kode, desa.get(kode, kode), batch, kind, r, before, after, names, stack[-1] if stack else None))
    frame = pd.DataFrame(events, columns=["kode_desa", "desa", "batch_id", "peristiwa", "waktu", "pengguna", "lama", "baru", "rincian"])
    view.history = frame
    hidden = _hidden(view) if question.rilis else set()
    view.history_table = table(pd.DataFrame({
        "Desa": frame["desa"], "Waktu": [fmt.tanggal(pd.Timestamp(w).date()) + f" {pd.Timestamp(w):%H.%M}" for w in frame["waktu"]],
        "Peristiwa": frame["peristiwa"].map(_EVENT_LABEL), "Batch": frame["batch_id"], "Oleh": frame["pengguna"],
        "Sebelumnya": [_mask(v, question.rilis, k in hidden) for v, k in zip(frame["lama"], frame["kode_desa"])],
        "Sesudahnya": [_mask(v, question.rilis, k in hidden) for v, k in zip(frame["baru"], frame["kode_desa"])],
        "Rincian": [_mask_detail(t, question.rilis, k in hidden) for t, k in zip(frame["rincian"], frame["kode_desa"])],
    }), {"Batch": 0, "Sebelumnya": 0, "Sesudahnya": 0})


def _hidden(view: AsalView) -> set[str]:
    """The reporting desa whose count release mode hides in the parts: none of their values may show."""
    parts = view.parts
    return set(parts.loc[(parts["laporan"] > 0) & parts["jumlah"].isna(), "kode"])


def _mask(value, threshold: int | None, hide: bool):
    """A count of the history as release mode shows it: '<3' when small, 'x' for a desa whose count is hidden."""
    if value is None or pd.isna(value) or not threshold:
        return value
    return release.label(threshold) if release.small(value, threshold) else ("x" if hide else value)


_EVENT_LABEL = {"masuk": "laporan masuk", "ganti": "mengganti laporan sebelumnya", "batal": "batch dibatalkan"}


def _event(kode, nama, batch, kind, r, before, after, names: dict, now) -> tuple:
    """One history row: what happened, who and when, the total before and after, and each indicator that changed."""
    if kind == "batal":
        when, who = r.ganti_waktu, r.ganti_pengguna
        back = f"; laporan batch {int(now.batch_id)} berlaku lagi" if now is not None else "; desa ini kembali belum melapor"
        detail = f"batch {int(r.batch_id)} dibatalkan oleh batch {batch}" + back
    else:
        when, who = r.waktu, r.pengguna
        kind = "ganti" if before is not None else "masuk"
        detail = source_text(r)
    changes = []
    for code, label in names.items():
        old = None if before is None else before.get(code)
        new = None if after is None else after.get(code)
        if before is not None and old != new:
            changes.append(f"{label}: {_num(old)} → {_num(new)}")
    total = (lambda values: None if values is None else int(sum(values.values())))
    text = detail + (("; " + "; ".join(changes)) if changes else "")
    return (kode, nama, batch, kind, when, who, total(before), total(after), text)


def _num(value) -> str:
    return "(kosong)" if value is None else fmt.angka(value)


def _mask_detail(text: str, threshold: int | None, hide: bool = False) -> str:
    """A history line in release mode: an indicator's change says 'berubah' without its values (the newest equals a
    value the cells may hide, and with the desa's total would give it away); any other number masked like the counts
    (a small one '<3', every one of a desa whose count is hidden 'x')."""
    if not threshold:
        return text
    text = re.sub(r"(?<=: )(?:\(kosong\)|\d[\d.]*) → (?:\(kosong\)|\d[\d.]*)", "berubah", text)
    def one(match) -> str:
        number = int(match.group(0).replace(".", ""))
        shown = _mask(number, threshold, hide)
        return match.group(0) if shown == number else str(shown)

    return re.sub(r"(?<=: )\d[\d.]*|(?<=→ )\d[\d.]*", one, text)


def _population(con, view: AsalView, question: Question, area: str, level: str) -> None:
    """When a rate is shown: the population figure it divides by, with its source (file, sheet, cell, batch)."""
    if question.ukuran != "per1000" or level == "semua":
        return
    parent = area[: {"desa": 8, "kecamatan": 5, "kabupaten": 2}.get(level, 0)]
    pop = population_for(con, level, parent, question.periode)
    pop = pop[pop["kode"] == area]
    if pop.empty:
        view.population.append("Tidak ada angka penduduk untuk wilayah ini, sehingga laju per 1.000 tidak dihitung.")
        return
    row = pop.iloc[0]
    figure = int(row["penduduk"])
    view.penduduk = figure
    rate = f"{fmt.angka(view.total / figure * 1000, 1)}" if view.total is not None else "x"
    total = fmt.angka(view.total) if view.total is not None else release.label(question.rilis)
    view.population.append(f"Laju per 1.000 penduduk = {total} ÷ {fmt.angka(figure)} × 1.000 = {rate}.")
    source = f"Penduduk {fmt.angka(figure)} jiwa: {row['sumber_penduduk']}" + (" (perkiraan)" if bool(row["perkiraan"]) else "")
    if level == "desa":
        cells = q.population_cells(con, [area])
        cells = cells[cells["jumlah"] == figure].sort_values("acuan")
        if not cells.empty:
            c = cells.iloc[-1]
            where = cell_address(c["sheet"], c["baris"], c["kolom"])
            source += (f", berkas '{c['nama_berkas']}'" + (f", sel {where}" if where else "") + f", batch {int(c['batch_id'])}, diimpor oleh "
                       f"{c['pengguna']} {fmt.tanggal(pd.Timestamp(c['waktu']).date())}")
    view.population.append(source + ".")


def to_params(question: Question) -> dict[str, str]:
    """The panel's URL query parameters for a question (its own names, apart from the shared filters')."""
    params = {"wilayah": question.area, "bulan": question.periode.strftime("%Y-%m")}
    if question.indikator:
        params["indikator"] = ",".join(question.indikator)
    if question.ukuran == "per1000":
        params["ukuran"] = "per1000"
    if question.rilis:
        params["rilis"] = "1"
    return params


def from_params(params: dict[str, str], threshold: int, default_area: str, default_month: date) -> Question | str:
    """A question from the panel's URL (missing parts from the defaults), or the Indonesian reason it cannot be read."""
    text = params.get("bulan") or default_month.strftime("%Y-%m")
    try:
        month = date.fromisoformat(text + "-01")
    except ValueError:
        return f"Bulan '{text}' pada alamat halaman tidak terbaca; tulis seperti 2026-10."
    area = params.get("wilayah", default_area)
    if not re.fullmatch(r"(\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?)?", area):
        return f"Kode wilayah '{area}' pada alamat halaman tidak sah; tulis seperti 35.23.18 atau 35.23.18.2004."
    codes = tuple(c for c in (params.get("indikator") or "").split(",") if c)
    ukuran = "per1000" if params.get("ukuran") == "per1000" else "jumlah"
    return Question(area, month, codes, ukuran, threshold if params.get("rilis") in ("1", "true") else None)
