"""The refusals of Lapor Bulanan, each with an Indonesian message for the user."""

from __future__ import annotations

from common.errors import PMKSError


class Forbidden(PMKSError):
    """The user may not read or change this desa-month (another desa, another kecamatan, wrong role)."""


class Closed(PMKSError):
    """The period is locked for entry; the message names the closing date."""


class Conflict(PMKSError):
    """Someone else saved this desa-month since the caller read it. `oleh`: who; `theirs`/`yours`: the two values
    (of the row concerned, or None for a whole-form change); `form`: the form as it now is."""

    def __init__(self, message: str, *, oleh: str = "", theirs=None, yours=None, form=None):
        super().__init__(message)
        self.oleh, self.theirs, self.yours, self.form = oleh, theirs, yours, form


class Problems(PMKSError):
    """The form cannot be sent: `issues` lists why (blocking ones and rows that need a note)."""

    def __init__(self, message: str, issues: list):
        super().__init__(message)
        self.issues = issues
