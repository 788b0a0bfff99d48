"""Resolving what a report says into codes, months and counts, with an issue for everything that does not resolve.

`resolve_raws` takes the values of forms and recaps one by one; `resolve_long` takes a long table
column-wise: every distinct name, month and count is resolved once and the result mapped onto its
rows, so a 100.000-row table costs about as much as its few hundred distinct names.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import cast

import numpy as np
import pandas as pd

from etl.check.rules import Issue
from etl.find.context import Where
from etl.find.longtable import LongTable
from etl.find.reports import Raw
from etl.read.cells import cell_text, find_period, parse_count, parse_period
from etl.resolve.match import Gazetteer, Match

COLUMNS = ["kode_desa", "periode", "kode_indikator", "laki_laki", "perempuan", "jumlah", "lp_given", "j_given",
           "sheet", "baris", "kolom", "l_col", "p_col", "nama_psm", "nama_tertulis", "l_baris", "p_baris"]


def _once(cache: dict, key, compute):
    if key not in cache:
        cache[key] = compute(key)
    return cache[key]


def resolve_raws(ref, raws: list, result) -> list[tuple]:
    """Turn raw values into codes, months and counts; record an issue for everything that does not resolve.

    The rows (in the order of COLUMNS) hold the values that resolved, even when others did not, so that
    the rules of `etl.check.rules` report their errors in the same run."""
    caches: dict[str, dict] = {"periode": {}, "kecamatan": {}, "desa": {}, "clean": {}}
    counts: dict = {}
    rows = []
    for raw in raws:
        key = (raw.periode, raw.kecamatan, raw.kode, raw.desa, raw.indikator)
        codes = caches["clean"].get(key)
        if codes is None:
            before = len(result.issues)
            codes = _names(ref, raw, caches, result.issues)
            if codes is not None and len(result.issues) == before:
                caches["clean"][key] = codes  # names that resolve without a word are not looked at again
        parsed = _counts(raw, counts, result.issues)
        if codes is None or parsed is None:
            continue  # reported; the rules run on the rows that resolved
        l_given = (raw.l_col is not None and _given(raw.laki_laki)) or (raw.p_col is not None and _given(raw.perempuan))
        rows.append((
            codes[0], codes[1], codes[2], parsed[0], parsed[1], parsed[2], l_given, raw.j_col is not None and _given(raw.jumlah),
            raw.sheet, raw.row, raw.j_col or raw.l_col, raw.l_col, raw.p_col, raw.psm, raw.desa or raw.kode, raw.l_row, raw.p_row,
        ))
    return rows  # one tuple per value, in the order of COLUMNS


def _names(ref, raw, caches: dict, issues: list) -> tuple | None:
    """(kode_desa, periode, kode_indikator) of a raw value, or None; issues recorded with their cells."""
    period = _period(raw, caches, issues)
    code = _place(ref, raw, caches, issues)
    indicator = _indicator(ref, raw, issues)
    return (code, period, indicator) if code and indicator and (period or _no_month(raw)) else None


def _no_month(raw) -> bool:
    """The sheet names no month at all (the layout reported it); its rows are still checked by the rules."""
    return raw.periode is None and raw.periode_at.row is None


def _period(raw, caches: dict, issues: list):
    """The month of a raw value; None (already reported by the layout) when the sheet names no month at all."""
    if _no_month(raw):
        return None
    period = _once(caches["periode"], raw.periode, lambda v: parse_period(v) or (find_period(v) if isinstance(v, str) else None))
    if period is None:
        issues.append(Issue("error", raw.sheet, raw.periode_at.row, raw.periode_at.col, f"bulan laporan '{raw.periode}' tidak terbaca",
                            "tulis seperti 'Oktober 2026', '10/2026' atau '2026-10'"))
    return period


def _place(ref, raw, caches: dict, issues: list) -> str | None:
    """The desa code of a raw value, matched within the kecamatan it names (None when it does not resolve)."""
    gaz = ref.gazetteer
    kec_code = None
    if raw.kecamatan:
        kec = _once(caches["kecamatan"], raw.kecamatan, gaz.match_kecamatan)
        kec_code = kec.code
        where = (raw.sheet, raw.kecamatan_at.row, raw.kecamatan_at.col)
        if not kec.ok:
            issues.append(Issue("error", *where, f"kecamatan '{raw.kecamatan}' tidak dikenal", _candidates(kec)))
            return None  # the desa is not looked for in an unknown kecamatan: that would only repeat the error
        if kec.how == "fuzzy":
            issues.append(Issue("warning", *where, f"kecamatan '{raw.kecamatan}' dibaca sebagai {gaz.names[kec_code]} (kemiripan {kec.score:.0f}%)", None))
    match = _once(caches["desa"], (kec_code, raw.kode or raw.desa or "", raw.desa), lambda k: _match_desa(gaz, k))
    _desa_issue(ref, raw, kec_code, match, issues)
    return match.code if match.ok and not (ref.scope and not match.code.startswith(ref.scope)) else None


def _indicator(ref, raw, issues: list) -> str | None:
    ind = ref.indicators
    found = ind.match(raw.indikator)
    where = (raw.sheet, raw.indikator_at.row, raw.indikator_at.col)
    if found.how in ("exact", "alias"):
        return found.code
    first = [code for code, _, _ in found.candidates]  # the analyst picks among every type, the likeliest first
    choices = {"jenis": "indikator", "kode_kecamatan": "", "nama": raw.indikator,
               "kandidat": [[c, ind.label(c)] for c in first + [c for c in ind.names if c not in first]]}
    if not found.ok:
        issues.append(Issue("error", *where, f"jenis PMKS '{raw.indikator}' tidak dikenal", _candidates(found), choices=choices))
    elif found.how == "pending":
        issues.append(Issue("warning", *where, f"jenis PMKS '{raw.indikator}' dibaca sebagai {ind.label(found.code)} ({PICKED})", None,
                            choices=choices))
    elif found.how == "fuzzy":
        issues.append(Issue("warning", *where, f"jenis PMKS '{raw.indikator}' dibaca sebagai {ind.label(found.code)} (kemiripan {found.score:.0f}%)",
                            None, choices=choices))
    return found.code


PICKED = "pilihan Anda; disimpan sebagai nama lain saat Simpan"


def _desa_issue(ref, raw, kec_code: str | None, match: Match, issues: list) -> None:
    gaz = ref.gazetteer
    where = (raw.sheet, raw.desa_at.row, raw.desa_at.col)
    if match.how in ("exact", "alias") and not (ref.scope and not cast(str, match.code).startswith(ref.scope)):
        return
    choices = None
    if kec_code and raw.desa and not raw.kode:  # any desa of the kecamatan, the likeliest first
        first = [c for c, _, _ in match.candidates if gaz.parent.get(c) == kec_code]
        inside = sorted(gaz.desa_in.get(kec_code, {}).values(), key=lambda c: gaz.names[c])
        choices = {"jenis": "desa", "kode_kecamatan": kec_code, "nama": raw.desa,
                   "kandidat": [[c, gaz.label(c)] for c in first + [c for c in inside if c not in first]]} if inside else None
    if not match.ok:
        issues.append(Issue("error", *where, _desa_message(gaz, raw, kec_code, match), _candidates(match), choices=choices))
    elif ref.scope and not cast(str, match.code).startswith(ref.scope):
        issues.append(Issue("error", *where, f"desa {gaz.label(match.code)} di luar kecamatan Anda "
                            f"({gaz.names.get(ref.scope, ref.scope)}); laporan ini tidak dapat Anda simpan", None))
    elif match.how == "pending":
        issues.append(Issue("warning", *where, f"desa '{raw.desa}' dibaca sebagai {gaz.label(match.code)} ({PICKED})", None, choices=choices))
    elif match.how == "fuzzy":
        issues.append(Issue("warning", *where, f"desa '{raw.desa}' dibaca sebagai {gaz.label(match.code)} (kemiripan {match.score:.0f}%)",
                            "simpan sebagai alias bila benar: python -m etl alias", choices=choices))


def _counts(raw, counts: dict, issues: list) -> tuple | None:
    """(L, P, jumlah) of a raw value as numbers, or None after recording what cannot be read."""
    parsed = []
    for part, value, col, row in (("l", raw.laki_laki, raw.l_col, raw.l_row), ("p", raw.perempuan, raw.p_col, raw.p_row),
                                  ("j", raw.jumlah, raw.j_col, None)):
        if value.__class__ is float and value != value:
            value = None
        elif value.__class__ is bool:
            value = str(value)  # True must not share a cache entry with 1
        try:
            number, problem = counts[value]
        except KeyError:
            number, problem = counts[value] = parse_count(value)
        except TypeError:  # unhashable
            number, problem = parse_count(value)
        if problem:
            issues.append(Issue("error", raw.sheet, row or raw.row, col, f"{_PART[part]}: {problem}", "isi dengan bilangan bulat ≥ 0 (kosong atau '-' berarti 0)"))
        parsed.append(number)
    return None if None in parsed else tuple(parsed)


_PART = {"l": "L (laki-laki)", "p": "P (perempuan)", "j": "jumlah"}


def _given(value) -> bool:
    if value is None:
        return False
    if isinstance(value, float):
        return value == value
    return bool(str(value).strip())


def _match_desa(gaz: Gazetteer, key) -> Match:
    kec_code, text, name = key
    match = gaz.match_desa(text, kec_code)
    if match.code is not None and name and text != name:  # a code was given: the name beside it must agree
        by_name = gaz.match_desa(name, gaz.parent[match.code])
        if by_name.code is not None and by_name.code != match.code:
            return Match(None, 0.0, "conflict", [(match.code, gaz.label(match.code), 100.0), (by_name.code, gaz.label(by_name.code), 100.0)])
    return match


def _desa_message(gaz: Gazetteer, raw, kec_code, match: Match) -> str:
    where = f" di Kecamatan {gaz.names[kec_code]}" if kec_code else ""
    if match.how == "elsewhere":
        other = ", ".join(label for _, label, _ in match.candidates if gaz.parent.get(_) != kec_code)
        return f"desa '{raw.desa or raw.kode}' tidak berada di Kecamatan {gaz.names.get(kec_code, kec_code)}; nama itu ada di {other}"
    if match.how == "ambiguous":
        return (f"desa '{raw.desa}' ada di {len(match.candidates)} kecamatan; laporan tidak menyebut kecamatannya "
                "(sebutkan saat impor: --kecamatan KODE; halaman Unggah: pilihan 'Kecamatan')")
    if match.how == "conflict":
        return f"kode desa '{raw.kode}' tidak sesuai dengan nama '{raw.desa}'"
    if not (raw.desa or raw.kode):
        return "nama desa kosong"
    return f"desa '{raw.desa or raw.kode}' tidak ditemukan{where}"


def _candidates(match: Match) -> str | None:
    if not match.candidates:
        return None
    return "mungkin: " + "; ".join(f"{label} [{code}]" for code, label, _ in match.candidates[:3])




def resolve_long(ref, table: LongTable, result) -> pd.DataFrame:
    """A long table resolved column-wise: each distinct place, month, indicator and count once."""
    n = len(table.rows)
    if not n:
        return pd.DataFrame(columns=COLUMNS)
    text = lambda f: _take(table.cells[f], cell_text) if f in table.cells else np.full(n, None, dtype=object)  # noqa: E731
    kec = text("kecamatan") if "kecamatan" in table.cells else np.full(n, table.kecamatan[0] if table.kecamatan else None, dtype=object)
    kode, desa, ind = text("kode"), text("desa"), text("indikator")
    periode = _long_periods(table, text)
    caches: dict[str, dict] = {"periode": {}, "kecamatan": {}, "desa": {}}

    def stub(i: int) -> Raw:  # a raw value standing for every row with the same key
        row, at = table.rows[i], table.letters
        kec_at = Where(row, at["kecamatan"]) if "kecamatan" in table.cells else (table.kecamatan[1] if table.kecamatan else Where())
        per_at = Where(row, at["periode"]) if "periode" in table.cells else cast("tuple[object, Where]", table.periode)[1]
        return Raw(table.sheet, row, kec[i] or None, kec_at, desa[i], Where(row, at["desa"]), kode[i] or None, periode[i], per_at,
                   ind[i], Where(row, at["indikator"]))

    places = _combined(kec, kode, desa)
    frame = pd.DataFrame({  # object columns as built: inferring string dtypes would cost more than the rest
        "kode_desa": _by_key(places, table, result, lambda i: _place(ref, stub(i), caches, result.issues)),
        "periode": _by_key(periode, table, result, lambda i: _period(stub(i), caches, result.issues)),
        "kode_indikator": _by_key(ind, table, result, lambda i: _indicator(ref, stub(i), result.issues)),
    })
    given = {}
    for key, label, column in (("l", "l", "laki_laki"), ("p", "p", "perempuan"), ("jumlah", "j", "jumlah")):
        cells = table.cells.get(key)
        if cells is None:
            frame[column], given[label] = 0, np.zeros(n, dtype=bool)
            continue
        cells = _no_bools(cells)
        col = table.letters[key]
        frame[column] = _by_key(cells, table, result, lambda i, c=cells, k=col, part=label: _count(c[i], part, table, i, k, result.issues))
        given[label] = _take(cells, _given).astype(bool)
    frame = frame.assign(
        lp_given=given["l"] | given["p"], j_given=given["j"], sheet=table.sheet, baris=table.rows,
        kolom=table.letters["jumlah"] or table.letters["l"], l_col=table.letters["l"], p_col=table.letters["p"],
        nama_psm=pd.Series([p or None for p in text("psm")], dtype=object) if "psm" in table.cells else None,
        nama_tertulis=pd.Series([d or k for d, k in zip(desa.tolist(), kode.tolist())], dtype=object),
        l_baris=table.rows, p_baris=table.rows,
    )
    resolved = np.ones(n, dtype=bool)
    for column in ("kode_desa", "kode_indikator", "laki_laki", "perempuan", "jumlah"):
        if frame[column].dtype == object:
            resolved &= np.fromiter((v is not None for v in frame[column].tolist()), dtype=bool, count=n)
    frame = frame[resolved] if not resolved.all() else frame
    return frame.astype({"laki_laki": "int64", "perempuan": "int64", "jumlah": "int64"}).reset_index(drop=True)[COLUMNS]


def _combined(*columns) -> np.ndarray:
    """One integer key per distinct combination of the columns' values (cheaper than hashing tuples)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, first = _factorize(column)
        key = key * (len(first) + 1) + codes
    return key


