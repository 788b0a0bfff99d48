"""Matching names written by people to official desa and indicator codes."""

from __future__ import annotations

import re
import unicodedata

_PREFIX = re.compile(r"^(desa|ds|kelurahan|kel|kec|kecamatan|kab|kabupaten|dusun|dsn)\b\.?\s*")
_NOISE = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def normalize_name(text: str) -> str:
    """Lower case, no accents or punctuation, single spaces, without Desa/Ds./Kel./Kelurahan/Kec. prefixes."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    text = text.replace(".", ". ")
    text = _SPACES.sub(" ", _NOISE.sub(" ", text)).strip()
    previous = None
    while previous != text:
        previous, text = text, _PREFIX.sub("", text).strip()
    return text
