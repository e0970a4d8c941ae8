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
