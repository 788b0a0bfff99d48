"""A sheet as cells (row, column, content), the way tidyxl reads a spreadsheet: no table is assumed.

`Grid` gives each cell's raw value, its text, the text of the merged range covering it and whether it holds a
number; `Grid.transposed()` is the same sheet with rows and columns swapped, so one table finder reads both
orientations, and `orig` maps a cell back to the sheet's own coordinates. `ranges` writes a set of cells as Excel
ranges ('G5:K18') for messages.
"""

from __future__ import annotations

from etl.find.lexicon import number_like
from etl.read.cells import cell_text, column_letter

MAX_MERGED_CELLS = 20_000  # a merged range larger than this is not copied into its cells (a hostile or broken file)


class Grid:
    """The cells of one sheet, 0-based (row, column); `orig` gives the Excel position in the sheet as written."""

    def __init__(self, rows: list[list], merged=(), *, transposed: bool = False):
        self.rows = rows
        self.height = len(rows)
        self.width = max(map(len, rows), default=0)
        self.is_transposed = transposed
        self.covered: dict[tuple[int, int], tuple[int, int]] = {}
        budget = MAX_MERGED_CELLS
        for (r0, c0), (r1, c1) in merged or ():
            size = (r1 - r0 + 1) * (c1 - c0 + 1)
            if size <= 1 or size > budget:
                continue
            budget -= size
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        self.covered[(r, c)] = (r0, c0)
        self._merged = list(merged or ())
        self._text: dict[int, list[str]] = {}
        self._nums: dict[int, list[int]] = {}

    def value(self, r: int, c: int):
        row = self.rows[r]
        return row[c] if c < len(row) else None

    def texts(self, r: int) -> list[str]:
        """Row r as single-spaced texts, one per column up to the sheet's width."""
        row = self._text.get(r)
        if row is None:
            row = [cell_text(v) for v in self.rows[r]]
            row.extend([""] * (self.width - len(row)))
            self._text[r] = row
        return row

    def text(self, r: int, c: int) -> str:
        return self.texts(r)[c] if 0 <= r < self.height and 0 <= c < self.width else ""

    def label(self, r: int, c: int) -> str:
        """The cell's text, or the text of the merged range that covers it."""
        text = self.text(r, c)
        if not text and (r, c) in self.covered:
            r0, c0 = self.covered[(r, c)]
            return self.text(r0, c0)
        return text

    def origin(self, r: int, c: int) -> tuple[int, int]:
        """The top-left cell of the merged range covering (r, c), or the cell itself."""
        return self.covered.get((r, c), (r, c))

    def nums(self, r: int) -> list[int]:
        """Columns of row r holding a number or number-like text."""
        found = self._nums.get(r)
        if found is None:
            found = [c for c, v in enumerate(self.rows[r]) if v is not None and number_like(v)]
            self._nums[r] = found
        return found

    def is_num(self, r: int, c: int) -> bool:
        return c in self.nums(r) if 0 <= r < self.height else False

    def blank(self, r: int, c0: int = 0, c1: int | None = None) -> bool:
        texts = self.texts(r)
        return not any(texts[c0:c1 if c1 is not None else self.width])

    def orig(self, r: int, c: int) -> tuple[int, int]:
        return (c, r) if self.is_transposed else (r, c)

    def transposed(self) -> Grid:
        width = self.width
        rows = [[row[c] if c < len(row) else None for row in self.rows] for c in range(width)]
        merged = [((c0, r0), (c1, r1)) for (r0, c0), (r1, c1) in self._merged]
        return Grid(rows, merged, transposed=not self.is_transposed)


def a1(r: int, c: int) -> str:
    """Excel reference of a 0-based cell: (4, 6) -> 'G5'."""
    return f"{column_letter(c)}{r + 1}"


def box(cells) -> str:
    """The smallest Excel range holding every cell: 'G5:K18' (or 'G5' for one cell)."""
    cells = list(cells)
    r0, r1 = min(r for r, _ in cells), max(r for r, _ in cells)
    c0, c1 = min(c for _, c in cells), max(c for _, c in cells)
    return a1(r0, c0) if (r0, c0) == (r1, c1) else f"{a1(r0, c0)}:{a1(r1, c1)}"


def clusters(cells, gap: int = 2) -> list[list[tuple[int, int]]]:
    """Cells grouped into blocks: two cells at most `gap` rows and columns apart are in the same block."""
    cells = sorted(set(cells))
    parent = list(range(len(cells)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_row: dict[int, list[int]] = {}
    for i, (r, _) in enumerate(cells):
        by_row.setdefault(r, []).append(i)
    for i, (r, c) in enumerate(cells):
        for dr in range(0, gap + 1):
            for j in by_row.get(r + dr, ()):
                if j != i and abs(cells[j][1] - c) <= gap:
                    parent[find(i)] = find(j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(find(i), []).append(cell)
    return sorted(groups.values(), key=lambda g: (min(g), len(g)))