def _factorize(values) -> tuple[np.ndarray, np.ndarray]:
    """(code of each value, first row of each distinct value); NaN counts as one value, as written."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    first = np.empty(len(uniques), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return codes, first


def _take(values, compute) -> np.ndarray:
    """compute(value) for each value, called once per distinct value."""
    codes, first = _factorize(values)
    answers = np.empty(len(first), dtype=object)
    answers[:] = [compute(_nan_free(values[i])) for i in first]
    return answers[codes]


def _nan_free(value):
    return None if value.__class__ is float and value != value else value


def _no_bools(cells: list) -> list:
    """True would share a key with 1 (and False with 0) when values are grouped; keep them apart as text."""
    return [str(v) if v.__class__ is bool else v for v in cells] if any(v.__class__ is bool for v in cells) else cells


def _long_periods(table: LongTable, text) -> np.ndarray:
    n = len(table.rows)
    if "periode" not in table.cells:
        assert table.periode is not None  # a long table without a month column has the sheet's month
        out = np.empty(n, dtype=object)
        out[:] = [table.periode[0]] * n
        return out
    cells = np.empty(n, dtype=object)
    cells[:] = [_nan_free(v) for v in table.cells["periode"]]
    if "tahun" in table.cells:
        shown, years = text("periode"), text("tahun")
        for i, (p, y) in enumerate(zip(shown, years)):
            if y and not re.search(r"\d{4}|\d+[-/]\d+", p or ""):
                cells[i] = f"{p} {y}"
    return cells


def _by_key(keys, table: LongTable, result, resolve) -> pd.Series:
    """Resolve each distinct key at its first row; its issues are repeated for the other rows holding it."""
    codes, first = _factorize(keys)
    answers = np.empty(len(first), dtype=object)
    noisy = {}
    for k, i in enumerate(first):
        before = len(result.issues)
        answers[k] = resolve(int(i))
        if len(result.issues) > before:
            noisy[k] = (table.rows[i], result.issues[before:])
    for k, (row, issues) in noisy.items():
        for i in np.flatnonzero(codes == k)[1:]:
            result.issues.extend(replace(issue, row=table.rows[i]) if issue.row == row else issue for issue in issues)
    return pd.Series(answers[codes], dtype=object)


def _count(value, label: str, table: LongTable, i: int, col: str | None, issues: list) -> int | None:
    number, problem = parse_count(None if value.__class__ is float and value != value else value)
    if problem:
        issues.append(Issue("error", table.sheet, table.rows[i], col, f"{_PART[label]}: {problem}", "isi dengan bilangan bulat ≥ 0 (kosong atau '-' berarti 0)"))
    return number
