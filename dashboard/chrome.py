"""Streamlit's own interface words in Indonesian.

Streamlit 1.67 has no locale setting: its uploader, select boxes, table toolbar, input hints and status widget speak
English. The main menu is hidden by `client.toolbarMode = "minimal"` (.streamlit/config.toml: with no menu items set
by st.set_page_config the menu disappears); the table export by `client.disableDataExport`. The uploader's size/type
line is hidden by CSS, the app writes its own under every uploader (`ui.upload_hint`). For the rest there is no API,
so a small `st.components.v2` component (its script runs in the app's own document, not an iframe) watches the page
and rewrites the known English words, labels and tooltips of Streamlit's and plotly's own interface to Indonesian the
moment Streamlit draws them; the app's content (text, tables, options, values, charts) is never touched, even where it
reads like one of those words. The same words on every page and in every browser language, so an en-US and an id-ID
browser still see identical pages.
"""

from __future__ import annotations

import json

import streamlit as st

# Streamlit's English (exact text, aria-label, title or placeholder; an aria-label "Fullscreen: <table>" too).
WORDS = {
    "Upload": "Pilih berkas",
    "Add files": "Tambah berkas",
    "Drag and drop file here": "Letakkan berkas di sini",
    "Drag and drop files here": "Letakkan berkas di sini",
    "Drag and drop a file here": "Letakkan berkas di sini",
    "Delete": "Hapus",
    "Remove file": "Hapus berkas",
    "No results": "Tidak ada pilihan yang cocok",
    "Choose an option": "Pilih",
    "Choose options": "Pilih",
    "Multiselect options": "Pilihan",
    "Press Enter to apply": "Tekan Enter untuk menerapkan",
    "Press Enter to submit form": "Tekan Enter untuk mengirim",
    "Press ⌘+Enter to apply": "Tekan ⌘+Enter untuk menerapkan",
    "Press Ctrl+Enter to apply": "Tekan Ctrl+Enter untuk menerapkan",
    "Search": "Cari",
    "Fullscreen": "Layar penuh",
    "Close fullscreen": "Tutup layar penuh",
    "Show/hide columns": "Tampilkan/sembunyikan kolom",
    "Download as CSV": "Unduh CSV",
    "Clear all": "Hapus semua",
    "Clear value": "Kosongkan",
    "Clear entry": "Kosongkan",
    "Clear selection": "Hapus pilihan",
    "Select all": "Pilih semua",
    "Selected values": "Nilai terpilih",
    "Open": "Buka",
    "Selectbox options": "Pilihan",
    "Increment": "Tambah",
    "Decrement": "Kurangi",
    "Show password": "Lihat sandi",
    "Hide password": "Tutupi sandi",
    "Link to heading": "Tautan ke judul",
    "Collapse sidebar": "Tutup panel samping",
    "Expand sidebar": "Buka panel samping",
    "Main menu": "Menu utama",
    "Skip to main content": "Lompat ke isi utama",
    "App pages": "Halaman",
    "Sidebar": "Panel samping",
    "Running...": "Sedang memuat…",
    "Stop": "Hentikan",
    "Rerun": "Muat ulang",
    "Close": "Tutup",
    "Dataframe column menu": "Menu kolom",
    "Sort ascending": "Urutkan naik",
    "Sort descending": "Urutkan turun",
    "Autosize": "Lebar otomatis",
    "Pin column": "Sematkan kolom",
    "Unpin column": "Lepas sematan kolom",
    "Hide column": "Sembunyikan kolom",
    "Format": "Format angka",
    # a URL that names no page at all (pages outside a role are registered hidden and refuse in Indonesian)
    "Page not found": "Halaman tidak ditemukan",
    "The page that you have requested does not seem to exist. Running the app's main page.":
        "Halaman yang diminta tidak ada. Halaman utama dibuka.",
    # plotly's mode bar (titles shown on hover)
    "Download plot as a png": "Unduh gambar (PNG)",
    "Download plot as a PNG": "Unduh gambar (PNG)",
    "Download plot": "Unduh gambar",
    "Download plot as JSON": "Unduh JSON grafik",
    "Preparing image - this may take a few seconds": "Menyiapkan gambar, tunggu sebentar",
    "Image download succeeded": "Gambar sudah diunduh",
    "Sorry, there was a problem downloading your image!": "Maaf, gambar gagal diunduh.",
    "Reset": "Atur ulang",
    "Toggle show closest data on hover": "Tampilkan data terdekat",
    "Double-click to zoom back out": "Klik dua kali untuk kembali",
    "Zoom": "Perbesar area",
    "Pan": "Geser",
    "Zoom in": "Perbesar",
    "Zoom out": "Perkecil",
    "Autoscale": "Skala otomatis",
    "Reset axes": "Atur ulang sumbu",
    "Reset view": "Atur ulang tampilan",
    "Box Select": "Pilih kotak",
    "Lasso Select": "Pilih laso",
    "Show closest data on hover": "Tampilkan data terdekat",
    "Compare data on hover": "Bandingkan data",
    "Toggle Spike Lines": "Garis bantu",
    "Produced with Plotly.js": "Dibuat dengan Plotly.js",
}

