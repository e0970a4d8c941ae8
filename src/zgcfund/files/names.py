"""Display names and sizes of files (Chinese)."""

from __future__ import annotations

import os
import unicodedata

from django.utils.translation import gettext as _

from zgcfund.core.numbers import display_number

NAME_MAX = 200


def clean_name(raw: str | None) -> str:
    """The display name: no directories, no control or direction-override characters, at most 200
    characters (the extension is kept when cutting)."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if not name:
        return _("未命名文件")
    if len(name) > NAME_MAX:
        stem, ext = os.path.splitext(name)
        ext = ext if len(ext) <= 16 else ""
        name = stem[:NAME_MAX - len(ext)] + ext
    return name


def size_text(n: int) -> str:
    """``25.3 MB`` style; whole numbers without decimals."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            return f"{display_number(n / scale, places=1)} {unit}"
    return _("%(n)s 字节") % {"n": n}
