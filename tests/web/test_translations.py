"""The committed English catalogue (.mo) matches its source (.po): run compilemessages after editing."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import zgcfund

LC = Path(zgcfund.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def read_po(path: Path) -> dict[tuple[str, str], str]:
    """{(context, msgid): msgstr} of a .po file (no plurals: the catalogue has none)."""
    entries: dict[tuple[str, str], str] = {}
    key = None
    parts: dict[str, list[str]] = {}
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith(("msgctxt ", "msgid ", "msgstr ")):
            key, _, rest = line.partition(" ")
            parts.setdefault(key, []).append(ast.literal_eval(rest))
        elif line.startswith('"') and key:
            parts[key].append(ast.literal_eval(line))
        elif not line.strip() and parts:
            msgid, msgstr = "".join(parts["msgid"]), "".join(parts["msgstr"])
            if msgid:
                entries["".join(parts.get("msgctxt", [])), msgid] = msgstr
            parts, key = {}, None
    return entries


def test_mo_is_compiled_from_po_and_complete():
    po = read_po(LC / "django.po")
    assert po and all(po.values()), "every string needs an English translation"
    with (LC / "django.mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    compiled = {(ctx, msgid): mo.pgettext(ctx, msgid) if ctx else mo.gettext(msgid) for ctx, msgid in po}
    assert compiled == po, "run compilemessages (README: Translations)"
