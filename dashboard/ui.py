"""Shared page furniture: the start of every page (navigation, role, warehouse, filters), download and print buttons,
the PDF brief button and the release notice. The data side is `dashboard.data`, sign-in `dashboard.session`, the
filters `dashboard.filters`; pages reach the data functions through this module (`ui.q`, `ui.view`, `ui.write`)."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data, queries
from dashboard.session import current_user, user_name
from dashboard.wording import plain
from etl.config import db_path
from etl.errors import PMKSError
from store import open_store

q, view, write, audit_action = data.q, data.view, data.write, data.audit_action
due_day, release_threshold, sheet_reader = data.due_day, data.release_threshold, data.sheet_reader
__all__ = ["plain", "q", "view", "write", "audit_action", "due_day", "release_threshold", "sheet_reader", "current_user", "user_name"]


_NUMBER_TEXT = re.compile(r"^(-?(\d{1,3}(\.\d{3})*|\d+)(,\d+)?%?|—|–|<\d+( kasus)?|x)$")  # '1.234,5', not a code '35.23.18.2004'


def no_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every missing cell shown as '—' (Streamlit's table draws None, nan or NaT in English).
    Columns without a missing cell are left as they are; a number column with one becomes Indonesian text."""
    from etl import fmt

    out = frame
    for col in frame.columns:
        values = frame[col]
        if not values.isna().any():
            continue
        out = out.copy() if out is frame else out
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            whole = all(float(v).is_integer() for v in values.dropna())
            out[col] = [fmt.angka(v, 0 if whole else 1, empty="—") for v in values]
        elif pd.api.types.is_datetime64_any_dtype(values):
            out[col] = ["—" if pd.isna(v) else (f"{fmt.tanggal(v.date())} {v:%H:%M}" if v.hour or v.minute else fmt.tanggal(v.date())) for v in values]
        else:
            out[col] = ["—" if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)) else v for v in values.astype(object)]
    return out


def table(frame: pd.DataFrame, target=None, **kwargs):
    """st.dataframe of a model's frame: missing cells read '—'; numbers the app formatted as Indonesian text are
    right-aligned like numbers (columns whose every cell is a number, '—', '<3' or 'x'); the table toolbar has no
    export (config.toml). Both are worked out once per frame (`data.derived`): a cached model's frames are shared."""
    filled, aligned = data.derived(_shown, frame)
    frame = frame if filled is None else filled
    aligned = {c: st.column_config.TextColumn(alignment="right") for c in aligned}
    config = {**aligned, **kwargs.pop("column_config", {})}
    return (target or st).dataframe(frame, hide_index=kwargs.pop("hide_index", True), column_config=config, **kwargs)


def _shown(frame: pd.DataFrame) -> tuple[pd.DataFrame | None, list]:
    """The frame with '—' for missing cells (None when it has none: the result must not hold the frame itself,
    or `data.derived` would keep it alive) and the columns to right-align."""
    filled = no_missing(frame)
    return (None if filled is frame else filled), _number_columns(filled)


def _number_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns if (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])) and len(frame)
            and all(isinstance(v, str) and _NUMBER_TEXT.match(v) for v in frame[c])]


def upload_hint(formats: str | None = None) -> None:
    """Under a file uploader: Streamlit's own hint is English and names Streamlit's limit, which sits above ours, so
    it is hidden (with the English button text: `chrome.UPLOADER_CSS`) and the app says the formats and the limit
    that really apply."""
    from etl.sheets import MAX_FILE_BYTES

    st.caption(f"{formats or 'Format yang diterima: .xlsx, .xlsm, .xls, .ods dan .csv.'} "
               f"Paling besar {MAX_FILE_BYTES // 1048576} MB per berkas.")


def guard(page: str):
    """Stop a page the user may not open (every page calls this before it queries); returns the user."""
    user = current_user()
    if user is None or page not in user.pages():
        st.error("Anda tidak berhak membuka halaman ini.")
        st.stop()
    return user


