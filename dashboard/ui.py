"""Shared page furniture: the start of every page (navigation, role, warehouse, filters), download and print buttons,
the PDF brief button and the release notice. The data side is `dashboard.data`, sign-in `dashboard.session`, the
filters `dashboard.filters`; pages reach the data functions through this module (`ui.q`, `ui.view`, `ui.write`)."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pandas as pd
import streamlit as st

from accounts.users import User
from common.config import db_path
from common.errors import PMKSError
from dashboard import data, queries
from dashboard.chrome import page_width
from dashboard.session import current_user, user_name
from dashboard.views import Filters
from dashboard.wording import plain

q, view, write, audit_action, kecamatan_names = data.q, data.view, data.write, data.audit_action, data.kecamatan_names
due_day, release_threshold, sheet_reader, keep_months = data.due_day, data.release_threshold, data.sheet_reader, data.keep_months
__all__ = ["plain", "q", "view", "write", "audit_action", "kecamatan_names", "due_day", "release_threshold", "sheet_reader", "current_user", "user_name",
           "page_width", "keep_months"]


_NUMBER_TEXT = re.compile(r"^(-?(\d{1,3}(\.\d{3})*|\d+)(,\d+)?%?|—|–|<\d+( kasus)?|x)$")  # '1.234,5', not a code '35.23.18.2004'


def no_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every missing cell shown as '—' (Streamlit's table draws None, nan or NaT in English).
    Columns without a missing cell are left as they are; a number column with one becomes Indonesian text."""
    from common import fmt

    out = frame
    for col in frame.columns:
        values = frame[col]
        if len(values) and isinstance(values.iloc[0], list) and any(None in v for v in values if isinstance(v, list)):
            # a sparkline's months without a value are left out: the grid draws no line at all for a list with a gap
            # (it shows the raw numbers instead), so the line joins the months that have one
            out = out.copy() if out is frame else out
            out[col] = [[x for x in v if x is not None and x == x] if isinstance(v, list) else v for v in values]
            continue
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


ROW_PX, ALL_ROWS, LONG_ROWS = 35, 25, 15  # the grid's row height; tables up to ALL_ROWS rows show every row


def table(frame: pd.DataFrame, target=None, **kwargs):
    """st.dataframe of a model's frame: missing cells read '—'; numbers the app formatted as Indonesian text are
    right-aligned like numbers (columns whose every cell is a number, '—', '<3' or 'x'); every column as wide as its
    longest text, so no cell is cut (the grid sizes columns from its first rows only; a wider table scrolls); the
    table toolbar has no export (config.toml). All worked out once per frame (`data.derived`): a cached model's frames
    are shared. Unless a height is given, a table of up to 25 rows shows every row (Streamlit's own height shows 10),
    a longer one 15 and scrolls. A `column_config` entry given here wins (its width, when it sets one)."""
    filled, aligned, widths = data.derived(_shown, frame)
    frame = frame if filled is None else filled
    config = {c: (st.column_config.TextColumn(alignment="right", width=w) if c in aligned else st.column_config.Column(width=w))
              for c, w in widths.items()}
    for col, given in kwargs.pop("column_config", {}).items():  # the page's own settings win; a width it leaves open is ours
        config[col] = {**given, "width": given.get("width") or config.get(col, {}).get("width")} if isinstance(given, dict) else given
    kwargs.setdefault("height", ROW_PX * (1 + (len(frame) if len(frame) <= ALL_ROWS else LONG_ROWS)) + 3)
    return (target or st).dataframe(frame, hide_index=kwargs.pop("hide_index", True), column_config=config, **kwargs)


def _shown(frame: pd.DataFrame) -> tuple[pd.DataFrame | None, list, dict]:
    """The frame with '—' for missing cells (None when it has none: the result must not hold the frame itself,
    or `data.derived` would keep it alive), the columns to right-align and the width of every text or number column."""
    filled = no_missing(frame)
    return (None if filled is frame else filled), _number_columns(filled), _widths(filled)


# Source Sans at the grid's 14 px, per character (measured in chromium; rounded up), and a cell's padding
_NARROW_CHARS, _WIDE_CHARS = set("iljtfr.,:;'!|() "), set("mwMW%")
CELL_PADDING, MAX_COLUMN_PX = 30, 900


def _text_px(text: str) -> float:
    return sum(3.7 if c in _NARROW_CHARS else 11.7 if c in _WIDE_CHARS else 8.0 if c.isupper() or c.isdigit() else 7.1 for c in text)


def _widths(frame: pd.DataFrame) -> dict[str, int]:
    """Pixels each column needs for its header and its longest cell (up to MAX_COLUMN_PX); columns of lists (sparklines)
    keep the grid's own width."""
    out = {}
    for col in frame.columns:
        values = frame[col]
        if len(values) and isinstance(values.iloc[0], (list, tuple)):
            continue
        texts = {str(v) for v in values.astype(object)} | {str(col)}
        out[col] = int(min(MAX_COLUMN_PX, max(_text_px(t) for t in texts) + CELL_PADDING))
    return out


