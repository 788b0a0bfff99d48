"""The rulebook: who may see and do what, in one place (issue 24).

Every page, download, server route and data access asks here. A user's **area** is the part of the warehouse they
may read ('' = all of it, else a kecamatan code); **pages** are the app's pages they may open; **actions** are what
they may do beyond reading. The data layer applies the area to every page model and query (`dashboard.data`), so a
page or model never passes a scope by hand; the server applies it to every file it serves (`dashboard.downloads`).
Scope filters what is shown; it never changes what a number means (every index and rank is computed on the
kabupaten's basis and then shown for the user's area).

Issue 25 adds two field roles outside the linear hierarchy: `psm` (one desa: Lapor Bulanan and its own desa's
Profil) and `verifikator` (one kecamatan: Verifikasi and the leadership pages of its kecamatan). Which desa x month a
user may enter, verify, approve or reopen is `may_report` (used by `lapor`).
"""

from __future__ import annotations

from accounts.users import FIELD_ROLES, ROLES, User

# Pages each role may open (file stems under pages/); each role has everything of the roles before it.
PAGES = {
    "pimpinan": ("ringkasan", "peta", "jelajah", "profil", "prioritas", "kelengkapan", "tentang", "asal"),
    "staf": (),
    "analis": ("unggah", "riwayat", "verifikasi"),
    "admin": ("pengaturan",),
}
# The field roles (issue 25): their own pages, not those of the hierarchy.
FIELD_PAGES = {
    "psm": ("lapor", "profil"),
    "verifikator": ("verifikasi",) + PAGES["pimpinan"],
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
    # Lapor Bulanan (issue 25); the desa x month must also lie in the user's area (`may_report`)
    "lapor_isi": ("psm", "verifikator", "admin"),  # enter and send a desa's monthly report
    "lapor_verifikasi": ("verifikator", "analis", "admin"),  # verify a sent report or give it back with a comment
    "lapor_setujui": ("analis", "admin"),  # approve verified reports (in bulk)
    "lapor_batal_setuju": ("admin",),  # un-approve (recorded, with a reason)
    "lapor_buka": ("admin",),  # reopen a locked desa x month (recorded exception, with a reason)
    "lapor_atur": ("admin",),  # lock days and what the dashboards count
}


def pages(user: User | None) -> tuple[str, ...]:
    """The pages this user may open, in navigation order of the roles."""
    if user is None:
        return ()
    if user.peran in FIELD_ROLES:
        return FIELD_PAGES[user.peran]
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
    """The code prefix of everything the user may read: '' for the whole warehouse, a kecamatan code, a psm's desa
    code, or None for nobody (not signed in)."""
    return None if user is None else user.desa or user.kecamatan or ""


def covers(user: User | None, code: str) -> bool:
    """Whether the area `code` ('' = the whole warehouse, a kecamatan, a desa) lies inside the user's area."""
    mine = area(user)
    return mine is not None and code.startswith(mine)


def clamp(user: User | None, kecamatan: str, desa: str = "") -> tuple[str, str]:
    """The (kecamatan, desa) a user's choice becomes: their own kecamatan when scoped, and no desa outside it."""
    mine = area(user)
    if mine is None:
        return "", ""
    if user is not None and user.desa:  # a psm sees its own desa only
        return user.kecamatan or user.desa[:8], user.desa
    if mine and not kecamatan.startswith(mine):
        kecamatan = mine
    if desa and not (desa.startswith(kecamatan) and desa.startswith(mine)):
        desa = ""
    return kecamatan, desa


def may_report(user: User | None, action: str, kode_desa: str) -> bool:
    """Whether the user may take the Lapor Bulanan `action` on this desa's reports: the action's role, and the desa
    inside the user's area (a psm: exactly its desa; a verifikator: its kecamatan)."""
    return may(user, action) and covers(user, kode_desa) and (user is None or not user.desa or user.desa == kode_desa)
