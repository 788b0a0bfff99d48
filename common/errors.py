"""Exceptions whose message is meant for the user (Bahasa Indonesia)."""

import errno


class PMKSError(Exception):
    """A problem the user can fix; the message is shown as is. Exit code 1.

    `short` is what the app shows instead when the message names something of the server only its administrator
    should see (a path, a command line); it defaults to the message."""

    exit_code = 1

    def __init__(self, message: str = "", *, short: str | None = None):
        super().__init__(message)
        self.short = short if short is not None else message


class SystemProblem(PMKSError):
    """The machine, not the input, stopped the work (locked database, full disk). Exit code 2."""

    exit_code = 2


def os_reason(exc: OSError) -> str:
    """Why the system refused a file, in Bahasa Indonesia (the system's own text is English)."""
    reasons: dict[int | None, str] = {errno.EISDIR: "itu sebuah folder", errno.EACCES: "tidak ada izin", errno.EPERM: "tidak ada izin",
               errno.EROFS: "sistem berkas hanya-baca", errno.ENOSPC: "disk penuh", errno.ENOENT: "berkas atau folder tidak ada",
               errno.ENOTDIR: "salah satu bagian jalurnya bukan folder", errno.ENAMETOOLONG: "nama terlalu panjang"}
    return reasons.get(exc.errno, "kesalahan sistem berkas")
