"""Matching names written by people to official desa, kecamatan and indicator codes.

Exact matches (after normalising case, spaces, punctuation and prefixes such as Ds./Desa/Kel.) and
confirmed aliases are accepted silently; near misses are scored with rapidfuzz, the confident ones
accepted with a warning and the rest returned with their best candidates so the user can choose.
Desa are always matched within the kecamatan the report names: 18 desa names repeat across Tuban's
kecamatan (Sumurgung is in Montong, Tuban and Palang).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import duckdb
import pandas as pd
from rapidfuzz import fuzz, process

from common.config import DATA_DIR

_PREFIX = re.compile(r"^(desa|ds|kelurahan|kel|kec|kecamatan|kab|kabupaten|dusun|dsn)\b\.?\s*")
_NOISE = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_NUMBERING = re.compile(r"^\s*(\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})\s*[.)]\s+")
_CODE = re.compile(r"^\s*(\d{2})\.?(\d{2})\.?(\d{2})(?:\.?(\d{4}))?\s*$")

ACCEPT = 88.0  # a near miss at or above this score, clearly ahead of the next, is accepted with a warning
CANDIDATE = 60.0  # candidates listed in an error
ALIASES = DATA_DIR / "indikator_alias.csv"
ABBREVIATIONS = DATA_DIR / "singkatan_pmks.csv"  # the recap abbreviations (G, P, PM, KPN, KTr …)


def normalize_name(text: str) -> str:
    """Lower case, no accents or punctuation, single spaces, without Desa/Ds./Kel./Kelurahan/Kec. prefixes."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    text = text.replace(".", ". ")
    text = _SPACES.sub(" ", _NOISE.sub(" ", text)).strip()
    previous = None
    while previous != text:
        previous, text = text, _PREFIX.sub("", text).strip()
    return text


