"""server.py serves Streamlit's hashed static files from memory, exactly as Streamlit would, and nothing else."""

from __future__ import annotations

import re
import urllib.request

import pytest

import server


def _entry() -> str:
    html = (server.ASSETS.parent / "index.html").read_text(encoding="utf-8")
    return re.search(r'src="\./static/(js/index\.[\w-]+\.js)"', html).group(1)


def test_asset_is_the_file_with_streamlits_caching():
    body, headers = server._asset(_entry())
    assert body == (server.ASSETS / _entry()).read_bytes()
    headers = dict(headers)
    assert headers[b"content-type"] == b"text/javascript" and headers[b"content-length"] == str(len(body)).encode()
    assert headers[b"cache-control"] == b"public, immutable, max-age=31536000"
    css = next(server.ASSETS.glob("css/*.css")).name
    assert dict(server._asset(f"css/{css}")[1])[b"content-type"] == b"text/css"


@pytest.mark.parametrize("name", ["../index.html", "js/../../index.html", "../../__init__.py", "/etc/passwd", "js/none.js",
                                  "js/a\x00.js", "js", "../manifest.json"])
def test_no_file_outside_the_assets_or_missing_is_served_from_memory(name):
    assert server._asset(name) is None  # Streamlit's own handler answers these (404 or its page)


def test_made_up_names_are_never_cached():
    """Only files of Streamlit's static folder enter the cache: random names cannot fill it or push real files out."""
    server._cached_asset.cache_clear()
    for i in range(2000):
        assert server._asset(f"js/index.{i:08x}.js") is None
    assert server._cached_asset.cache_info().currsize == 0
    assert server._asset(_entry()) is not None and server._cached_asset.cache_info().currsize == 1
    assert len(server.ASSET_NAMES) > 100 and _entry() in server.ASSET_NAMES


def test_no_global_patch_of_starlette():
    from starlette.responses import FileResponse

    assert FileResponse.chunk_size == 64 * 1024  # Starlette's own value: server.py changes nothing of other code


def test_the_running_server_sends_the_same_bytes(app_server):
    with urllib.request.urlopen(f"{app_server.url}/static/{_entry()}", timeout=30) as response:
        assert response.status == 200 and response.read() == (server.ASSETS / _entry()).read_bytes()
        assert response.headers["Cache-Control"] == "public, immutable, max-age=31536000"
        assert response.headers["Content-Type"] == "text/javascript"
