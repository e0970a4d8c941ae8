#!/usr/bin/env python
"""Regenerate the golden evaluations in fixtures/evaluations/ from fixtures/applications/ and fixtures/invalid/.

    python tests/core/regenerate_golden.py           # rewrite the golden files
    python tests/core/regenerate_golden.py --check   # only report which would change (exit 1 if any)

Every application is evaluated on both bases: ``<name>.prior.json`` and ``<name>.projected.json``.
Every invalid document gets ``<name>.invalid.json``: the problems the validator reports.
Output is stable: sorted keys, UTF-8 (ensure_ascii=False), indent 2, trailing newline. The provenance
fields that change with any edit of the package or the programme file (``engine_version``,
``programme_sha256``) are left out; tests/core/test_golden.py checks them separately.

Review the result with ``git diff fixtures/evaluations`` before committing: a golden file is a
statement of what the official text requires, not a snapshot to refresh blindly.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from zgcfund.core.engine import BASES, evaluate  # noqa: E402
from zgcfund.core.errors import InvalidDocument  # noqa: E402
from zgcfund.core.programme import Programme, load_programme  # noqa: E402

FIXTURES = ROOT / "fixtures"
APPLICATIONS = FIXTURES / "applications"
INVALID = FIXTURES / "invalid"
EVALUATIONS = FIXTURES / "evaluations"
VOLATILE = ("engine_version", "programme_sha256")


def dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def read_document(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def stable(evaluation: dict) -> dict:
    return {k: v for k, v in evaluation.items() if k not in VOLATILE}


def applications() -> list[Path]:
    return sorted(APPLICATIONS.glob("*.json"))


def invalid_documents() -> list[Path]:
    return sorted(INVALID.glob("*.json"))


def golden_path(app: Path, basis: str) -> Path:
    return EVALUATIONS / f"{app.stem}.{basis}.json"


def invalid_golden_path(doc: Path) -> Path:
    return EVALUATIONS / f"{doc.stem}.invalid.json"


def evaluation_text(app: Path, basis: str, programme: Programme) -> str:
    return dump(stable(evaluate(read_document(app), programme, basis=basis)))


def problems_text(doc: Path, programme: Programme) -> str:
    try:
        evaluate(read_document(doc), programme)
    except InvalidDocument as exc:
        return dump([{"path": p.path, "message": p.message} for p in exc.problems])
    raise AssertionError(f"{doc} is in fixtures/invalid/ but is valid")


def expected_files(programme: Programme) -> dict[Path, str]:
    out = {golden_path(app, basis): evaluation_text(app, basis, programme)
           for app in applications() for basis in BASES}
    out.update({invalid_golden_path(doc): problems_text(doc, programme) for doc in invalid_documents()})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report differences, write nothing")
    args = parser.parse_args(argv)
    files = expected_files(load_programme())
    stale = sorted(set(EVALUATIONS.glob("*.json")) - set(files))
    changed = [p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    for path in changed:
        print(("would update " if args.check else "updated ") + str(path.relative_to(ROOT)))
    for path in stale:
        print(("stale (would remove) " if args.check else "removed ") + str(path.relative_to(ROOT)))
    if args.check:
        return 1 if changed or stale else 0
    EVALUATIONS.mkdir(parents=True, exist_ok=True)
    for path in changed:
        path.write_text(files[path], encoding="utf-8")
    for path in stale:
        path.unlink()
    print(f"{len(files)} golden files, {len(changed)} changed, {len(stale)} removed."
          + (" Review with: git diff fixtures/evaluations" if changed or stale else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
