"""The data side of the app: cached queries and page models read from the store (`store.open_store`), the settings
kept in the warehouse, the one write path (a store transaction, audited) and the shared pool of sandboxed
spreadsheet readers. Caches key on the store's data version, so a result never outlives a write of any session or
process."""

from __future__ import annotations

import threading
import weakref

import streamlit as st

from common.config import DEFAULT_DUE_DAY, db_path, due_day_override
from common.errors import PMKSError
from dashboard import queries
from dashboard.session import current_user, user_name
from store import open_store

CACHE_TTL = 600
READ_WAIT = 20  # seconds a page waits for another process's write (a CLI import) before it says so
WRITE_WAIT = 120  # seconds a save waits for its turn behind other saves (of this and other processes)


def store():
    """The warehouse's store (one per process)."""
    return open_store(db_path())


def db_token(kind: str = "data") -> int:
    """The store's version counter `kind` ('data', 'akun', 'audit'): it changes with every write that changes it, in
    any session or process, so a cached result never outlives an import. (On PostgreSQL: the counters of the state
    this process's copy shows, which is what the pages read.)"""
    return store().analytics_versions()[kind]


@st.cache_data(ttl=CACHE_TTL, max_entries=1000, show_spinner=False)
def _cached_query(path: str, token: int, scope: str, name: str, args: tuple):  # noqa: ARG001 - scope keys the cache
    with open_store(path).analytics(wait=READ_WAIT) as con:
        return getattr(queries, name)(con, *args)


@st.cache_data(ttl=CACHE_TTL, max_entries=20, show_spinner=False)
def _made_file(path: str, token: int, name: str, _build) -> bytes:  # noqa: ARG001 - token and name key the cache
    with open_store(path).read(wait=READ_WAIT) as con:
        return _build(con)


def kecamatan_names() -> dict[str, str]:
    """{code: name} of the warehouse's kecamatan, looked up once per run for everything on the page."""
    from dashboard.navigation import run_memo

    memo = run_memo()
    if "kecamatan" not in memo:
        kec = q(queries.kecamatan_list)
        memo["kecamatan"] = dict(zip(kec["kode"], kec["nama"]))
    return memo["kecamatan"]


def made_file(build) -> bytes:
    """A file made from the warehouse by `build(con) -> bytes` (the blank forms), cached until the warehouse changes."""
    return _made_file(str(db_path()), db_token(), f"{build.__module__}.{build.__qualname__}", build)


def q(query, *args):
    """Run a query function of dashboard.queries (e.g. `q(queries.periods)`) on a snapshot of the store, cached. The
    cache key holds the user's kecamatan scope, so a result never crosses from one scope to another."""
    from accounts import rulebook

    area = rulebook.area(current_user())
    return _cached_query(str(db_path()), db_token(), "-" if area is None else area, query.__name__, args)


@st.cache_resource(ttl=CACHE_TTL, max_entries=300, show_spinner=False)
def _cached_view(path: str, token: tuple, name: str, _build, filters, settings, options: tuple):  # noqa: ARG001
    from dashboard.views.frozen import freeze

    with open_store(path).analytics(wait=READ_WAIT) as con:
        return freeze(_build(con, filters, settings, **dict(options)))


def view(build, filters, *, audit: bool = False, **options):
    """A page model (`dashboard.views.<page>.build`) for these filters and the page's own choices (`options`,
    hashable values), on one snapshot of the store, cached (the user's area and rights and the warehouse's version in
    the key).

    The rulebook is applied here, for every page: the filters and any `kecamatan`/`desa` choice are clamped to the
    user's area, and the model gets the area and the user's rights in its `Settings`, so no page passes a scope.

    The model is shared, not copied: every run and session that asks for it gets the same object (st.cache_data
    would unpickle its frames and plotly figures on every hit, which cost more than drawing the page). So it is
    frozen (`dashboard.views.frozen`): a page cannot change it. A model that shows the audit log (`audit=True`) is
    also new after every audited action."""
    return _cached_view(*_view_key(build, filters, audit, options))


def view_later(build, filters, **options):
    """`view` asked now (the rulebook applied to this session's user, the warehouse's version of this run) and answered
    when the returned function is called, e.g. by the server when a download link is fetched (no Streamlit session
    there): the same cached model the page would get, built only if somebody asks."""
    key = _view_key(build, filters, False, options)
    return lambda: _cached_view(*key)


def _view_key(build, filters, audit: bool, options: dict) -> tuple:
    import dataclasses

    from accounts import rulebook

    user = current_user()
    if filters is not None:
        kecamatan, desa = rulebook.clamp(user, filters.kecamatan, filters.desa)
        if (kecamatan, desa) != (filters.kecamatan, filters.desa):
            filters = dataclasses.replace(filters, kecamatan=kecamatan, desa=desa, area_nama=None)
    for key in ("kecamatan", "desa"):
        if options.get(key):
            options[key] = rulebook.clamp(user, *((options[key], "") if key == "kecamatan" else (options[key][:8], options[key])))[key == "desa"]
    settings = user_settings()
    name = f"{build.__module__}.{build.__qualname__}"
    versions = store().analytics_versions()
    return (str(db_path()), (versions["data"], versions["audit"] if audit else 0), name, build, filters, settings,
            tuple(sorted(options.items())))