def require_data(reports: bool = True) -> dict:
    """Stop the page with a clear message when there is no warehouse (or, with `reports`, no report yet);
    show the demo banner."""
    path = db_path()
    if not path.exists():
        st.warning("Basis data dasbor belum ada di server. Minta pengelola server menyiapkannya; sesudah itu laporan "
                   "dapat diunggah di halaman **Unggah Data**.")
        st.stop()
    try:
        info = q(queries.warehouse_info)
    except PMKSError as exc:
        st.error(plain(exc.short))
        st.stop()
    except Exception:  # an unmigrated or foreign file
        st.error(f"Berkas {path.name} bukan basis data Dasbor PMKS yang siap. Minta pengelola server menyiapkan basis data.")
        st.stop()
    if info["sintetis"]:
        st.info("**DATA DEMO SINTETIS** — angka di dasbor ini dibuat acak untuk peragaan, bukan data PMKS sebenarnya.", icon=":material/science:")
    if reports and not info["laporan"]:
        st.warning("Belum ada laporan PSM di basis data. Analis atau admin mengunggah laporan di halaman **Unggah Data**.")
        st.stop()
    return info


def ensure_navigation() -> None:
    """Leave Streamlit's legacy `pages/` mode if a fresh server started on a sub-page URL.

    Streamlit runs a sub-page directly, without app.py, until the entry file has called st.navigation once;
    rerunning after clearing the legacy flag makes app.py (layout, navigation) run as it should.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_filters(page: str, uses=None) -> tuple[dict, dict]:
    """Called at the top of every data page: stop with a message if there is nothing to show, else render the
    shared sidebar filters and return (warehouse info, filters).

    `uses` says which filters the page reads: a `filters.uses(...)` declaration, or None for the page's entry in
    `filters.PAGE_USES` (all filters when it has none). The sidebar disables the others and says why, and the
    returned filters carry their neutral values.

    The filters are rendered by each page rather than by app.py because widgets in the entry file are not
    driven by AppTest; their values survive page switches through `_keep_filters` and live in the URL.
    """
    from dashboard.filters import page_uses, sidebar_filters

    _, info = open_page(page)
    return info, sidebar_filters(page_uses(page, uses))


def open_page(page: str, reports: bool = True):
    """The start of every page: the app's navigation, the role check, the warehouse check; returns (user, info)."""
    ensure_navigation()
    user = guard(page)
    info = require_data(reports)
    if user.kecamatan and user.kecamatan not in set(q(queries.kecamatan_list)["kode"]):
        st.error(f"Wilayah akun Anda (kode {user.kecamatan}) tidak ada di basis data ini, sehingga tidak ada data yang "
                 "boleh ditampilkan. Minta admin memperbaiki kecamatan akun Anda.")
        st.stop()
    return user, info


def download_buttons(df: pd.DataFrame, name: str, key: str, label: str | None = None) -> None:
    """CSV and XLSX of a table exactly as shown; `label` says what the file holds ('Unduh daftar desa belum melapor
    Oktober 2026' gives the buttons '… (CSV)' and '… (XLSX)')."""
    from dashboard.export import to_csv_bytes, to_xlsx_bytes

    user = current_user()
    if user is None or not user.can_export:
        st.caption("Unduhan tabel tersedia untuk staf, analis dan admin.")
        return
    a, b = st.columns([1, 1, 4])[:2] if label is None else (st, st)  # a long label gets its own line
    a.download_button("Unduh CSV" if label is None else f"{label} (CSV)", data.derived(to_csv_bytes, df), f"{name}.csv", "text/csv", key=f"{key}_csv",
                      on_click=audit_action, args=("unduh", f"{name}.csv"))
    b.download_button("Unduh XLSX" if label is None else f"{label} (XLSX)", data.derived(to_xlsx_bytes, df), f"{name}.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
                      on_click=audit_action, args=("unduh", f"{name}.xlsx"))


def brief_button(kode: str, periode: date, public: int | None, key: str) -> None:
    """Download the one-page PDF brief of a kecamatan or kabupaten; made on the server when clicked.

    The click does not rerun the page ("ignore"): a rerun would register the next run's generator under a new id
    and could drop this one before the browser fetches it. So the download is audited inside the generator, under
    the name of whoever saw the button."""
    from dashboard import brief
    from store.schema import audit

    user = current_user()
    if user is None or not user.can_export:  # leadership reads the dashboard; files leave the office via staff
        return
    path = db_path()
    today = date.today()
    name = brief.file_name(kode, periode)
    who = user_name()

    def make() -> bytes:  # runs when the button is clicked, on another thread: no st.* calls here
        store = open_store(path)
        with store.analytics(wait=data.READ_WAIT) as con:
            pdf = brief.build(con, kode, periode, public, today)
        try:
            with store.transaction(bump=(), wait=data.READ_WAIT) as con:
                audit(con, who, "unduh", name, '{"rilis_publik": true}' if public else None)
        except PMKSError:
            pass  # the brief is made; a locked warehouse must not stop it
        return pdf

    st.download_button("Unduh ringkasan PDF (1 halaman)", make, name, "application/pdf", key=key,
                       icon=":material/picture_as_pdf:", on_click="ignore",
                       help="Satu halaman A4 untuk rapat: peta, angka utama, indikator terbesar, tren, desa prioritas "
                            "dan kelengkapan laporan; terbaca jelas bila dicetak hitam-putih.")