def _number_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns if (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])) and len(frame)
            and all(isinstance(v, str) and _NUMBER_TEXT.match(v) for v in frame[c])]


def chart(fig, target=None, *, key: str, name: str | None = None, config: dict | None = None, **kwargs):
    """st.plotly_chart with the app's mode bar. Its camera saves the chart as a PNG, a download like any other: only
    roles that may export get it, and each picture saved is audited (`dashboard.chrome` reports the click); leadership
    reads the dashboard without downloads (README, *Security model*). `name` is the picture's file name (no suffix)."""
    user = current_user()
    config = {"displaylogo": False, **(config or {})}
    if user is None or not user.can_export:  # no camera, and nothing else worth a bar over the chart's title
        config["displayModeBar"] = False
    else:  # the camera alone: zoom and pan work with the mouse or fingers, and a short bar stays clear of titles
        config.setdefault("modeBarButtons", [["toImage"]])
        config.setdefault("toImageButtonOptions", {"format": "png", "filename": name or f"pmks_{key}", "scale": 2})
    return (target or st).plotly_chart(fig, key=key, config=config, **kwargs)


def upload_hint(formats: str | None = None) -> None:
    """Under a file uploader: Streamlit's own hint is English and names Streamlit's limit, which sits above ours, so
    it is hidden (with the English button text: `chrome.UPLOADER_CSS`) and the app says the formats and the limit
    that really apply."""
    from etl.read.sheets import MAX_FILE_BYTES

    st.caption(f"{formats or 'Format yang diterima: .xlsx, .xlsm, .xls, .ods dan .csv.'} "
               f"Paling besar {MAX_FILE_BYTES // 1048576} MB per berkas.")


NOT_ALLOWED = "Anda tidak berhak membuka halaman ini. Pilih halaman lain di menu samping."


def area() -> str:
    """The part of the warehouse the signed-in user may read ('' = all of it): the rulebook's answer."""
    from accounts import rulebook

    return rulebook.area(current_user()) or ""


def guard(page: str) -> User:
    """Stop a page the user may not open (every page calls this before it queries); returns the user. Such pages
    are registered hidden (app.py), so a typed URL lands here, in Indonesian."""
    user = current_user()
    if user is None or page not in user.pages():
        st.error(NOT_ALLOWED, icon=":material/block:")
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
    except duckdb.CatalogException:  # an unmigrated or foreign file: its tables are not ours
        st.error(f"Berkas {path.name} bukan basis data Dasbor PMKS yang siap. Minta pengelola server menyiapkan basis data.")
        st.stop()
    if info["sintetis"]:
        st.info("**DATA DEMO SINTETIS** — angka di dasbor ini dibuat acak untuk peragaan, bukan data PMKS sebenarnya.", icon=":material/science:")
    if reports and not info["laporan"]:
        st.warning("Belum ada laporan PSM di basis data. Analis atau admin mengunggah laporan di halaman **Unggah Data**.")
        st.stop()
    return info


def page_filters(page: str, uses=None) -> tuple[dict, Filters]:
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
    filters = sidebar_filters(page_uses(page, uses))
    if filters is None:  # no month in the warehouse yet (require_data has stopped a page that needs reports)
        st.warning("Belum ada bulan laporan di basis data.")
        st.stop()
    if page != "kelengkapan":  # Kelengkapan says it beside its own counts
        from dashboard.lapor_status import unapproved_notice

        unapproved_notice(filters.periode, filters.kecamatan or area())
    return info, filters


def open_page(page: str, reports: bool = True):
    """The start of every page: the app's navigation, the role check, the warehouse check; returns (user, info)."""
    from dashboard.navigation import ensure_app_run

    ensure_app_run()
    user = guard(page)
    info = require_data(reports)
    if user.kecamatan and user.kecamatan not in data.kecamatan_names():
        st.error(f"Wilayah akun Anda (kode {user.kecamatan}) tidak ada di basis data ini, sehingga tidak ada data yang "
                 "boleh ditampilkan. Minta admin memperbaiki kecamatan akun Anda.")
        st.stop()
    return user, info


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def offer(label: str, name: str, mime: str, *, key: str, data_bytes: bytes | None = None, build=None, action: str = "unduh",
          target=None, help: str | None = None, area: str | None = None) -> bool:
    """A download the rulebook allows this user (`action`), as a link to the app's own route `/unduh/<id>`
    (`dashboard.downloads`): the server hands the file only to this session while it is signed in, or to another user
    whose role and area allow it, and audits every fetch. `build` makes the file when it is fetched (no st.* there).
    `area` is the part of the warehouse the file holds (default: the user's area). Returns whether the link was shown."""
    from html import escape

    from accounts import rulebook
    from accounts.users import token_key
    from dashboard import downloads
    from dashboard.session import session_token

    user = current_user()
    if user is None or not rulebook.may(user, action):
        return False
    token = session_token()
    owner = "demo" if user.login == "demo" or token is None else token_key(token)
    file_id = downloads.REGISTRY.register(downloads.Download(name, mime, owner, user.login, action,
                                                             rulebook.area(user) or "" if area is None else area,
                                                             data_bytes, build), slot=key)
    title = f' title="{escape(help)}"' if help else ""
    (target or st).html(f'<a class="pmks-unduh" role="button" href="/unduh/{file_id}" download="{escape(name)}"{title}>'
                        f'{escape(label)}</a>', width="content")
    return True


