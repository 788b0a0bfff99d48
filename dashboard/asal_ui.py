"""The one action "Dari mana angka ini?" (issue 26) as every page draws it: a link to the provenance page `asal` with
the number's area, month and indicators in its URL (so it can be shared), or a picker of the areas a page lists."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import streamlit as st

from common import fmt
from dashboard.views import Filters
from dashboard.views.asal import Question, to_params

LABEL = "Dari mana angka ini?"
NAME_COLUMNS = ("Desa/Kelurahan", "Kecamatan", "Wilayah")
ICON = ":material/manage_search:"


def question(f: Filters, area: str | None = None, periode: date | None = None) -> Question:
    """The question of a number a page shows: the filters' month, indicators, measure and release mode, for `area`
    (default: the filters' area)."""
    return Question(f.area if area is None else area, periode or f.periode, f.indikator, f.ukuran, f.rilis)


def link(q: Question, *, label: str = LABEL, target=None, help: str | None = None) -> None:
    """The action for one number: opens its panel (same tab, its own URL)."""
    (target or st).page_link("pages/asal.py", label=label, icon=ICON, query_params=to_params(q), help=help)


def map_link(f: Filters, clicked: str | None, whole: str, periode: date | None = None) -> None:
    """The action under a map: for the area clicked last (a click on a kecamatan also makes it the filters' area), else
    for the area the map shows."""
    chosen = clicked if clicked and clicked.startswith(f.area) else (f.area or whole)
    if clicked == chosen:
        link(question(f, chosen, periode), label=f"{LABEL} (wilayah diklik)")
    else:
        link(question(f, chosen, periode), help="Klik wilayah di peta untuk memilihnya; tanpa klik: wilayah yang ditampilkan.")


def picker(q: Question, areas: dict[str, str], *, key: str, months: list[date] | None = None, target=None) -> None:
    """The action for a list of numbers (table rows, ranks, trend points): choose the area (and the month), then open
    its panel. `q` gives the month, indicators, measure and release mode."""
    if not areas:
        return
    box = (target or st).container(horizontal=True, vertical_alignment="bottom", gap="small")
    codes = list(areas)
    area = box.selectbox(LABEL, codes, format_func=areas.get, key=f"{key}_wilayah", width=320)
    month = q.periode
    if months:
        month = box.selectbox("Bulan", months[::-1], format_func=fmt.bulan, key=f"{key}_bulan", width=200)
    link(dataclasses.replace(q, area=area, periode=month), label=f"Buka asal angka {areas[area]}", target=box)


def escape(text: str) -> str:
    """Text (file and area names) shown through Markdown as written: '_' or '*' in a file name stays itself."""
    return re.sub(r"([\\`*_\[\]<>#|~$])", r"\\\1", text)


def areas(frame, name: str | None = None, code: str = "Kode", first: dict[str, str] | None = None) -> dict[str, str]:
    """{code: name} of the areas a page's table lists, in its order (`first` before them; rows without a code, such
    as a total, left out); `name` defaults to the table's desa, kecamatan or area column."""
    out = dict(first or {})
    label = name or next((c for c in NAME_COLUMNS if frame is not None and c in frame), None)
    if frame is None or code not in frame or label is None:
        return out
    for kode, nama in zip(frame[code], frame[label]):
        if isinstance(kode, str) and kode and kode not in out:
            out[kode] = str(nama)
    return out


def clicked(event, codes: list[str]) -> str | None:
    """The area a click on a map chose (its selection event and the map's codes in feature order), or None."""
    points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) else getattr(getattr(event, "selection", None), "points", [])
    location = points[0].get("location") if points else None
    if isinstance(location, (int, float)) and 0 <= int(location) < len(codes):
        return codes[int(location)]
    return None
