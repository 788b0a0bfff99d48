"""Map label glyphs served by the app itself: MapLibre's signed-distance-field (SDF) glyph ranges, so map labels
need no font server on the internet.

MapLibre (plotly's `go.Scattermap` text) asks the style's `glyphs` URL for `{fontstack}/{range}.pbf`, a protobuf of
256 code points (the `glyphs.proto` of mapbox/glyph-pbf-composite): per glyph a bitmap of 24 px glyphs with a 3 px
border, each byte the distance to the outline (192 on the edge, 8 px radius, as fontnik and TinySDF make them).
They are drawn here on first request from DejaVu Sans (matplotlib's `mpl-data/fonts/ttf/DejaVuSans.ttf`; DejaVu
fonts licence, a free Bitstream Vera derivative: `LICENSE_DEJAVU` beside the font) whatever font stack is named:
plotly names only its own stacks ("Open Sans Regular"), and one legible sans serif is enough for area names.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np

SIZE = 24  # MapLibre's glyph size in pixels
BORDER = 3  # pixels of SDF around each glyph bitmap
RADIUS = 8  # distance (pixels) spread over the byte range
CUTOFF = 0.25  # the outline sits at (1 - CUTOFF) * 255, MapLibre's 192/256 threshold
SUPER = 4  # draw 4x larger, measure distances there, average back down


def font_path() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, value: int | bytes, signed: bool = False) -> bytes:
    """One protobuf field: varint (zigzag when signed) or length-delimited bytes."""
    if isinstance(value, bytes):
        return _varint(number << 3 | 2) + _varint(len(value)) + value
    if signed:
        value = (value << 1) ^ (value >> 63)
    return _varint(number << 3) + _varint(value)


def _sdf(mask: np.ndarray) -> np.ndarray:
    """Bytes of the signed distance (in 24 px pixels) of a supersampled ink mask, downsampled by SUPER."""
    from scipy.ndimage import distance_transform_edt

    inside = mask > 127
    signed = (distance_transform_edt(~inside) - distance_transform_edt(inside)) / SUPER  # > 0 outside the ink
    h, w = signed.shape
    signed = signed.reshape(h // SUPER, SUPER, w // SUPER, SUPER).mean(axis=(1, 3))
    return np.clip(np.round(255 - 255 * (signed / RADIUS + CUTOFF)), 0, 255).astype(np.uint8)


def glyph(font, code: int) -> bytes | None:
    """The protobuf `glyph` message of one code point, or None when the font has no drawing for it."""
    from PIL import Image, ImageDraw

    char = chr(code)
    if code < 32 or 127 <= code < 160:  # control characters
        return None
    advance = round(font.getlength(char) / SUPER)
    x0, y0, x1, y1 = font.getbbox(char, anchor="ls")  # relative to the pen on the baseline; y down
    if x1 <= x0 or y1 <= y0:  # a space: advance only
        return b"".join([_field(1, code), _field(3, 0), _field(4, 0), _field(5, 0, True), _field(6, 0, True), _field(7, advance)])
    left, top = math.floor(x0 / SUPER), math.floor(y0 / SUPER)
    width, height = math.ceil(x1 / SUPER) - left, math.ceil(y1 / SUPER) - top
    canvas = Image.new("L", ((width + 2 * BORDER) * SUPER, (height + 2 * BORDER) * SUPER), 0)
    ImageDraw.Draw(canvas).text(((BORDER - left) * SUPER, (BORDER - top) * SUPER), char, font=font, fill=255, anchor="ls")
    bitmap = _sdf(np.asarray(canvas)).tobytes()
    ascender = round(font.getmetrics()[0] / SUPER)  # fontnik stores `top` as the glyph's top above the baseline - ascender
    return b"".join([_field(1, code), _field(2, bitmap), _field(3, width), _field(4, height), _field(5, left, True),
                     _field(6, -top - ascender, True), _field(7, advance)])


@lru_cache(maxsize=16)
def pbf(start: int, fontstack: str = "DejaVu Sans Book") -> bytes:
    """The glyph range `start`-`start+255` (start a multiple of 256) as MapLibre reads it."""
    from PIL import ImageFont

    if start < 0 or start % 256 or start > 65280:
        raise ValueError(f"not a glyph range: {start}")
    font = ImageFont.truetype(str(font_path()), SIZE * SUPER)
    glyphs = [g for code in range(start, start + 256) if (g := glyph(font, code)) is not None]
    stack = _field(1, fontstack.encode()) + _field(2, f"{start}-{start + 255}".encode()) + b"".join(_field(3, g) for g in glyphs)
    return _field(1, stack)


def style(background: str = "#ffffff") -> dict:
    """A MapLibre style with a plain background and the app's own glyphs (relative URL: same host, any base path).
    server.py serves it at STYLE_URL: a figure naming its style by URL keeps plotly's hover and click working in
    Streamlit, where a style object in the figure stops them."""
    return {"version": 8, "sources": {}, "glyphs": "glyphs/{fontstack}/{range}.pbf",
            "layers": [{"id": "background", "type": "background", "paint": {"background-color": background}}]}


STYLE_URL = "peta-gaya.json"  # where server.py serves `style()`, relative to the page
