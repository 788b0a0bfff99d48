"""What a person using the app is told to do, in words: the ETL's messages are shared with the server's command line
and may name a command (`python -m etl alias`); in the app each such hint becomes the place in the app that does it.
Pure text, no Streamlit, so page models may use it too."""

from __future__ import annotations

import re

# Longest commands first: `template --penduduk` before `template`.
_IN_WORDS = [
    (r"python -m etl template --penduduk", "unduh templat penduduk di halaman Pengguna & Pengaturan"),
    (r"python -m etl template", "unduh formulir PSM kosong di halaman Unggah Data"),
    (r"python -m etl alias", "pilih desa yang benar di halaman Unggah Data (disimpan sebagai nama lain desa)"),
    (r"python -m etl history", "lihat halaman Riwayat Impor"),
    (r"python -m etl status", "lihat daftar kecamatan di halaman Profil Wilayah"),
    (r"python -m etl boundaries", "admin mengimpor berkas batas desa di halaman Pengguna & Pengaturan"),
    (r"python -m etl import", "unggah laporan di halaman Unggah Data"),
    (r"python -m etl user", "admin mengatur pengguna di halaman Pengguna & Pengaturan"),
    (r"python -m etl init", "minta pengelola server menyiapkan basis data"),
    (r"python -m etl settings", "admin mengubahnya di halaman Pengguna & Pengaturan"),
]
_LEAD = r"(?:(?:[Jj]alankan(?: dulu)?|[Ll]ihat(?: kode\w*)?(?: kecamatan)?(?: dengan)?|[Ss]iapkan dengan)\s*:?\s*)?"
_REST = r"[^`.;)\n]*`?"


def _words(words: str):
    def replace(match: re.Match) -> str:
        before = match.string[: match.start()].rstrip()
        return words[0].upper() + words[1:] if not before or before.endswith((".", ":", "!")) and match.group(0)[0].isupper() else words
    return replace


def plain(text: str) -> str:
    """`text` with every command line replaced by what to do in words (any command not listed: 'hubungi admin')."""
    if not isinstance(text, str) or "python -m" not in text:
        return text
    for command, words in _IN_WORDS:
        text = re.sub(_LEAD + "`?" + re.escape(command) + _REST, _words(words), text)
    return re.sub(_LEAD + r"`?python -m etl" + _REST, _words("hubungi admin aplikasi"), text)
