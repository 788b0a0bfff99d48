"""The web server of Dasbor PMKS: Streamlit's ASGI app around app.py, with the app's own HTTP guard.

Run with `streamlit run server.py` (scripts/run.sh does). app.py stays the page script: it navigates and signs in.
The guard closes what Streamlit serves outside the signed-in session: unless the warehouse is open for demo, the
files behind download buttons and media (`/media/...`) answer only to a browser whose session cookie is valid now
(not signed out, password unchanged, not expired). `/sesi/tukar` and `/sesi/keluar` set and clear that cookie
(HttpOnly, `accounts.cookies`). The map label glyphs (`/glyphs/...`, dashboard.glyphs) are served to
anyone: they are a font, drawn by the app so that maps need no font server on the internet. Streamlit's own static
files (hashed, immutable) are served from memory, which was most of the server's CPU for a new visitor.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from accounts import cookies
from accounts import store as accounts
from common.config import db_path
from common.errors import PMKSError
from dashboard import glyphs
from store import open_store

GUARDED = ("/media/",)
ASSETS = (Path(st.__file__).parent / "static" / "static").resolve()  # Streamlit's own hashed JS, CSS, fonts and images
ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
               ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json", ".map": "application/json"}


def _asset_names() -> frozenset[str]:
    """The names of the files Streamlit ships in its static folder, listed once at start: only these are ever held in
    memory, so requests for made-up names cannot fill or flush the cache."""
    return frozenset(p.relative_to(ASSETS).as_posix() for p in ASSETS.rglob("*") if p.is_file() and p.suffix in ASSET_TYPES)


ASSET_NAMES = _asset_names()


class SessionGuard:
    """ASGI middleware: refuse guarded paths without a valid session cookie (403, Indonesian)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith(GUARDED) and not await run_in_threadpool(_signed_in, scope):
            response = PlainTextResponse("Akses ditolak: masuk ke Dasbor PMKS terlebih dahulu.", status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class StaticAssets:
    """ASGI middleware: Streamlit's hashed static files (`/static/...`) from memory (`_asset`); anything else, or a
    file that is not one of them, goes on to Streamlit. (Under a `server.baseUrlPath` Streamlit serves them itself.)"""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith("/static/"):
            asset = _asset(scope["path"][len("/static/"):])
            if asset is not None:
                body, headers = asset
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def _asset(name: str) -> tuple[bytes, list] | None:
    """One of Streamlit's hashed static files, held in memory with its headers, or None (Streamlit answers).

    Why: a first visit fetches 60-120 of these files (4-9 MB); through Streamlit's middleware and a worker thread per
    64 KB piece, serving them was most of the server's CPU per fresh view (issue 13). Their names carry a content hash
    and Streamlit serves them as immutable, so they are read once and sent in one piece, with the same caching. Only
    names of files that exist in the static folder (`ASSET_NAMES`) are looked up at all."""
    return _cached_asset(name) if name in ASSET_NAMES else None


@lru_cache(maxsize=None)  # bounded by ASSET_NAMES: Streamlit 1.67 ships 317 such files, 23 MB
def _cached_asset(name: str) -> tuple[bytes, list] | None:
    path = ASSETS / name
    try:
        body = path.read_bytes()
    except OSError:  # removed or unreadable since start: Streamlit answers
        return None
    return body, [(b"content-type", ASSET_TYPES[path.suffix].encode()), (b"content-length", str(len(body)).encode()),
                  (b"cache-control", b"public, immutable, max-age=31536000")]


def _signed_in(scope) -> bool:
    """Whether the request carries a live session (or the warehouse is open for demo); fails closed."""
    try:
        store = open_store(db_path())
        if accounts.gate(store).demo:
            return True
        return accounts.session_user(store, cookies.cookie_of(scope.get("headers", []))) is not None
    except (PMKSError, OSError):
        return False


def _secure(request) -> bool:
    """Whether the browser reached us over HTTPS (itself, or through a proxy on this machine that says so)."""
    if request.url.scheme == "https":
        return True
    client = request.client.host if request.client else ""
    return client in ("127.0.0.1", "::1") and request.headers.get("x-forwarded-proto", "") == "https"


_PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


async def session_cookie(request):
    """Exchange a one-time sign-in code for the HttpOnly session cookie (an image the app's page loads)."""
    token = cookies.redeem(request.query_params.get("kode", ""))
    response = Response(_PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})
    if token is not None:
        response.headers.append("set-cookie", cookies.set_cookie_header(token, _secure(request)))
    return response


