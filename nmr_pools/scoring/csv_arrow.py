"""Reading a CSV file's columns with pyarrow's streaming reader (numpy and pyarrow only, no pandas).

`read_columns` parses every column but `id`/`model` as float64 straight into one
(n_numeric, n_rows) block, the layout the engine reads (`inputs` hands it over as it is);
pandas' reader stays the fallback (see `io`). `prefetch` starts that read on a background
thread: pyarrow parses in C++ without the GIL, so `python -m nmr_pools.scoring` reads its
predictions while it imports the engine, rich and the rest, and `read_columns` then picks the
result up.

Every number is parsed exactly (Arrow's parser is correctly rounded: shortest round-trip text
reads back bit for bit), `id`/`model` stay strings, and the words read as missing are pandas'
(pyarrow's default null list is pandas' list). A file this path cannot take (a word in a
number column, a ragged row, bad UTF-8, a row longer than a block) gives None.
"""

from __future__ import annotations

import csv
import os
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nmr_pools.scoring.labelled import object_array

# columns read as text; every other column must hold numbers
TEXT_COLUMNS = ("id", "model")
# CSV text pyarrow parses per batch: 2 MiB is ~170 rows of 1,000 models; the reader holds a few
# blocks in flight (~10x the text in parsed buffers), so memory stays ~80 MB above the numbers
CSV_BLOCK_BYTES = 2 * 2**20
# reads started by `prefetch`, by file (path, size, mtime), each taken once by `read_columns`
_PREFETCHED: dict[tuple[str, int, int], Future[ArrowColumns | None]] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ArrowColumns:
    """A CSV file's columns: text columns as object arrays (None where missing), numbers as one block."""

    header: list[str]
    text: dict[str, np.ndarray]  # name -> (n_rows,) object
    numbers: list[str]  # the block's rows, in file order
    block: np.ndarray  # (n_numeric, n_rows) float64, NaN where missing; rows contiguous


def csv_header(source: Path) -> list[str]:
    """The header row exactly as written."""
    with source.open(newline="", encoding="utf-8") as file:
        return next(csv.reader(file), [])


def _key(source: Path) -> tuple[str, int, int]:
    stat = source.stat()
    return str(source.resolve()), stat.st_size, stat.st_mtime_ns


def prefetch(path: str | os.PathLike[str]) -> None:
    """Start reading `path` on a background thread (a no-op if it cannot be read this way)."""
    source = Path(path)
    try:
        key = _key(source)
        header = csv_header(source)
    except (OSError, UnicodeDecodeError):
        return  # the real read reports it
    future: Future[ArrowColumns | None] = Future()

    def run() -> None:
        try:
            future.set_result(_read(source, header))
        except BaseException as error:  # noqa: BLE001 - handed to the reader, which falls back
            future.set_exception(error)

    with _LOCK:
        _PREFETCHED[key] = future
    threading.Thread(target=run, name=f"prefetch {source.name}", daemon=True).start()


def forget(path: str | os.PathLike[str]) -> None:
    """Drop a prefetched read nobody took (the file was refused before its columns were needed)."""
    try:
        key = _key(Path(path))
    except OSError:
        return
    with _LOCK:
        _PREFETCHED.pop(key, None)


def read_columns(source: Path, header: list[str]) -> ArrowColumns | None:
    """The file's columns (a prefetched read if one was started), or None if pyarrow cannot take it."""
    try:
        with _LOCK:
            future = _PREFETCHED.pop(_key(source), None)
    except OSError:
        future = None
    if future is not None:
        try:
            columns = future.result()
        except Exception:  # noqa: BLE001 - whatever went wrong, the pandas path reports it properly
            return None
        if columns is not None and columns.header == header:
            return columns
        if columns is None:
            return None
    return _read(source, header)


def _read(source: Path, header: list[str]) -> ArrowColumns | None:
    try:
        import pyarrow as pa
        import pyarrow.csv as arrow_csv
    except ImportError:  # e.g. a pyarrow built for NumPy 2 next to NumPy 1.x
        return None
    if not header:
        return None
    text = [name for name in header if name in TEXT_COLUMNS]
    numbers = [name for name in header if name not in TEXT_COLUMNS]
    number_columns = [i for i, name in enumerate(header) if name not in TEXT_COLUMNS]  # faster than names
    options = arrow_csv.ConvertOptions(
        column_types={name: (pa.string() if name in TEXT_COLUMNS else pa.float64()) for name in header},
        strings_can_be_null=True,
    )
    size = source.stat().st_size
    block = np.empty((len(numbers), 0))  # (n_numeric, capacity): rows so far, then room
    chunks: dict[str, list[object]] = {name: [] for name in text}
    rows = 0
    try:
        reader = arrow_csv.open_csv(
            source, read_options=arrow_csv.ReadOptions(block_size=CSV_BLOCK_BYTES), convert_options=options
        )
        if reader.schema.names != header:  # columns are taken by position below
            return None
        for batch in reader:
            for name in text:
                chunks[name].append(batch.column(name))
            if rows + batch.num_rows > block.shape[1]:
                # a batch is ~CSV_BLOCK_BYTES of text: the first one tells the whole file's rows
                # (10% margin); a file whose rows grow longer towards its end costs a copy
                estimate = int(size / CSV_BLOCK_BYTES * batch.num_rows * 1.1) + 1
                grown = np.empty((len(numbers), max(estimate, 2 * block.shape[1], rows + batch.num_rows)))
                grown[:, :rows] = block[:, :rows]
                block = grown
            if numbers and batch.num_rows:
                # column-major (rows, n_numeric) is (n_numeric, rows) row-major: the block's layout
                values = batch.select(number_columns).to_tensor(null_to_nan=True, row_major=False).to_numpy()
                block[:, rows : rows + batch.num_rows] = values.T
            rows += batch.num_rows
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    # to_pylist, not to_numpy: pyarrow converts strings to numpy through pandas (imported then)
    strings = {
        name: object_array(pa.chunked_array(chunks[name], type=pa.string()).to_pylist()) for name in text
    }
    # a view, not a copy: each column's values stay contiguous (one row of the block), and the
    # room left at each row's end (~10%) was never written, so it is mostly never paged in
    return ArrowColumns(header, strings, numbers, block[:, :rows])