CSS = """
[data-testid='stFileUploaderDropzoneInstructions'] {display: none;}
.st-key-pmks_bahasa {display: none;}
table.pmks-tabel {border-collapse: collapse; width: 100%; font-size: 0.85rem; font-variant-numeric: tabular-nums;}
table.pmks-tabel th, table.pmks-tabel td {border-bottom: 1px solid #ddd; padding: 2px 6px; text-align: left;}
.pmks-daftar table.pmks-tabel {font-size: 0.875rem;}
.pmks-daftar table.pmks-tabel th, .pmks-daftar table.pmks-tabel td {border-bottom-color: rgba(49, 51, 63, 0.1); padding: 4px 8px;
  vertical-align: top;}
.pmks-daftar table.pmks-tabel th {font-weight: 600; color: rgba(49, 51, 63, 0.75); background: #f8f9fb;}
table.pmks-tabel td.angka, table.pmks-tabel th.angka {text-align: right;}
table.pmks-tabel td.angka {white-space: nowrap;}
.pmks-daftar {overflow: auto; border: 1px solid rgba(49, 51, 63, 0.1); border-radius: 0.5rem;}
.pmks-daftar thead th {position: sticky; top: 0; z-index: 1;}
.pmks-daftar tbody tr:last-child td {border-bottom: none;}
.pmks-sr {position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap;}
/* columns wrap instead of squeezing their widgets until labels and choices are cut (a 1024 px window) */
[data-testid='stHorizontalBlock'] {flex-wrap: wrap;}
[data-testid='stHorizontalBlock'] > [data-testid='stColumn'] {min-width: min(12rem, 100%);}
/* the app's download links (dashboard.ui.offer) look like Streamlit's secondary buttons */
a.pmks-unduh {display: inline-flex; align-items: center; min-height: 2.5rem; padding: 0.25rem 0.75rem; border-radius: 0.5rem;
  border: 1px solid rgba(49, 51, 63, 0.2); background: white; color: inherit !important; text-decoration: none !important;
  font-size: 0.875rem; line-height: 1.6; white-space: normal; overflow-wrap: anywhere;}
a.pmks-unduh:hover {border-color: #ff4b4b; color: #ff4b4b !important;}
a.pmks-unduh:focus-visible {outline: 2px solid #ff4b4b; outline-offset: 2px;}
/* a button's long label wraps instead of being cut */
[data-testid='stDownloadButton'] button, [data-testid='stButton'] button {height: auto; max-width: 100%;}
[data-testid='stDownloadButton'] button p, [data-testid='stButton'] button p {white-space: normal; overflow-wrap: anywhere; text-align: left;}
/* a row of figures wraps two by two where four would cut their labels and values (1024 px window, phones) */
[data-testid='stHorizontalBlock']:has(> [data-testid='stColumn'] [data-testid='stMetric']) {flex-wrap: wrap; row-gap: 0.75rem;}
[data-testid='stHorizontalBlock']:has(> [data-testid='stColumn'] [data-testid='stMetric']) > [data-testid='stColumn'] {
  flex: 1 1 13rem !important; min-width: min(13rem, 100%) !important; width: auto !important;}
/* phones: what leadership reads first (the headline and the first figures) on the first screen */
@media (max-width: 640px) {
  [data-testid='stMainBlockContainer'] {padding-top: 3.25rem !important; padding-left: 1rem !important; padding-right: 1rem !important;}
  [data-testid='stMainBlockContainer'] h1 {font-size: 1.6rem !important; padding-top: 0.25rem !important; padding-bottom: 0.25rem !important;}
  [data-testid='stMainBlockContainer'] h2 {font-size: 1.3rem !important;}
  [data-testid='stMainBlockContainer'] h3 {font-size: 1.1rem !important; line-height: 1.35 !important; padding-top: 0.25rem !important;}
  [data-testid='stMainBlockContainer'] [data-testid='stAlert'] {font-size: 0.875rem;}
  [data-testid='stMainBlockContainer'] [data-testid='stAlertContainer'] {padding: 0.5rem 0.75rem !important;}
  [data-testid='stMetricValue'] {font-size: 1.6rem !important;}
  [data-testid='stHorizontalBlock']:has(> [data-testid='stColumn'] [data-testid='stMetric']) > [data-testid='stColumn'] {
    flex: 1 1 9rem !important; min-width: min(9rem, 100%) !important;}
}
"""

