"""Mainland China telephone numbers: mobile (11 digits, 1[3-9]…) or landline (area code + number)."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-–—()（）]+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 010 and 02x have 3-digit area codes, all others 4 digits; local numbers have 7 or 8 digits.
_LANDLINE = re.compile(r"^(0(?:10|2\d)|0[3-9]\d{2})(\d{7,8})$")
_EXTENSION = re.compile(r"^(?P<number>.+?)(?:转|ext\.?|x|-)(?P<ext>\d{1,6})$", re.IGNORECASE)


def normalise_phone(value: str) -> str | None:
    """``13812345678`` or ``010-62345678`` (``-123`` extension kept), or None if not a mainland number.

    Accepts spaces, dashes, brackets, a ``+86``/``86`` prefix and an extension written ``转123``.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    ext = ""
    m = _EXTENSION.match(text)
    if m and not _MOBILE.match(_SEPARATORS.sub("", text)):
        candidate = _SEPARATORS.sub("", m.group("number"))
        if _LANDLINE.match(candidate.removeprefix("+86").removeprefix("0086")):
            text, ext = m.group("number"), m.group("ext")
    digits = _SEPARATORS.sub("", text)
    for prefix in ("+86", "0086"):
        digits = digits.removeprefix(prefix)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _MOBILE.match(digits) and not ext:
        return digits
    m = _LANDLINE.match(digits)
    if m:
        return f"{m.group(1)}-{m.group(2)}" + (f"-{ext}" if ext else "")
    return None
