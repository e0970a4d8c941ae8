"""The committed English catalogue (.mo) matches its source (.po): run compilemessages after editing."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import zgcfund

LC = Path(zgcfund.__file__).parent / "locale" / "en" / "LC_MESSAGES"
KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$")
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0-9.]*[sdifrx]")


class PoEntry:
    """One message of a .po file; ``msgstr`` holds one form, or one per plural form (``msgstr[n]``)."""

    def __init__(self, fields: dict[str, str], flags: set[str]):
        self.context = fields.get("msgctxt", "")
        self.msgid = fields["msgid"]
        self.plural = fields.get("msgid_plural")
        self.flags = flags
        if self.plural is None:
            self.msgstr = [fields.get("msgstr", "")]
        else:
            forms = sorted((int(k[7:-1]), v) for k, v in fields.items() if k.startswith("msgstr["))
            assert [n for n, _ in forms] == list(range(len(forms))), f"msgstr[n] out of order: {self.msgid!r}"
            self.msgstr = [v for _, v in forms]

    @property
    def key(self) -> tuple[str, str]:
        return self.context, self.msgid


def read_po(path: Path) -> list[PoEntry]:
    """The messages of a .po file (without the header; obsolete ``#~`` entries are skipped)."""
    entries: list[PoEntry] = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    key = None
    for number, line in enumerate([*path.read_text(encoding="utf-8").splitlines(), ""], start=1):
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
        elif line.startswith("#"):
            continue
        elif m := KEYWORD.match(line):
            key = m[1]
            assert key not in fields, f"{path.name}:{number}: {key} twice in one entry"
            fields[key] = ast.literal_eval(m[2])
        elif line.startswith('"') and key:
            fields[key] += ast.literal_eval(line)
        elif not line.strip():
            if fields.get("msgid"):
                entries.append(PoEntry(fields, flags))
            fields, flags, key = {}, set(), None
        else:
            raise AssertionError(f"{path.name}:{number}: cannot read {line!r}")
    return entries


def nplurals(path: Path) -> int:
    header = re.search(r'"Plural-Forms: nplurals=(\d+);', path.read_text(encoding="utf-8"))
    assert header, "the .po header needs Plural-Forms"
    return int(header[1])


def test_po_is_complete():
    po = read_po(LC / "django.po")
    assert po
    assert len({e.key for e in po}) == len(po), "duplicate messages"
    forms = nplurals(LC / "django.po")
    untranslated = [e.msgid for e in po if not all(e.msgstr)]
    assert not untranslated, f"every string needs an English translation: {untranslated}"
    assert not [e.msgid for e in po if "fuzzy" in e.flags], "fuzzy entries must be checked and their flag removed"
    assert not [e.msgid for e in po if e.plural is not None and len(e.msgstr) != forms], f"plural entries need {forms} forms"


def test_translations_keep_placeholders():
    for e in read_po(LC / "django.po"):
        wanted = set(PLACEHOLDER.findall(e.msgid))
        for text in e.msgstr:
            assert set(PLACEHOLDER.findall(text)) == wanted, (e.msgid, text)


def test_mo_is_compiled_from_po():
    po = read_po(LC / "django.po")
    with (LC / "django.mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    for e in po:
        if e.plural is None:
            compiled = mo.pgettext(e.context, e.msgid) if e.context else mo.gettext(e.msgid)
            assert compiled == e.msgstr[0], f"run compilemessages (README: Translations): {e.msgid!r}"
        else:
            # English: n == 1 takes msgstr[0], any other n msgstr[1].
            for n, form in ((1, 0), (2, 1), (0, 1)):
                compiled = (mo.npgettext(e.context, e.msgid, e.plural, n) if e.context
                            else mo.ngettext(e.msgid, e.plural, n))
                assert compiled == e.msgstr[form], f"run compilemessages (README: Translations): {e.msgid!r} n={n}"
    # Nothing compiled in the .mo that the .po no longer has.
    in_po = {(f"{e.context}\x04" if e.context else "") + e.msgid for e in po}
    in_mo = {k if isinstance(k, str) else k[0] for k in mo._catalog if k not in ("", ("", 0))}
    assert in_mo <= in_po, f"stale .mo entries: {sorted(in_mo - in_po)[:5]}"


def test_plural_entries_are_read(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
                  '#, python-format\nmsgid "%(n)s 项"\nmsgid_plural "%(n)s 项"\nmsgstr[0] "%(n)s item"\n'
                  'msgstr[1] ""\n"%(n)s items"\n\nmsgctxt "c"\nmsgid "是"\nmsgstr "Yes"\n\n#, fuzzy\nmsgid "否"\nmsgstr ""\n',
                  encoding="utf-8")
    plural, yes, no = read_po(po)
    assert (plural.plural, plural.msgstr, plural.flags) == ("%(n)s 项", ["%(n)s item", "%(n)s items"], {"python-format"})
    assert (yes.key, yes.msgstr) == (("c", "是"), ["Yes"])
    assert (no.msgstr, no.flags) == ([""], {"fuzzy"})
