"""What keeps a fresh page view cheap on the server (issue 13 point 6): page models shared rather than unpickled on
every run, files and layouts derived from a model's frames once, figures that orjson serialises in one pass, and a
server that neither watches its source files nor forces a full garbage collection after every run."""

from __future__ import annotations

import gc
import tomllib
from datetime import date

import duckdb
import orjson
import pandas as pd
import plotly.graph_objects as go

from dashboard import data
from dashboard.views import Filters, Settings, kelengkapan, peta, prioritas, ringkasan
from tests.conftest import REPO, reading


def test_a_page_model_is_shared_not_copied(tmp_path):
    calls = []

    def build(con, filters, settings, **options):  # noqa: ARG001
        calls.append(options)
        return {"tabel": pd.DataFrame({"a": [1, 2]}), "opsi": options}

    db = tmp_path / "pmks.duckdb"
    duckdb.connect(str(db)).close()
    args = (str(db), (1, 0), "test.build", build, None, Settings(), (("tingkat", "desa"),))
    first = data._cached_view(*args)
    again = data._cached_view(*args)
    assert again is first and again["tabel"] is first["tabel"]  # the same objects, no unpickled copy
    assert calls == [{"tingkat": "desa"}]
    other = data._cached_view(*args[:-1], (("tingkat", "kecamatan"),))
    assert other is not first and other["opsi"] == {"tingkat": "kecamatan"}


def test_derived_is_made_once_per_frame_and_forgotten_with_it():
    calls = []

    def to_text(frame, sep=","):
        calls.append(sep)
        return frame.to_csv(sep=sep).encode()

    frame = pd.DataFrame({"nama": ["Palang", "Tuban"], "jumlah": [3, 4]})
    first = data.derived(to_text, frame)
    assert data.derived(to_text, frame) is first and calls == [","]
    assert data.derived(to_text, frame, sep=";") == frame.to_csv(sep=";").encode() and calls == [",", ";"]
    copy = frame.copy()
    assert data.derived(to_text, copy) == first and calls == [",", ";", ","]  # another frame, its own result
    key = id(frame)
    del frame
    gc.collect()
    assert not any(k[0] == key for k in data._DERIVED) and key not in data._WATCHED


def _figures(view) -> list[go.Figure]:
    return [v for v in vars(view).values() if isinstance(v, go.Figure)]


def test_figures_serialise_in_one_pass(built_db):
    """plotly tries orjson on the figure as it is and, on a TypeError (an object array), walks every value in
    Python: for a map with its geometry that walk cost ten times the encoding."""
    with reading(built_db) as con:
        f = Filters(periode=date(2026, 10, 1))
        views = [ringkasan.build(con, f, Settings(), today=date(2026, 11, 30)), prioritas.build(con, f, Settings()),
                 peta.build(con, f, Settings()), kelengkapan.build(con, f, Settings())]
    figures = [fig for v in views for fig in _figures(v)]
    assert len(figures) >= 6 and any(t.type == "choroplethmap" for fig in figures for t in fig.data)
    for fig in figures:
        orjson.dumps(fig.to_plotly_json(), option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)  # no TypeError


def test_server_neither_watches_sources_nor_collects_after_every_run():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["runner"]["postScriptGC"] is False