WIDTH = "_pmks_lebar"  # session_state: the width of the page's content in the browser (pixels, in steps of WIDTH_STEP)
WIDTH_STEP = 50
JS = r"""
export default function (component) {
  const data = typeof component.data === "string" ? JSON.parse(component.data) : (component.data || {});
  const words = data.kata || {};
  // The width of the page's content, in steps of WIDTH_STEP px: the server lays maps out for it, so that every area and
  // legend label fits (on a phone the legend goes under the map). Reported when it changes (window, sidebar).
  const width = () => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!main) return null;
    const s = getComputedStyle(main);
    const w = main.getBoundingClientRect().width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    return w > 0 ? Math.floor(w / WIDTH_STEP) * WIDTH_STEP : null;
  };
  // Reported once a page shows a map (a report reruns the page), then whenever it changes.
  const hasMap = () => [...document.querySelectorAll(".js-plotly-plot")].some((gd) => gd._fullLayout && gd._fullLayout.map);
  const report = () => {
    const w = width(), s = window.__pmksChrome;
    if (w !== null && w !== s.lebar && (s.lebar || hasMap())) { s.lebar = w; s.component.setStateValue("lebar", w); }
  };
  if (window.__pmksChrome) {
    // The script's own width stays the truth: a rerun started by a report still carries the width the server knew
    // before it. Only a server that knows none (a new session in the same tab) makes it report again.
    Object.assign(window.__pmksChrome, { words, component });
    if (data.lebar == null) window.__pmksChrome.lebar = null;
    report();
    return;
  }
  const state = { words, component, lebar: data.lebar };
  window.__pmksChrome = state;
  report();
  let resized = null;
  // at most 300 ms after a change, even while the page keeps changing (a debounce would wait for a quiet moment that a
  // drawing map may never leave)
  const later = () => { if (resized === null) resized = setTimeout(() => { resized = null; report(); }, 300); };
  window.addEventListener("resize", later);
  new ResizeObserver(later).observe(document.body);
  // A chart saved with the camera of plotly's mode bar is a download: the server audits it (only roles that may
  // export have the button, dashboard.ui.chart). Reported after plotly has made the picture.
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest(".modebar-btn");
    if (!button || !/png/i.test(button.getAttribute("data-title") || "")) return;
    const plot = button.closest(".js-plotly-plot");
    const options = (plot && plot._context && plot._context.toImageButtonOptions) || {};
    const name = (options.filename || "newplot") + "." + (options.format || "png");
    setTimeout(() => state.component.setTriggerValue("gambar", name), 1000);
  }, true);
  const ATTRS = ["aria-label", "title", "placeholder", "data-title"];
  const word = (text) => {
    if (!text) return null;
    const t = text.trim();
    if (state.words[t] !== undefined) return text.replace(t, state.words[t]);
    const cut = t.indexOf(": ");  // "Fullscreen: Tabel desa"
    if (cut > 0 && state.words[t.slice(0, cut)] !== undefined) return state.words[t.slice(0, cut)] + t.slice(cut);
    if (t.startsWith("Help for ")) return "Bantuan: " + t.slice(9);  // the (?) of a widget's help
    if (t.startsWith("Remove ")) return "Hapus " + t.slice(7);  // a chosen option's (x) in a multiselect
    const all = /^Select (\d+) matches$/.exec(t);
    if (all) return "Pilih " + all[1] + " yang cocok";
    const page = /^You have requested page \/(.*), but no corresponding file was found in the app's pages\/ directory\. Running the app's main page\.$/.exec(t);
    if (page) return "Halaman /" + page[1] + " tidak ada. Halaman utama dibuka.";
    return null;
  };
  const fixElement = (el) => {
    // a phone's number pad for every number input (issue 25: Lapor Bulanan on a phone); whole numbers only
    if (el.matches && el.matches('input[type="number"]') && !el.hasAttribute("inputmode")) el.setAttribute("inputmode", "numeric");
    if (inContent(el)) return;
    for (const a of ATTRS) {
      const v = el.getAttribute && el.getAttribute(a);
      const w = v && word(v);
      if (w && w !== v) el.setAttribute(a, w);
    }
  };
  // Only Streamlit's and plotly's own interface is translated, never the app's content: markdown, captions, alerts,
  // headings, HTML lists, figures, select options and values, tab and expander titles, file names and plotly's drawing
  // layers hold the app's own words and data (a desa or a label may well read "Open" or "Format").
  const CONTENT = ['svg.main-svg', '[data-testid="stMarkdownContainer"]', '[data-testid="stHtml"]', '[data-testid="stMetricValue"]', '[data-testid="stMetricDelta"]',
    '[data-testid="stText"]', '[data-testid="stCode"]', '[data-testid="stCaptionContainer"]', '[data-testid="stHeading"]',
    '[role="option"]', '[data-baseweb="tag"]', '[data-testid="stSelectbox"] [data-baseweb="select"] > div > div:first-child',
    '[data-testid="stFileUploaderFileName"]', '[data-testid="stTab"]', '[data-testid="stExpander"] summary',
    '[data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"]', '.pmks-tabel', '.pmks-daftar'].join(", ");
  const PAGE = '[data-testid="stMain"], [data-testid="stSidebar"]';  // Streamlit's own notices (a page not found) live outside
  // a button's label is markdown too, but a button is Streamlit's (the app's own labels are Indonesian)
  const inContent = (el) => !!(el && el.closest && el.closest(CONTENT) && !el.closest("button") && el.closest(PAGE));
  const skip = { acceptNode: (n) => (n.nodeType === 1 && inContent(n) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT) };
  const fixTree = (root) => {
    const el = root.nodeType === 1 ? root : root.parentElement;
    if (inContent(el)) return;
    if (root.nodeType === 3) {
      const w = word(root.nodeValue);
      if (w && w !== root.nodeValue) root.nodeValue = w;
      return;
    }
    if (root.nodeType !== 1) return;
    fixElement(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, skip);
    let node;
    while ((node = walker.nextNode())) {
      if (node.nodeType === 3) {
        const w = word(node.nodeValue);
        if (w && w !== node.nodeValue) node.nodeValue = w;
      } else fixElement(node);
    }
  };
  new MutationObserver((records) => {
    later();  // a map may have been drawn
    for (const r of records) {
      if (r.type === "childList") r.addedNodes.forEach(fixTree);
      else if (r.type === "characterData") fixTree(r.target);
      else if (r.type === "attributes") fixElement(r.target);
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS });
  fixTree(document.body);
}
"""


