"""Tables that never cut a number or an address, whatever the width (a terminal, 80 columns, a pipe).

rich shortens a cell that does not fit to `12,0…`, and when it narrows a table it may squeeze
a column below its longest word. A `Sheet` therefore sizes its columns itself: every column
gets at least its longest word (cells wrap only at spaces), space left over goes to the
columns that want it, and the table is drawn only if that fits the console. It first tries
roomy spacing, then one space between columns; otherwise it prints one block per row: the
row's name on a line, then its other cells as `header value` pairs, as many per line as fit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

# spaces between table columns tried, roomiest first (rich pads each side, plus the rule's gap)
_TABLE_PADDINGS = (1, 0)
# spaces between the columns of a block, and its indent
_BLOCK_GAP = 2
_BLOCK_INDENT = 3
# `header value` pairs per line tried in block layout, most first
_PAIRS_PER_LINE = (3, 2, 1)


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def _longest_line(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def column_widths(least: Sequence[int], most: Sequence[int], budget: int) -> list[int] | None:
    """Widths between each column's least and most within `budget` cells (None if even the
    least do not fit): the most when everything fits, else the space above the least shared
    in proportion to what each column would still like."""
    if sum(least) > budget:
        return None
    if sum(most) <= budget:
        return list(most)
    spare = budget - sum(least)
    wants = [high - low for low, high in zip(least, most, strict=True)]
    total = sum(wants)
    return [low + spare * want // total for low, want in zip(least, wants, strict=True)]


def _widest(texts: Sequence[str], measure: Callable[[str], int]) -> int:
    return max((measure(text) for text in texts), default=0)


@dataclass
class Sheet:
    """Rows of cells under headers; `right` names the right-aligned (numeric) columns and the
    first `key_columns` cells of a row name it (the title of its block)."""

    headers: Sequence[str]
    rows: list[Sequence[str]] = field(default_factory=list)
    title: str | None = None
    caption: str | None = None
    right: frozenset[str] = frozenset()
    key_columns: int = 1

    def add_row(self, *cells: str) -> None:
        if len(cells) != len(self.headers):
            raise ValueError(f"a row needs {len(self.headers)} cells, got {len(cells)}")
        self.rows.append(cells)

    def table(self, width: int) -> Table | None:
        """The table at `width` cells, roomiest spacing that fits; None if no spacing fits.
        Cells are never wrapped (a wrapped cell reads worse than a block); headers may wrap."""
        cells = [[row[i] for row in self.rows] for i in range(len(self.headers))]
        least = [
            max(_widest(column, _longest_line), _longest_word(header))
            for header, column in zip(self.headers, cells, strict=True)
        ]
        most = [max(low, _longest_line(header)) for low, header in zip(least, self.headers, strict=True)]
        for padding in _TABLE_PADDINGS:
            gaps = (len(self.headers) - 1) * (1 + 2 * padding)  # the rule's space plus padding on each side
            widths = column_widths(least, most, width - gaps)
            if widths is None:
                continue
            table = Table(
                title=self.title,
                caption=self.caption,
                box=box.SIMPLE_HEAD,
                show_edge=False,
                pad_edge=False,
                padding=(0, padding),
            )
            for header, cells_width in zip(self.headers, widths, strict=True):
                # every width holds the column's longest line, so "fold" never has to cut one
                table.add_column(
                    header,
                    justify="right" if header in self.right else "left",
                    width=cells_width,
                    overflow="fold",
                )
            for row in self.rows:
                table.add_row(*row)
            return table
        return None

    def blocks(self, width: int) -> Group:
        """One block per row, the other cells as `header value` pairs under the row's name."""
        parts: list[RenderableType] = []
        if self.title:
            parts.append(Text(self.title, style="italic"))
        for row in self.rows:
            parts.append(Text("  ".join(row[: self.key_columns]), style="bold", overflow="fold"))
            pairs = list(zip(self.headers[self.key_columns :], row[self.key_columns :], strict=True))
            parts.append(_pairs(pairs, width))
        if self.caption:
            parts.append(Text(self.caption, style="dim"))
        return Group(*parts)

    def renderable(self, console: Console) -> RenderableType:
        """A table when one fits the console's width, else the blocks."""
        return self.table(console.width) or self.blocks(console.width)

    def print(self, console: Console) -> None:
        console.print(self.renderable(console))


def _pairs(pairs: list[tuple[str, str]], width: int) -> Table:
    """`header value` pairs, as many per line as fit unwrapped; at worst one pair per line, its
    value wrapped at spaces."""
    budget = width - _BLOCK_INDENT
    for per_line in _PAIRS_PER_LINE:
        lines = [pairs[start : start + per_line] for start in range(0, len(pairs), per_line)]
        columns = [
            [line[i // 2][i % 2] if i // 2 < len(line) else "" for line in lines] for i in range(2 * per_line)
        ]
        most = [_widest(column, _longest_line) for column in columns]
        # one pair per line: the value may wrap at spaces; several: nothing wraps
        least = most if per_line > 1 else [most[0], _widest(columns[1], _longest_word)]
        widths = column_widths(least, most, budget - _BLOCK_GAP * (len(columns) - 1))
        if widths is not None:
            return _grid(lines, per_line, widths)
    # narrower than a header and its longest word: let rich fold what it must
    return _grid([[pair] for pair in pairs], 1, None)


def _grid(lines: list[list[tuple[str, str]]], per_line: int, widths: list[int] | None) -> Table:
    grid = Table.grid(padding=(0, _BLOCK_GAP // 2), pad_edge=False, collapse_padding=False)
    grid.add_column(width=_BLOCK_INDENT - _BLOCK_GAP)  # plus the gap: the block's indent
    for index in range(2 * per_line):
        grid.add_column(
            style="dim" if index % 2 == 0 else None, width=widths[index] if widths else None, overflow="fold"
        )
    for line in lines:
        cells = [cell for pair in line for cell in pair]
        grid.add_row("", *cells, *[""] * (2 * per_line - len(cells)))
    return grid
