"""Area codes and their levels: desa '35.23.18.2004', kecamatan '35.23.18', kabupaten '35.23', provinsi '35', the
whole warehouse ''. The marts (`etl.write.marts`) keep one row per area of each level; the dashboard asks them by level."""

from __future__ import annotations

DESA = 13  # length of a desa code, '35.23.18.2004'
# level above desa: (name, code length): kecamatan '35.23.18', kabupaten '35.23', provinsi '35', whole warehouse ''
LEVELS = [("kecamatan", 8), ("kabupaten", 5), ("provinsi", 2), ("semua", 0)]
LENGTH = {"desa": 13, **dict(LEVELS)}


def level_of(code: str) -> str:
    """The mart level of an area code: '' -> 'semua', '35' -> 'provinsi', '35.23.18.2004' -> 'desa'."""
    return {length: name for name, length in LENGTH.items()}[len(code)]