@st.cache_resource(show_spinner=False)
def _component():
    return st.components.v2.component("pmks_bahasa", js=JS.replace("WIDTH_STEP", str(WIDTH_STEP)), isolate_styles=False)


def _noop() -> None:
    """Callbacks that register the component's state and trigger (their values are read from its result)."""


def indonesian_chrome() -> None:
    """Mount the translator (once per page run; it installs itself once per browser tab) and the hiding CSS; note
    the width of the page's content (`page_width`) and audit a chart picture saved with the mode bar's camera."""
    from dashboard.data import audit_action

    st.html(f"<style>{CSS}</style>")
    data = {"kata": WORDS, "lebar": page_width()}
    result = _component()(data=json.dumps(data, ensure_ascii=False), key="pmks_bahasa", on_lebar_change=_noop, on_gambar_change=_noop)
    st.session_state[WIDTH] = int(result.lebar) if isinstance(result.lebar, (int, float)) and result.lebar > 0 else None
    if result.gambar:
        audit_action("unduh", str(result.gambar)[:200], '{"gambar": true}')


def page_width() -> int | None:
    """The width of the page's content in the browser, in pixels (steps of 50; reported by the translator's script),
    None before the browser has said it (and in tests without a browser)."""
    return st.session_state.get(WIDTH)
