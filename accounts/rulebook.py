"""The rulebook: who may see and do what, in one place (issue 24).

Every page, download, server route and data access asks here. A user's **area** is the part of the warehouse they
may read ('' = all of it, else a kecamatan code); **pages** are the app's pages they may open; **actions** are what
they may do beyond reading. The data layer applies the area to every page model and query (`dashboard.data`), so a
page or model never passes a scope by hand; the server applies it to every file it serves (`dashboard.downloads`).
Scope filters what is shown; it never changes what a number means (every index and rank is computed on the
kabupaten's basis and then shown for the user's area).
"""

from __future__ import annotations

from accounts.users import ROLES, User

# Pages each role may open (file stems under pages/); each role has everything of the roles before it.
PAGES = {
    "pimpinan": ("ringkasan", "peta", "jelajah", "profil", "prioritas", "kelengkapan", "tentang", "asal"),
    "staf": (),
    "analis": ("unggah", "riwayat"),
    "admin": ("pengaturan",),
}
# What each action means, and the roles that may take it.
ACTIONS = {
    "unduh": ("staf", "analis", "admin"),  # files of the data leave the office: CSV, XLSX, PDF, chart pictures
    "unggah": ("analis", "admin"),  # import report files, teach the reader aliases, download the blank forms
    "asli": ("analis", "admin"),  # download an imported file as it was received (the provenance panel; audited)
    "riwayat": ("analis", "admin"),  # the import history of their area
    "batalkan": ("admin",),  # roll an import batch back
    "audit": ("admin",),  # read the audit log
    "atur": ("admin",),  # settings, population files, boundaries
    "pengguna": ("admin",),  # add, change and remove users
}


def pages(user: User | None) -> tuple[str, ...]:
    """The pages this user may open, in navigation order of the roles."""
    if user is None:
        return ()
    allowed: tuple[str, ...] = ()
    for role in ROLES[: ROLES.index(user.peran) + 1]:
        allowed += PAGES[role]
    return allowed


def may_open(user: User | None, page: str) -> bool:
    return page in pages(user)


def may(user: User | None, action: str) -> bool:
    """Whether the user may take `action` (a key of ACTIONS); unknown actions are refused."""
    return user is not None and user.peran in ACTIONS.get(action, ())


def area(user: User | None) -> str | None:
    """The code prefix of everything the user may read: '' for the whole warehouse, a kecamatan code, or None for
    nobody (not signed in)."""
    return None if user is None else user.kecamatan or ""


def covers(user: User | None, code: str) -> bool:
    """Whether the area `code` ('' = the whole warehouse, a kecamatan, a desa) lies inside the user's area."""
    mine = area(user)
    return mine is not None and code.startswith(mine)


def clamp(user: User | None, kecamatan: str, desa: str = "") -> tuple[str, str]:
    """The (kecamatan, desa) a user's choice becomes: their own kecamatan when scoped, and no desa outside it."""
    mine = area(user)
    if mine is None:
        return "", ""
    if mine and not kecamatan.startswith(mine):
        kecamatan = mine
    if desa and not (desa.startswith(kecamatan) and desa.startswith(mine)):
        desa = ""
    return kecamatan, desa