async def clear_session_cookie(request):
    """Clear the session cookie after signing out (the session itself already ended on the server)."""
    response = Response(_PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})
    response.headers.append("set-cookie", cookies.clear_cookie_header(_secure(request)))
    return response


def _serve_download(file_id: str, headers) -> Response:
    """A file of `dashboard.downloads`, for the fetching session if the rulebook allows it; audited either way."""
    from urllib.parse import quote

    from accounts.users import DEMO, token_key
    from dashboard.downloads import REGISTRY, audit_details, may_fetch
    from store.schema import audit

    found = REGISTRY.find(file_id)
    token = cookies.cookie_of(headers)
    user, key = None, None
    try:
        store = open_store(db_path())
        if accounts.gate(store).demo:
            user, key = DEMO, "demo"
        elif token:
            user, key = accounts.session_user(store, token), token_key(token)
        served = found is not None and may_fetch(found, user, key)
        with store.transaction(bump=()) as con:
            audit(con, user.login if user else "-", "unduh" if served else "unduh_ditolak", found.name if found else file_id,
                  audit_details(file_id, found, served))
    except PMKSError:  # a store that cannot be read or written serves nothing
        served = False
    if not served or found is None:
        return PlainTextResponse("Akses ditolak: berkas ini tidak untuk akun Anda, sesinya sudah berakhir, atau berkasnya "
                                 "sudah kedaluwarsa. Buka lagi halamannya lalu unduh dari sana.", status_code=403)
    if found.data is not None:
        body = found.data
    else:
        assert found.build is not None  # a download holds its bytes or what makes them (dashboard.downloads)
        try:
            body = found.build()
        except PMKSError as exc:  # e.g. a kept file removed by retention since the page offered it
            return PlainTextResponse(exc.short, status_code=410)
    return Response(body, media_type=found.mime, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}", "Cache-Control": "no-store"})


async def download(request):
    """`/unduh/<id>`: a file a page offered (`dashboard.downloads`), made in a worker thread when it is fetched."""
    return await run_in_threadpool(_serve_download, request.path_params["file_id"], request.scope.get("headers", []))


async def glyph_range(request):
    """MapLibre's glyph range `{start}-{end}.pbf` of any font stack (drawn once from DejaVu Sans, then cached)."""
    start, _, end = request.path_params["range"].partition("-")
    if not (start.isdigit() and end.isdigit() and int(end) == int(start) + 255 and int(start) % 256 == 0 and int(start) <= 65280):
        return PlainTextResponse("Rentang glif tidak dikenal.", status_code=404)
    body = await run_in_threadpool(glyphs.pbf, int(start))
    return Response(body, media_type="application/x-protobuf", headers={"Cache-Control": "public, max-age=86400"})


async def map_style(request):
    """The maps' MapLibre style: a white background and the glyphs above."""
    return JSONResponse(glyphs.style(), headers={"Cache-Control": "public, max-age=86400"})


app = st.App("app.py", routes=[Route("/glyphs/{fontstack}/{range}.pbf", glyph_range), Route("/peta-gaya.json", map_style),
                               Route("/sesi/tukar", session_cookie), Route("/sesi/keluar", clear_session_cookie),
                               Route("/unduh/{file_id}", download)],
             middleware=[Middleware(StaticAssets), Middleware(SessionGuard)])
open_store(db_path()).prepare_analytics()  # on PostgreSQL: this process's copy of what pages read, filled now (issue 23)