PRINT_CSS = """
<style>
@media print {
  @page {size: A4 portrait; margin: 10mm;}
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stSidebarCollapsedControl"], [data-testid="stElementToolbar"], .stDownloadButton,
  [data-testid="stIFrame"], iframe, .stSelectbox, [data-testid="stSelectbox"] {display: none !important;}
  [data-testid="stMainBlockContainer"] {max-width: 100% !important; padding: 0 !important;}
  [data-testid="stAppViewContainer"], [data-testid="stMain"] {position: static !important; overflow: visible !important;}
  body {zoom: 0.72;}
  table.pmks-tabel {font-size: 9pt !important;}  /* the screen rules (dashboard.chrome) may come later in the page */
  .pmks-daftar {max-height: none !important; overflow: visible !important;}
  table.pmks-tabel th, table.pmks-tabel td {padding: 0 4px !important;}
  h1, h2 {margin: 0 0 4px 0 !important; padding: 0 !important;}
  [data-testid="stVerticalBlock"] {gap: 0.3rem !important;}
}
</style>
"""


def print_button(label: str) -> None:
    """A button that opens the browser's print dialog, and the CSS that makes the page one A4 sheet."""
    import streamlit.components.v1 as components

    st.markdown(PRINT_CSS, unsafe_allow_html=True)
    components.html(
        f"""<button onclick="window.parent.print()" style="font: 14px sans-serif; padding: 4px 12px; border: 1px solid #ccc;
        border-radius: 6px; background: white; cursor: pointer">{label}</button>""",
        height=40,
    )


def list_table(frame: pd.DataFrame, target=None, *, height: int | None = None, label: str = "") -> None:
    """A short list (top 5, sharpest rises, desa yet to report) as a plain HTML table instead of st.dataframe.

    Why: the table element is a canvas grid whose code (1,8 MB) loads with the first table of a page and costs about
    0,1 s of drawing per table (issue 13); a list read top to bottom needs neither its sorting nor its search. A real
    <table> is also read by screen readers cell by cell, printed whole, and shows the app's own Indonesian text in any
    browser language. `height` (px) makes a long list scroll under a sticky header. Built once per frame."""
    html = data.derived(_list_html, frame, height, label)
    (target or st).html(html)


def _list_html(frame: pd.DataFrame, height: int | None, label: str) -> str:
    filled, numbers = _shown(frame)
    table = html_table(frame if filled is None else filled, numbers=set(numbers), label=label)
    box = f' style="max-height: {int(height)}px"' if height else ""
    return f'<div class="pmks-daftar"{box} tabindex="0">{table}</div>'


def html_table(df: pd.DataFrame, numbers: set | None = None, label: str = "") -> str:
    """A static, printable HTML table (values escaped; number columns, or cells that look numeric, right-aligned)."""
    from html import escape

    numeric = numbers if numbers is not None else {c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])}
    head = "".join(f'<th scope="col" class="{"angka" if c in numeric else ""}">{escape(str(c))}</th>' for c in df.columns)
    rows = []
    for values in df.itertuples(index=False):
        cells = "".join(
            f'<td class="{"angka" if c in numeric or (numbers is None and _looks_numeric(v)) else ""}">{escape("–" if v is None or v != v else str(v))}</td>'
            for c, v in zip(df.columns, values)
        )
        rows.append(f"<tr>{cells}</tr>")
    caption = f'<caption class="pmks-sr">{escape(label.replace("**", ""))}</caption>' if label else ""
    return f'<table class="pmks-tabel">{caption}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _looks_numeric(value) -> bool:
    text = str(value).replace(".", "").replace(",", "")
    return text.isdigit()
