"""Page models that a page cannot change (issue 24): one model object is shared by every session that asks the same
question (`dashboard.data.view`), so a page that changed it would change what everybody else sees.

`freeze(model)` makes a built model read-only: its attributes can no longer be set (`Model`, the base of every page
model) and each DataFrame becomes a `FrozenFrame`, whose cells, columns and index refuse to change in place. Anything
derived from a frozen frame (a sort, a selection, `.copy()`) is an ordinary frame again, and pandas' copy-on-write
keeps it from touching the shared one.
"""

from __future__ import annotations

import dataclasses

import pandas as pd


class FrozenError(TypeError):
    """A page tried to change a shared page model."""


def _refuse(*_args, **_kwargs):
    raise FrozenError("Model halaman dipakai bersama dan tidak boleh diubah; salin dulu dengan .copy().")


class _ReadOnlyIndexer:
    def __init__(self, indexer):
        self._indexer = indexer

    def __getitem__(self, key):
        return self._indexer[key]

    __setitem__ = _refuse


class FrozenFrame(pd.DataFrame):
    """A DataFrame that cannot be changed in place; what is derived from it is a plain DataFrame."""

    @property
    def _constructor(self):
        return pd.DataFrame

    __setitem__ = __delitem__ = insert = pop = _update_inplace = _refuse

    @property
    def loc(self):
        return _ReadOnlyIndexer(super().loc)

    @property
    def iloc(self):
        return _ReadOnlyIndexer(super().iloc)

    @property
    def at(self):
        return _ReadOnlyIndexer(super().at)

    @property
    def iat(self):
        return _ReadOnlyIndexer(super().iat)

    def __setattr__(self, name, value):
        if not name.startswith("_"):  # pandas keeps its own state in private attributes
            _refuse()
        super().__setattr__(name, value)


class Model:
    """Base of the page models (dataclasses): built field by field, then frozen by `freeze`."""

    _frozen = False

    def __setattr__(self, name, value):
        if self._frozen:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r} of a shared page model")
        super().__setattr__(name, value)


def freeze(model):
    """The model, read-only from now on (its frames too, also inside lists, dicts and frozen dataclasses it holds);
    returned for chaining. Idempotent."""
    if isinstance(model, Model) and not model._frozen:
        for name, value in vars(model).items():
            object.__setattr__(model, name, _frozen(value))
        object.__setattr__(model, "_frozen", True)
    return model


def _frozen(value):
    if isinstance(value, pd.DataFrame):
        if isinstance(value, FrozenFrame):
            return value
        frozen = FrozenFrame(value)
        pd.DataFrame.__setattr__(frozen, "attrs", dict(value.attrs))  # its own setter refuses
        return frozen
    if isinstance(value, list):
        return [_frozen(v) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and value.__dataclass_params__.frozen:
        for field in dataclasses.fields(value):
            object.__setattr__(value, field.name, _frozen(getattr(value, field.name)))
    return value
