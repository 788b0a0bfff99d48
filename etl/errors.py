"""Exceptions whose message is meant for the user (Bahasa Indonesia)."""


class PMKSError(Exception):
    """A problem the user can fix; the message is shown as is. Exit code 1."""

    exit_code = 1


class SystemProblem(PMKSError):
    """The machine, not the input, stopped the work (locked database, full disk). Exit code 2."""

    exit_code = 2
