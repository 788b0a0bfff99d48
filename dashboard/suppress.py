"""Statistical disclosure control for tables that leave the office (public release mode).

Primary suppression hides every count from 1 to threshold - 1 (default 1-2, shown as "<3"): a published "1 korban
trafficking in Desa X" points at a person. Complementary suppression then hides further cells ("x") until no hidden
value can be worked out from the published row totals, column totals and grand total.

The audit is exact for two-way tables with margins. The table is a circulation network: a source feeds each row
its total, each cell carries its value from its row to its column, each column passes its total to a sink, and
the sink returns the grand total to the source. Published numbers are fixed; hidden ones are arcs with bounds
(primary: 1 .. threshold - 1; complementary and hidden totals: 0 .. unlimited). A hidden value can be derived
exactly if and only if no cycle of the residual graph passes through its arc, i.e. it can neither grow nor shrink
by one while every published number stays the same (network-flow theory: the constraint matrix is totally
unimodular, so integer and real answers agree). Strongly connected components answer this for every arc at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

DEFAULT_THRESHOLD = 3
PRIMARY, SECONDARY = "primer", "sekunder"
UNPUBLISHED = "tidak_terbit"  # a total the table does not show at all: unknown, but nothing to protect
UNPUBLISHED = "tidak_terbit"  # a total the table does not show at all: unknown, but nothing to protect
TOTAL_LABEL = "Jumlah"


@dataclass
class Suppression:
    """A table with what is hidden in it. `cells` holds '' (shown), 'primer' or 'sekunder' per cell; `rows`,
    `cols` and `grand` the same for the totals (None = that total is not published at all)."""

    values: pd.DataFrame
    threshold: int
    cells: pd.DataFrame
    rows: pd.Series | None
    cols: pd.Series | None
    grand: str | None

    @property
    def hidden(self) -> int:
        return int((self.cells != "").to_numpy().sum())

    def label(self, status: str | None, value) -> str | int:
        if status == PRIMARY:
            return f"<{self.threshold}"
        if status == SECONDARY:
            return "x"
        return int(value)

    def display(self, total_label: str = TOTAL_LABEL) -> pd.DataFrame:
        """The table as it may be published: numbers, '<3' and 'x', with the published totals."""
        v = self.values.to_numpy()
        body = [[self.label(s, x) for s, x in zip(srow, vrow)] for srow, vrow in zip(self.cells.to_numpy(), v)]
        index, columns = list(self.values.index), list(self.values.columns)
        if self.rows is not None:
            body = [row + [self.label(s, x)] for row, s, x in zip(body, self.rows, v.sum(axis=1))]
            columns.append(total_label)
        if self.cols is not None:
            totals = [self.label(s, x) for s, x in zip(self.cols, v.sum(axis=0))]
            if self.rows is not None:
                totals.append(self.label(self.grand, v.sum()))
            body.append(totals)
            index.append(total_label)
        return pd.DataFrame(body, index=index, columns=columns, dtype=object)


# --- the audit ------------------------------------------------------------------------------------------

def _status(sup: Suppression, key: tuple) -> str:
    """'' (shown), 'primer', 'sekunder', or UNPUBLISHED for a total the table does not show."""
    if key[0] == "sel":
        return sup.cells.iat[key[1], key[2]]
    if key[0] == "baris":
        return sup.rows.iat[key[1]] if sup.rows is not None else UNPUBLISHED
    if key[0] == "kolom":
        return sup.cols.iat[key[1]] if sup.cols is not None else UNPUBLISHED
    return sup.grand if sup.grand is not None else UNPUBLISHED


def _hidden_arcs(sup: Suppression):
    """The hidden numbers as arcs (tail, head, value, lower, upper, key) of the circulation network (rows, then
    columns, then source and sink as nodes). Returns (arcs, number of nodes)."""
    v = sup.values.to_numpy(dtype=np.int64)
    n_rows, n_cols = v.shape
    src, sink = n_rows + n_cols, n_rows + n_cols + 1
    big = int(v.sum()) + 1  # "unlimited" for the purpose of a one-unit change
    status = sup.cells.to_numpy()
    row_tot, col_tot = v.sum(axis=1), v.sum(axis=0)
    candidates: list[tuple[int, int, int, tuple]] = [
        (int(i), n_rows + int(j), int(v[i, j]), ("sel", int(i), int(j))) for i, j in zip(*np.nonzero(status != ""))]
    candidates += [(src, i, int(row_tot[i]), ("baris", i)) for i in range(n_rows)]
    candidates += [(n_rows + j, sink, int(col_tot[j]), ("kolom", j)) for j in range(n_cols)]
    candidates.append((sink, src, int(v.sum()), ("total",)))
    arcs = []
    for tail, head, value, key in candidates:
        st = _status(sup, key)
        if st:
            lo, hi = (1, sup.threshold - 1) if st == PRIMARY else (0, big)
            arcs.append((tail, head, value, lo, hi, key))
    return arcs, n_rows + n_cols + 2


def exposed(sup: Suppression) -> list[tuple]:
    """Keys of the hidden numbers ('sel', i, j), ('baris', i), ('kolom', j), ('total',) whose exact value follows
    from what is published (empty = safe). Totals the table does not show are unknowns, not protected."""
    arcs, n_nodes = _hidden_arcs(sup)
    edges = []  # (from, to, arc index) of the residual graph
    for k, (t, h, val, lo, hi, _) in enumerate(arcs):
        if val < hi:
            edges.append((t, h, k))
        if val > lo:
            edges.append((h, t, k))
    comp = _components(edges, n_nodes)
    adjacency: dict[int, list[tuple[int, int]]] | None = None
    out = []
    for k, (t, h, val, lo, hi, key) in enumerate(arcs):
        if _status(sup, key) == UNPUBLISHED:
            continue
        up = val < hi and comp[t] == comp[h]
        down = val > lo and comp[t] == comp[h]
        if val < hi and val > lo and comp[t] == comp[h]:  # open both ways: its own two arcs make no real cycle
            if adjacency is None:
                adjacency = {}
                for a, b, idx in edges:
                    adjacency.setdefault(a, []).append((b, idx))
            up, down = _reaches(adjacency, h, t, k), _reaches(adjacency, t, h, k)
        if not up and not down:
            out.append(key)
    return out


def _components(edges, n_nodes: int) -> np.ndarray:
    if not edges:
        return np.arange(n_nodes)
    a, b, _ = zip(*edges)
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n_nodes, n_nodes)).tocsr()
    return connected_components(graph, directed=True, connection="strong")[1]


def _reaches(adjacency, start: int, goal: int, skip: int) -> bool:
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for nxt, idx in adjacency.get(node, ()):
            if idx == skip or nxt in seen:
                continue
            if nxt == goal:
                return True
            seen.add(nxt)
            todo.append(nxt)
    return False


# --- choosing what to hide ------------------------------------------------------------------------------

HIDE_TOTAL_COST = 1e6  # a total is hidden only when no cells can protect a number


def suppress(table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD, row_totals: bool = True, col_totals: bool = True) -> Suppression:
    """Hide counts 1 .. threshold - 1 (cells and published totals), then hide further numbers, cheapest first,
    until the audit finds nothing derivable. `table` holds non-negative whole numbers (NaN counts as 0)."""
    values = table.fillna(0).astype("int64")
    v = values.to_numpy()
    cells = pd.DataFrame(np.where((v > 0) & (v < threshold), PRIMARY, ""), index=values.index, columns=values.columns)

    def primary(total):
        return PRIMARY if 0 < total < threshold else ""

    rows = pd.Series([primary(t) for t in v.sum(axis=1)], index=values.index) if row_totals else None
    cols = pd.Series([primary(t) for t in v.sum(axis=0)], index=values.columns) if col_totals else None
    grand = primary(int(v.sum())) if row_totals and col_totals else None
    sup = Suppression(values, threshold, cells, rows, cols, grand)
    for _ in range(v.size + v.shape[0] + v.shape[1] + 2):
        found = exposed(sup)
        if not found:
            return sup
        done: set = set()
        for key in found:
            if key in done:  # already on a cycle made for another number this round
                continue
            path = _cheapest_cycle(sup, key)
            if path is None:  # no cycle can pass its bounds (e.g. "<3" + "<3" in a row whose total is "<3"):
                _hide(sup, key)  # show it as "x", which says nothing about its size
                path = []
            for extra in path:
                _hide(sup, extra)
            done |= set(path) | {key}
    raise RuntimeError("complementary suppression did not converge")  # unreachable: hiding everything is safe


def _hide(sup: Suppression, key: tuple) -> None:
    if key[0] == "sel":
        sup.cells.iat[key[1], key[2]] = SECONDARY
    elif key[0] == "baris":
        assert sup.rows is not None  # an unpublished total is never a candidate
        sup.rows.iat[key[1]] = SECONDARY
    elif key[0] == "kolom":
        assert sup.cols is not None
        sup.cols.iat[key[1]] = SECONDARY
    else:
        sup.grand = SECONDARY


def _cheapest_cycle(sup: Suppression, key: tuple) -> list[tuple] | None:
    """The shown numbers to hide so that a cycle of one-unit changes runs through `key`: the cheapest path back
    from its head to its tail (so it can grow) or from its tail to its head (so it can shrink). A hidden number
    costs almost nothing, a shown cell its value + 1 (small numbers first), a shown total a great deal.
    None when no cycle is possible at all."""
    v = sup.values.to_numpy(dtype=np.int64)
    n_rows, n_cols = v.shape
    status = sup.cells.to_numpy()
    big = int(v.sum()) + 1
    ii, jj = np.indices(v.shape)
    # every cell and every total as an arc; arrays in the order: cells (row-major), row totals, column totals, grand
    margins = [("baris", i) for i in range(n_rows)] + [("kolom", j) for j in range(n_cols)] + [("total",)]
    m_status = [_status(sup, k) for k in margins]
    src, sink = n_rows + n_cols, n_rows + n_cols + 1
    tail = np.concatenate([ii.ravel(), np.full(n_rows, src), n_rows + np.arange(n_cols), [sink]])
    head = np.concatenate([n_rows + jj.ravel(), np.arange(n_rows), np.full(n_cols, sink), [src]])
    val = np.concatenate([v.ravel(), v.sum(axis=1), v.sum(axis=0), [v.sum()]])
    st_all = np.concatenate([status.ravel(), np.array(m_status, dtype=object)]).astype(str)
    hidden = st_all != ""
    lo = np.where(st_all == PRIMARY, 1, 0)
    hi = np.where(st_all == PRIMARY, sup.threshold - 1, big)
    is_cell = np.arange(len(val)) < v.size
    price = np.where(hidden, 1e-3, np.where(is_cell, val + 1.0, HIDE_TOTAL_COST + val))
    usable = st_all != UNPUBLISHED
    usable |= hidden & (st_all == UNPUBLISHED)  # unpublished totals are free unknowns
    price = np.where(st_all == UNPUBLISHED, 1e-3, price)

    def key_of(k: int) -> tuple:
        return ("sel", k // n_cols, k % n_cols) if k < v.size else margins[k - v.size]

    me = key[1] * n_cols + key[2] if key[0] == "sel" else v.size + margins.index(key)
    usable[me] = False
    best: tuple[float, list] | None = None
    for grow in (True, False):
        if (grow and val[me] >= hi[me]) or (not grow and val[me] <= lo[me]):
            continue
        fwd = usable & (val < hi)
        bwd = usable & (val > lo)
        a = np.concatenate([tail[fwd], head[bwd]])
        b = np.concatenate([head[fwd], tail[bwd]])
        idx = np.concatenate([np.nonzero(fwd)[0], np.nonzero(bwd)[0]])
        graph = coo_matrix((price[idx], (a, b)), shape=(n_rows + n_cols + 2,) * 2).tocsr()
        start, goal = (head[me], tail[me]) if grow else (tail[me], head[me])
        dist, pred = dijkstra(graph, indices=start, return_predecessors=True)
        if not np.isfinite(dist[goal]) or (best is not None and dist[goal] >= best[0]):
            continue
        lookup = coo_matrix((idx + 1, (a, b)), shape=graph.shape).tocsr()  # one arc per (from, to) pair
        path, node = [], int(goal)
        while node != start:
            prev = int(pred[node])
            path.append(int(lookup[prev, node]) - 1)
            node = prev
        best = (float(dist[goal]), path)
    if best is None:
        return None
    return [key_of(k) for k in best[1] if st_all[k] == ""]


def suppress_series(values: pd.Series, threshold: int = DEFAULT_THRESHOLD, total: bool = True) -> Suppression:
    """A one-way table (e.g. PMKS per indicator) with or without its published total."""
    return suppress(values.to_frame(), threshold, row_totals=False, col_totals=total)
