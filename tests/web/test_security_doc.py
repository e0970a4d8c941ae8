"""docs/security.md names, for each promise, the test that proves it: every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`((?:, `::\w+`)*)")


def test_every_test_the_security_promises_name_exists():
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    named, missing = 0, []
    for m in REFERENCE.finditer(text):
        path = ROOT / m.group(1)
        source = path.read_text(encoding="utf-8") if path.exists() else None
        if source is None:
            missing.append(m.group(1))
            continue
        for name in ([m.group(2)] if m.group(2) else []) + re.findall(r"`::(\w+)`", m.group(3)):
            named += 1
            if not re.search(rf"^def {name}\(", source, re.M):
                missing.append(f"{m.group(1)}::{name}")
    assert named > 50 and not missing, missing