def user_settings():
    """The `Settings` a model gets: the deployment's settings and the signed-in user's area and rights (rulebook)."""
    from accounts import rulebook
    from dashboard.views import Settings

    user = current_user()
    return Settings(due_day=due_day(), release_threshold=release_threshold(), area=rulebook.area(user) or "",
                    rights=frozenset(a for a in rulebook.ACTIONS if rulebook.may(user, a)))


def provenance(question):
    """The provenance panel's model (`dashboard.views.asal`) for a `Question`, cached like a page model. It reads the
    warehouse itself (`store.read()`), not the pages' copy: the copy holds neither the values' cells nor the kept
    files."""
    from dashboard.views import asal

    return _cached_panel(str(db_path()), store().versions()["data"], asal.build, question, user_settings())


@st.cache_resource(ttl=CACHE_TTL, max_entries=100, show_spinner=False)
def _cached_panel(path: str, token: int, _build, question, settings):  # noqa: ARG001 - token keys the cache
    from dashboard.views.frozen import freeze

    with open_store(path).read(wait=READ_WAIT) as con:
        return freeze(_build(con, question, settings))


def kept_file(digest: str) -> bytes:
    """The bytes of a kept file (for the download route, in the server's worker thread); PMKSError once removed."""
    from etl.write.kept import read

    with store().read(wait=READ_WAIT) as con:
        body = read(con, digest)
    if body is None:
        raise PMKSError("Berkas asli ini sudah dihapus sesuai masa simpan berkas; keterangan asalnya tetap tercatat.")
    return body


_DERIVED: dict[tuple, object] = {}  # (id of a frame, function, other arguments) -> result
_WATCHED: set[int] = set()  # ids of the frames whose results go when they do
_WATCH_LOCK = threading.Lock()


def derived(fn, frame, *args, **kwargs):
    """`fn(frame, *args, **kwargs)` computed once per frame object (e.g. the XLSX bytes of a download button).

    A cached page model hands every run and every session the same frames, so a page that builds a file or a
    column layout from them does it once, not on every run; the result goes when the frame does (when its model
    leaves the cache). The other arguments key the result by their repr (small values: labels, names, formats)."""
    key = (id(frame), f"{fn.__module__}.{fn.__qualname__}", repr((args, sorted(kwargs.items()))))
    if key in _DERIVED:
        return _DERIVED[key]
    result = fn(frame, *args, **kwargs)
    with _WATCH_LOCK:  # `frame` is alive here, so its id cannot be forgotten before the result is stored
        if key[0] not in _WATCHED:
            _WATCHED.add(key[0])
            weakref.finalize(frame, _forget, key[0])
    _DERIVED[key] = result
    return result


def _forget(frame_id: int) -> None:
    """A frame has gone: drop its results. No lock: this runs wherever the frame is freed, in any thread."""
    _WATCHED.discard(frame_id)
    for key in [k for k in list(_DERIVED) if k[0] == frame_id]:
        _DERIVED.pop(key, None)


def audit_action(action: str, obj: str, details: str | None = None) -> None:
    """Record who did what in the warehouse's audit table (a short write of its own)."""
    from store.schema import audit

    try:
        write(lambda con: audit(con, user_name(), action, obj, details), bump=())
    except PMKSError:
        pass  # the action itself succeeded; a locked or missing warehouse must not turn it into an error


def sheet_reader():
    """The server's sandboxed spreadsheet readers: one small pool shared by every session (worker processes with
    memory and time limits that end themselves when idle), so closed browser sessions leave no worker behind."""
    return _reader_pool()


@st.cache_resource(show_spinner=False)
def _reader_pool():
    from etl.read.sandbox import ReaderPool

    return ReaderPool()


def write(action, bump: tuple[str, ...] = ("data",)):
    """Run `action(con)` in one write transaction of the store, after any other writer of any session or process; all
    of it is written or none. `bump`: the version counters the write changes (see `store.embedded`)."""
    with store().transaction(bump=bump, wait=WRITE_WAIT) as con:
        return action(con)


def release_threshold() -> int:
    """Public release mode hides counts below this (`python -m etl settings --release-threshold`, default 3)."""
    from common.config import DEFAULT_RELEASE_THRESHOLD

    return int(q(queries.setting, "ambang_rilis") or DEFAULT_RELEASE_THRESHOLD)


def keep_months() -> int:
    """Months the imported files are kept (`etl.write.kept`; 0 = forever, the default)."""
    from etl.write.kept import RETENTION_KEY

    value = q(queries.setting, RETENTION_KEY) or "0"
    return int(value) if str(value).isdigit() else 0


def due_day() -> int:
    """Day of the next month by which a report is on time: $PMKS_DUE_DAY, else `python -m etl settings --due-day`, else 10."""
    if (override := due_day_override()) is not None:
        return override
    return int(q(queries.setting, "hari_batas_laporan") or DEFAULT_DUE_DAY)
