"""Fast parsing of delimited numeric text that keeps line numbers for error messages.

`numpy.loadtxt` and `genfromtxt` report a bad cell without a usable line number. Here the
lines are split in chunks and each column is converted with `float` through
`numpy.fromiter` (about 1.5 s per million rows of seven columns); only when a chunk fails
is it walked cell by cell to name the line, the column and the text.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from imu_reader._errors import InputFileError

FloatArray = npt.NDArray[np.float64]

SEPARATORS: tuple[str, ...] = (",", ";", "\t")
"""Field separators a phone export may use (phyphox offers all three)."""

_ROWS_PER_CHUNK = 65536
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def split_header(line: str, separators: Sequence[str] = (",",)) -> tuple[str, tuple[str, ...]]:
    """The separator of a header line (the one of `separators` it holds most) and its names.

    Names are stripped of surrounding spaces and double quotes.
    """
    separator = max(separators, key=line.count)
    names = next(csv.reader([line], delimiter=separator), [])
    return separator, tuple(name.strip() for name in names)


def first_line(text: str) -> str:
    """The first non-blank line of `text`, or '' if there is none."""
    for line in text.split("\n"):
        if line.strip():
            return line.rstrip("\r")
    return ""


class CsvText:
    """A delimited text file split into a header and data lines, parsed on demand.

    Blank lines before the header and at the end of the file are ignored; a blank line
    between data lines is an error (it has the wrong number of fields).

    Attributes:
        display: the path error messages name.
        header: the column names, stripped of spaces and double quotes.
        header_line: 1-based line number of the header.
        separator: the field separator found in the header.
        decimal_comma: True when numbers are written with a decimal comma (only possible
            with a semicolon or tab separator).
    """

    def __init__(self, display: Path, text: str, *, separators: Sequence[str] = (",",)) -> None:
        """Split `text`; the separator is the one of `separators` seen most in the header.

        Raises:
            InputFileError: the text holds no non-blank line.
        """
        self.display = display
        lines = text.split("\n")
        first = 0
        while first < len(lines) and not lines[first].strip():
            first += 1
        if first == len(lines):
            raise InputFileError(display, "file is empty")
        end = len(lines)
        while end > first + 1 and not lines[end - 1].strip():
            end -= 1
        self.header_line = first + 1
        self.separator, self.header = split_header(lines[first], separators)
        self._lines = lines[first + 1 : end]
        self.decimal_comma = self.separator != "," and any("," in line for line in self._lines[:1000])
        self._counts_checked = False

    @property
    def n_rows(self) -> int:
        """Number of data lines."""
        return len(self._lines)

    @property
    def separator_name(self) -> str:
        """'comma', 'semicolon' or 'tab'."""
        return _SEPARATOR_NAMES.get(self.separator, repr(self.separator))

    def line_of(self, row: int) -> int:
        """1-based line number of data row `row`."""
        return self.header_line + 1 + row

    def where(self, row: int) -> str:
        """'line N' for data row `row`, as `InputFileError(where=...)` wants it."""
        return f"line {self.line_of(row)}"

    def cell(self, row: int, column: int) -> str:
        """The text of one cell as written in the file."""
        fields = self._lines[row].split(self.separator)
        return fields[column].strip() if column < len(fields) else ""

    def check_field_counts(self) -> None:
        """Every data line has as many fields as the header.

        Raises:
            InputFileError: naming the first line with a different number of fields.
        """
        if self._counts_checked:
            return
        expected = len(self.header) - 1
        sep = self.separator
        counts = np.fromiter((line.count(sep) for line in self._lines), np.int64, len(self._lines))
        bad = np.flatnonzero(counts != expected)
        if bad.size:
            row = int(bad[0])
            if not self._lines[row].strip():
                found = "an empty line"
            else:
                found = f"{int(counts[row]) + 1} {self.separator_name}-separated fields"
            raise InputFileError(
                self.display,
                f"expected {len(self.header)} fields like the header, found {found}",
                where=self.where(row),
            )
        self._counts_checked = True

    def numeric(self, columns: Sequence[int], *, missing_as_nan: bool = False) -> FloatArray:
        """Parse some columns as floats.

        Args:
            columns: header indices of the columns to parse.
            missing_as_nan: read empty cells (and `""`) as NaN instead of failing; phyphox
                pads short columns that way.

        Returns:
            Values in file order, shape (n_rows, len(columns)). NaN and inf written in the
            file come through as such: the caller decides whether they are allowed.

        Raises:
            InputFileError: a line has the wrong number of fields, or a cell is not a
                number (naming the line, the column and the text).
        """
        self.check_field_counts()
        n_cols = len(self.header)
        out = np.empty((self.n_rows, len(columns)), dtype=np.float64)
        for start in range(0, self.n_rows, _ROWS_PER_CHUNK):
            chunk = self._lines[start : start + _ROWS_PER_CHUNK]
            joined = self.separator.join(chunk)
            if self.decimal_comma:
                joined = joined.replace(",", ".")
            if '"' in joined:
                joined = joined.replace('"', "")
            cells = joined.split(self.separator)
            for k, column in enumerate(columns):
                texts = cells[column::n_cols]
                try:
                    values = np.fromiter(map(float, texts), np.float64, len(texts))
                except ValueError:
                    values = self._parse_slowly(texts, start, column, missing_as_nan)
                out[start : start + len(chunk), k] = values
        return out

    def _parse_slowly(self, texts: list[str], start: int, column: int, missing_as_nan: bool) -> FloatArray:
        values = np.empty(len(texts), dtype=np.float64)
        for i, text in enumerate(texts):
            stripped = text.strip()
            if not stripped and missing_as_nan:
                values[i] = np.nan
                continue
            try:
                values[i] = float(stripped)
            except ValueError:
                shown = self.cell(start + i, column)
                what = "empty cell" if not stripped else f"{shown!r} is not a number"
                raise InputFileError(
                    self.display,
                    f"column {self.header[column]}: {what}",
                    where=self.where(start + i),
                ) from None
        return values


def raise_if_not_finite(table: CsvText, values: FloatArray, columns: Sequence[int]) -> None:
    """Reject NaN and inf, naming the first offending line and column.

    Args:
        table: where `values` came from.
        values: parsed values, shape (n_rows, len(columns)).
        columns: header indices of the columns of `values`.

    Raises:
        InputFileError: some value is NaN or infinite.
    """
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    row, k = (int(i) for i in np.argwhere(bad)[0])
    column = columns[k]
    raise InputFileError(
        table.display,
        f"column {table.header[column]}: {table.cell(row, column)!r} is not a finite number",
        where=table.where(row),
    )


def raise_if_time_not_increasing(
    table: CsvText, time_s: FloatArray, column: int, rows: npt.NDArray[np.int64] | None = None
) -> None:
    """Reject a time column that ever stays the same or goes back.

    Args:
        table: where `time_s` came from.
        time_s: the times, shape (n,).
        column: header index of the time column.
        rows: data row of each entry of `time_s` when they are not simply 0..n-1.

    Raises:
        InputFileError: naming the first line whose time is not after the previous one.
    """
    steps = np.diff(time_s)
    bad = np.flatnonzero(~(steps > 0))
    if not bad.size:
        return
    i = int(bad[0])
    row = int(rows[i + 1]) if rows is not None else i + 1
    prev_row = int(rows[i]) if rows is not None else i
    how = "stays the same" if steps[i] == 0 else "goes backwards"
    raise InputFileError(
        table.display,
        f"time does not increase: {table.header[column]} {how} "
        f"({table.cell(row, column)} after {table.cell(prev_row, column)} on line {table.line_of(prev_row)})",
        where=table.where(row),
    )
