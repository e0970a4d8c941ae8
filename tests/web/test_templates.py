"""Template hygiene: Django's {# #} comments are single-line; a multi-line one is shown to users."""

from pathlib import Path

import zgcfund

ROOT = Path(zgcfund.__file__).parent


def test_no_multiline_hash_comments_in_templates():
    offenders = []
    for path in ROOT.rglob("templates/**/*.html"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.count("{#") > line.count("#}"):
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert not offenders, "use {% comment %} for multi-line comments: " + ", ".join(offenders)


def test_html_output_is_always_escaped():
    """User text reaches pages only through Django's autoescaping: no |safe, no autoescape off, no
    mark_safe. Plain-text e-mail templates (emails/*.txt) are not HTML and render unescaped on purpose."""
    offenders = []
    for path in ROOT.rglob("templates/**/*"):
        if not path.is_file() or (path.parent.name == "emails" and path.suffix == ".txt"):
            continue
        text = path.read_text(encoding="utf-8")
        if "|safe" in text or "autoescape off" in text or "|safeseq" in text:
            offenders.append(str(path.relative_to(ROOT)))
    for path in ROOT.rglob("*.py"):
        if "mark_safe(" in path.read_text(encoding="utf-8") or "SafeString(" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, "unescaped output: " + ", ".join(offenders)