def normalize_label(text: str) -> str:
    """Like normalize_name, but keeps every word (for indicator names and column headers)."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    text = _NUMBERING.sub("", text)
    return _SPACES.sub(" ", _NOISE.sub(" ", text.replace("/", " "))).strip()


def parse_code(text: str) -> str | None:
    """A Kemendagri code written with or without dots ('3523012001', '35.23.01.2001') in dotted form."""
    match = _CODE.match(str(text))
    if not match:
        return None
    return ".".join(part for part in match.groups() if part)


@dataclass
class Match:
    """The outcome of matching one name: a code (maybe with a warning) or candidates for an error."""

    code: str | None
    score: float = 100.0
    how: str = "exact"  # exact | alias | pending (the analyst's choice on this upload) | fuzzy | none | ambiguous | elsewhere
    candidates: list[tuple[str, str, float]] = field(default_factory=list)  # (code, label, score)

    @property
    def ok(self) -> bool:
        return self.code is not None


def _fuzzy(key: str, choices: dict[str, str] | list[tuple[str, str]], labels: dict[str, str]) -> Match:
    """Best fuzzy match of `key` among normalised names ({name: code} or [(name, code)])."""
    pairs = list(choices.items()) if isinstance(choices, dict) else list(choices)
    if not key or not pairs:
        return Match(None, 0.0, "none")
    names = [name for name, _ in pairs]
    scored: dict[str, float] = {}
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
        for _, score, index in process.extract(key, names, scorer=scorer, limit=8):
            code = pairs[index][1]
            scored[code] = max(scored.get(code, 0.0), float(score))
    ranked = sorted(scored.items(), key=lambda kv: -kv[1])
    listed = dict(scored)  # candidates to show may also be partial matches ('Pakel Kulon' -> Pakel)
    for _, score, index in process.extract(key, names, scorer=fuzz.WRatio, limit=8):
        code = pairs[index][1]
        listed[code] = max(listed.get(code, 0.0), float(score) * 0.95)
    candidates = [(code, labels[code], score) for code, score in sorted(listed.items(), key=lambda kv: -kv[1]) if score >= CANDIDATE][:3]
    best_code, best = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    if best >= ACCEPT and best - runner >= 5:
        return Match(best_code, best, "fuzzy", candidates)
    return Match(None, best, "none", candidates)


class Gazetteer:
    """The kecamatan and desa of the warehouse with their normalised names and confirmed aliases."""

    def __init__(self, wilayah: pd.DataFrame, aliases: pd.DataFrame | None = None):
        kec = wilayah[wilayah["tingkat"] == "kecamatan"]
        desa = wilayah[wilayah["tingkat"] == "desa"]
        self.names = dict(zip(wilayah["kode"], wilayah["nama"]))
        self.parent = dict(zip(desa["kode"], desa["kode_induk"]))
        self.kecamatan = {normalize_name(n): k for k, n in zip(kec["kode"], kec["nama"])}
        self.kecamatan_compact = {key.replace(" ", ""): k for key, k in self.kecamatan.items()}
        self.desa_in: dict[str, dict[str, str]] = {}
        self.by_key: dict[str, list[str]] = {}
        for code, name, parent in zip(desa["kode"], desa["nama"], desa["kode_induk"]):
            key = normalize_name(name)
            self.desa_in.setdefault(parent, {})[key] = code
            self.by_key.setdefault(key.replace(" ", ""), []).append(code)
        self.aliases: dict[tuple[str, str], str] = {}
        self.pending: set[tuple[str, str]] = set()  # chosen by the analyst on this upload, saved as aliases on Simpan
        if aliases is not None:
            for kec_code, alias, code in zip(aliases["kode_kecamatan"], aliases["alias"], aliases["kode_desa"]):
                self.aliases[(kec_code, alias)] = code

    @classmethod
    def from_db(cls, con: duckdb.DuckDBPyConnection) -> Gazetteer:
        wilayah = con.execute("select kode, nama, tingkat, kode_induk from wilayah where tingkat in ('kecamatan', 'desa')").df()
        aliases = con.execute("select kode_kecamatan, alias, kode_desa from alias_desa").df()
        return cls(wilayah, aliases)

    def choose(self, kecamatan: str, written: str, code: str) -> None:
        """The analyst says that `written`, in a report of `kecamatan`, is desa `code` (until saved, for this upload)."""
        self.aliases[(kecamatan, normalize_name(written))] = code
        self.pending.add((kecamatan, normalize_name(written)))

    def label(self, code: str) -> str:
        parent = self.parent.get(code)
        return f"{self.names[code]} (Kec. {self.names[parent]})" if parent else self.names.get(code, code)

    def match_kecamatan(self, text: str) -> Match:
        code = parse_code(text)
        if code and code in self.names and code.count(".") == 2:
            return Match(code)
        key = normalize_name(text)
        if key in self.kecamatan:
            return Match(self.kecamatan[key])
        if key.replace(" ", "") in self.kecamatan_compact:
            return Match(self.kecamatan_compact[key.replace(" ", "")])
        return _fuzzy(key, self.kecamatan, self.names)

    def match_desa(self, text: str, kecamatan: str | None) -> Match:
        """Match a desa name within a kecamatan (or within the whole area when the report names none)."""
        code = parse_code(text)
        if code and code in self.parent:
            if kecamatan and self.parent[code] != kecamatan:
                return Match(None, 100.0, "elsewhere", [(code, self.label(code), 100.0)])
            return Match(code)
        key = normalize_name(text)
        if not key:
            return Match(None, 0.0, "none")
        if kecamatan is None:
            found = self.by_key.get(key.replace(" ", ""), [])
            if len(found) == 1:
                return Match(found[0])
            if found:
                return Match(None, 100.0, "ambiguous", [(c, self.label(c), 100.0) for c in found])
            pairs = [(normalize_name(self.names[c]), c) for c in self.parent]
            result = _fuzzy(key, pairs, {c: self.label(c) for c in self.parent})
            return Match(None, result.score, "none", result.candidates)  # without a kecamatan, never guess
        if (kecamatan, key) in self.aliases:
            return Match(self.aliases[(kecamatan, key)], 100.0, "pending" if (kecamatan, key) in self.pending else "alias")
        inside = self.desa_in.get(kecamatan, {})
        if key in inside:
            return Match(inside[key])
        compact = {k.replace(" ", ""): c for k, c in inside.items()}
        if key.replace(" ", "") in compact:
            return Match(compact[key.replace(" ", "")])
        elsewhere = [c for c in self.by_key.get(key.replace(" ", ""), []) if self.parent[c] != kecamatan]
        result = _fuzzy(key, inside, {c: self.label(c) for c in inside.values()})
        if result.ok:
            return result
        if elsewhere:
            return Match(None, 100.0, "elsewhere", [(c, self.label(c), 100.0) for c in elsewhere] + result.candidates)
        return result


class IndicatorMatcher:
    """Official names, codes, short names and common variants of the 26 PMKS types."""

    def __init__(self, indikator: pd.DataFrame, aliases: pd.DataFrame | None = None):
        self.names = dict(zip(indikator["kode"], indikator["nama"]))
        self.keys: dict[str, str] = {}
        for code, name, short in zip(indikator["kode"], indikator["nama"], indikator["singkatan"].fillna("")):
            for text in (code, name, short, re.split(r"\s+atau\s+", name)[0]):
                if text:  # the official name, its short forms and the part before 'atau …'
                    self.keys.setdefault(normalize_label(text), code)
        shipped = pd.read_csv(ALIASES, keep_default_na=False)
        for alias, code in zip(shipped["alias"], shipped["kode"]):
            self.keys.setdefault(normalize_label(alias), code)
        short = pd.read_csv(ABBREVIATIONS, keep_default_na=False)
        for alias, code in zip(short["singkatan"], short["kode"]):
            self.keys.setdefault(normalize_label(alias), code)
        if aliases is not None:
            for alias, code in zip(aliases["alias"], aliases["kode_indikator"]):
                self.keys[normalize_label(alias)] = code
        self._cache: dict[str, Match] = {}
        self.pending: set[str] = set()

    def choose(self, written: str, code: str) -> None:
        """The analyst says that `written` is PMKS type `code` (until saved, for this upload)."""
        self.keys[normalize_label(written)] = code
        self.pending.add(normalize_label(written))
        self._cache.clear()

    @classmethod
    def from_db(cls, con: duckdb.DuckDBPyConnection) -> IndicatorMatcher:
        indikator = con.execute("select kode, nama, singkatan from indikator order by nomor").df()
        aliases = con.execute("select alias, kode_indikator from alias_indikator").df()
        return cls(indikator, aliases)

    def label(self, code: str) -> str:
        return f"{self.names[code]} ({code})"

    def match(self, text: str) -> Match:
        if text in self._cache:
            return self._cache[text]
        result = self._named(text)
        if result is None:
            result = _fuzzy(normalize_label(text), self.keys, {c: self.label(c) for c in self.names})
        self._cache[text] = result
        return result

    def _named(self, text: str) -> Match | None:
        """An exact match of the name, of it without '(…)', of what is inside '(…)' or of the part before 'atau'."""
        key = normalize_label(text)
        result = self._exact(key)
        if result is None:
            bare = re.sub(r"\s*\(.*?\)\s*", " ", str(text))
            inner = re.findall(r"\((.*?)\)", str(text))
            result = self._exact(normalize_label(bare)) or next((m for m in map(self._exact, map(normalize_label, inner)) if m), None)
        if result is None and " atau " in f" {key} ":
            result = self._exact(key.split(" atau ")[0].strip())
        return result

    def is_named(self, text: str) -> bool:
        """Whether `text` names an indicator exactly (official name, short form or alias): no fuzzy search."""
        found = self._cache.get(text)
        return found.how in ("exact", "alias", "pending") if found is not None else self._named(text) is not None

    def _exact(self, key: str) -> Match | None:
        if key not in self.keys:
            return None
        return Match(self.keys[key], 100.0, "pending") if key in self.pending else Match(self.keys[key])

    def is_indicator(self, text: str) -> bool:
        return bool(text) and self.match(text).ok
