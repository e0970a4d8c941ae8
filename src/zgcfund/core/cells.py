"""Spreadsheet and CSV cells that are never formulas (formula / CSV injection, OWASP).

Text typed by users (organization and enterprise names, comments, titles …) that begins with
``= + - @``, a tab or a carriage return would be a live formula in Excel or LibreOffice. Every
spreadsheet and CSV the system writes goes through here:

* xlsx: text is always a text cell (openpyxl would store ``"=…"`` as a formula and ``"#REF!"`` as an
  error), and risky text gets Excel's quote prefix so that editing the cell keeps it text. The value
  round-trips exactly; numbers, dates and booleans stay what they are (a negative number is a number).
* CSV: risky text is prefixed with a single quote ``'``.

Pure Python: works on openpyxl cells and worksheets without importing openpyxl or Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["FORMULA_TRIGGERS", "append", "csv_row", "csv_value", "risky", "set_value", "write"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# characters XML 1.0 (and so xlsx) cannot hold; openpyxl raises on them
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def risky(value: Any) -> bool:
    """Text a spreadsheet program could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


# --- CSV -----------------------------------------------------------------------------------------

def csv_value(value: Any) -> Any:
    return "'" + value if risky(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_value(v) for v in values]


# --- xlsx (openpyxl) -----------------------------------------------------------------------------

def _clean(value: Any) -> Any:
    return _ILLEGAL.sub("", value) if isinstance(value, str) else value


def set_value(cell: Any, value: Any) -> Any:
    """Put ``value`` into an openpyxl cell; text always stays text. Returns the cell."""
    cell.value = value = _clean(value)
    _as_text(cell, value)
    return cell


def _as_text(cell: Any, value: Any) -> None:
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl made "=…" a formula ("f") and "#REF!"-like text an error ("e")
        if risky(value):
            cell.quotePrefix = True


def write(ws: Any, row: int, column: int, value: Any = None) -> Any:
    """``ws.cell(row, column, value)`` that never writes a formula."""
    return set_value(ws.cell(row=row, column=column), value)


def append(ws: Any, values: Iterable[Any]) -> int:
    """``ws.append(values)`` that never writes a formula; returns the row written."""
    values = [_clean(v) for v in values]
    ws.append(values)
    row = ws._current_row  # the row append() just wrote (``ws.max_row`` rescans every cell: quadratic)
    for column, value in enumerate(values, 1):
        _as_text(ws.cell(row=row, column=column), value)
    return row
