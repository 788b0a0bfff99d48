"""Files that leave the app, served by the app's own route and guarded by the rulebook (issue 24).

A page does not hand its file to Streamlit's `/media/` store, which any signed-in browser could fetch by URL: it
registers the file here (`register`) and shows a link to `/unduh/<id>`; `server.py` answers that link (`serve`) only
for the session that made it while it is live, or for a user whose role may take the file's action and whose area
covers the file's area; never after sign-out. Every fetch, served or refused, is audited at the server. A file may
be made when fetched (`build`, e.g. the PDF brief), in a worker thread of the server.

Held in this server process (behind several processes nginx sends a browser to the same one), one file per page slot
of a session, for `KEEP_SECONDS`. No Streamlit here.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from accounts import rulebook
from accounts.users import User

KEEP_SECONDS = 3600
MAX_FILES = 2000


@dataclass(frozen=True)
class Download:
    """One file a session may fetch: what it is, whose it is, and the action and area the rulebook checks."""

    name: str
    mime: str
    owner: str  # the session's key (SHA-256 of its token), or 'demo' when the warehouse is open for demo
    login: str
    action: str  # the rulebook's action needed by anyone else: 'unduh', 'unggah', 'atur'
    area: str  # the part of the warehouse the file holds ('' = all)
    data: bytes | None = None
    build: Callable[[], bytes] | None = None
    made: float = 0.0


class Registry:
    """The files of this server process, by id; thread-safe."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._files: OrderedDict[str, Download] = OrderedDict()
        self._slots: dict[tuple[str, str], str] = {}  # (owner, slot) -> id: a rerun replaces a page's file

    def register(self, download: Download, slot: str) -> str:
        """Keep a file; returns its id (random). The same owner and slot keep one file, the newest."""
        now = self._clock()
        file_id = secrets.token_urlsafe(18)
        with self._lock:
            old = self._slots.pop((download.owner, slot), None)
            if old is not None:
                self._files.pop(old, None)
            self._files[file_id] = Download(**{**download.__dict__, "made": now})
            self._slots[(download.owner, slot)] = file_id
            while self._files and (len(self._files) > MAX_FILES or now - next(iter(self._files.values())).made > KEEP_SECONDS):
                gone, entry = self._files.popitem(last=False)
                self._slots = {k: v for k, v in self._slots.items() if v != gone}
        return file_id

    def find(self, file_id: str) -> Download | None:
        with self._lock:
            found = self._files.get(file_id)
        if found is None or self._clock() - found.made > KEEP_SECONDS:
            return None
        return found


REGISTRY = Registry()


def may_fetch(download: Download, user: User | None, session_key: str | None) -> bool:
    """The rulebook's answer for one fetch: the live session that made the file, or a user who may take the file's
    action on its area. `user` is the fetching session's user (None: not signed in, or signed out)."""
    if user is None:
        return False
    if not rulebook.may(user, download.action):
        return False
    return session_key == download.owner or rulebook.covers(user, download.area)


def audit_details(file_id: str, download: Download | None, served: bool) -> str:
    return json.dumps({"berkas": file_id, "dilayani": served, "wilayah": download.area if download else None,
                       "pembuat": download.login if download else None}, ensure_ascii=False)
