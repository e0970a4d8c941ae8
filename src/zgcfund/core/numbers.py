"""Numbers as people read them: the one display formatter every layer uses (pure Python, no Django).

Not the engine's JSON format (``core.engine.number``, int or float): this is text for pages, reports,
PDFs and messages — scores, amounts in 万元, sizes, thresholds.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

__all__ = ["display_number"]


def display_number(value: Any, places: int | None = None, *, grouping: bool = False, empty: str = "") -> str:
    """``value`` (int, float, ``Decimal`` or numeric text) as display text, never in exponent notation.

    * ``places=None``: exact, trailing zeros trimmed — ``12`` → "12", ``Decimal("12.50")`` → "12.5",
      ``3.0`` → "3", ``Decimal("1E+2")`` → "100". A float is read as it prints (``0.1`` → "0.1").
    * ``places=n``: rounded to n decimals (half to even, as Python's own formatting does); a fraction shows
      all n of them (``7.5`` → "7.50"), a whole number none (``8.00`` → "8") — for columns of scores.
    * ``grouping=True``: thousands separated by commas ("1,200.5").
    * ``None`` and booleans (not numbers to show) give ``empty``; text that is not a number raises
      ``ValueError``, as do infinity and NaN.
    """
    if value is None or isinstance(value, bool):
        return empty
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not d.is_finite():
        raise ValueError(f"not a number: {value!r}")
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    if d.is_zero():
        d = Decimal(0)  # no "-0"
    if d == d.to_integral_value():
        return f"{int(d):,}" if grouping else str(int(d))
    text = format(d, ",f" if grouping else "f")
    return text if places is not None else text.rstrip("0").rstrip(".")