def download_buttons(df: pd.DataFrame, name: str, key: str, label: str | None = None) -> None:
    """CSV and XLSX of a table exactly as shown; `label` says what the file holds ('Unduh daftar desa belum melapor
    Oktober 2026' gives the buttons '… (CSV)' and '… (XLSX)')."""
    from accounts import rulebook
    from dashboard.export import to_csv_bytes, to_xlsx_bytes

    if not rulebook.may(current_user(), "unduh"):
        st.caption("Unduhan tabel tersedia untuk staf, analis dan admin.")
        return
    row = st.container(horizontal=True, gap="small")  # side by side while they fit, one under the other when not
    offer("Unduh CSV" if label is None else f"{label} (CSV)", f"{name}.csv", "text/csv", key=f"{key}_csv",
          data_bytes=data.derived(to_csv_bytes, df), target=row)
    offer("Unduh XLSX" if label is None else f"{label} (XLSX)", f"{name}.xlsx", XLSX, key=f"{key}_xlsx",
          data_bytes=data.derived(to_xlsx_bytes, df), target=row)


def brief_button(kode: str, f: Filters, key: str) -> None:
    """Download the one-page PDF brief of a kecamatan or kabupaten in the filters' month; made on the server when it
    is fetched (and audited there, like every download) from the Ringkasan and Profil models of that area: the
    cached ones the pages show, built only then if no page has asked for them yet."""
    from dashboard import brief
    from dashboard.views import profil, ringkasan

    today = date.today()
    filters = brief.brief_filters(kode, f.periode, f)
    summary = data.view_later(ringkasan.build, filters, today=today, width=page_width())
    area = data.view_later(profil.build, filters)
    public = f.rilis

    def make() -> bytes:  # runs when the link is fetched, in a worker thread of the server: no st.* calls here
        return brief.render(brief.from_models(summary(), area()), public, today)

    offer("Unduh ringkasan PDF (1 halaman)", brief.file_name(kode, f.periode), "application/pdf", key=key, build=make,
          help="Satu halaman A4 untuk rapat: peta, angka utama, indikator terbesar, tren, desa prioritas dan kelengkapan "
               "laporan; terbaca jelas bila dicetak hitam-putih.")


PRINT_CSS = """
<style>
@media print {
  @page {size: A4 portrait; margin: 10mm;}
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stSidebarCollapsedControl"], [data-testid="stElementToolbar"], .stDownloadButton, a.pmks-unduh,
  [data-testid="stIFrame"], iframe, .stSelectbox, [data-testid="stSelectbox"], button.pmks-cetak {display: none !important;}
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


PRINT_JS = """
export default function (component) {
  const { data, parentElement } = component;
  let button = parentElement.querySelector("button.pmks-cetak");
  if (!button) {
    button = document.createElement("button");
    button.className = "pmks-cetak";
    button.type = "button";
    button.addEventListener("click", () => window.print());
    parentElement.appendChild(button);
  }
  button.textContent = data;
}
"""
PRINT_BUTTON_CSS = """
button.pmks-cetak {font: inherit; font-size: 0.875rem; line-height: 1.6; padding: 0.25rem 0.75rem; min-height: 2.5rem;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; background: white; color: inherit; cursor: pointer;}
button.pmks-cetak:hover {border-color: #C53948; color: #C53948;}
"""


@st.cache_resource(show_spinner=False)
def _print_component():
    """The print button: a `st.components.v2` component whose script runs in the app's document (no iframe), so
    `window.print()` prints the page itself. Replaces `st.components.v1.html`, removed after 2026-06-01."""
    return st.components.v2.component("pmks_cetak", js=PRINT_JS, css=PRINT_BUTTON_CSS, isolate_styles=False)


def print_button(label: str) -> None:
    """A button that opens the browser's print dialog, and the CSS that makes the page one A4 sheet."""
    st.markdown(PRINT_CSS, unsafe_allow_html=True)
    _print_component()(data=label, key="pmks_cetak")


def list_table(frame: pd.DataFrame, target=None, *, height: int | None = None, label: str = "") -> None:
    """A short list (top 5, sharpest rises, desa yet to report) as a plain HTML table instead of st.dataframe.

    Why: the table element is a canvas grid whose code (1,8 MB) loads with the first table of a page and costs about
    0,1 s of drawing per table (issue 13); a list read top to bottom needs neither its sorting nor its search. A real
    <table> is also read by screen readers cell by cell, printed whole, and shows the app's own Indonesian text in any
    browser language. `height` (px) makes a long list scroll under a sticky header. Built once per frame."""
    html = data.derived(_list_html, frame, height, label)
    (target or st).html(html)


def _list_html(frame: pd.DataFrame, height: int | None, label: str) -> str:
    filled, numbers, _ = _shown(frame)
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
