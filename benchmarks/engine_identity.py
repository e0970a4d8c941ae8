"""Guard for engine speed work: evaluation output must stay byte-identical.

    .venv/bin/python benchmarks/engine_identity.py --write /tmp/engine-baseline.jsonl   # before a change
    .venv/bin/python benchmarks/engine_identity.py --check /tmp/engine-baseline.jsonl   # after it

``--src DIR`` runs another copy of the package (e.g. an unmodified tree), to write
the baseline from it while other files (the programme file) stay the same.

Covers 200 generated applications of various sizes in both bases (the exact
``json.dumps`` text, key order included) and the problem lists of 200 broken
documents (wrong types, unknown fields, bad dates and codes).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if "--src" in sys.argv:
    sys.path.insert(0, sys.argv[sys.argv.index("--src") + 1])
else:
    sys.path.insert(0, str(ROOT / "src"))

from zgcfund.core.engine import evaluate  # noqa: E402
from zgcfund.core.errors import InvalidDocument  # noqa: E402
from zgcfund.core.programme import load_programme  # noqa: E402
from zgcfund.devtools.synthetic import make_application  # noqa: E402

BREAKAGES = (
    lambda r: r.update(participants="八十"), lambda r: r.update(date="2025-02-30"),
    lambda r: r.update(colour="red"), lambda r: r.pop("title"), lambda r: r.update(phase="later"),
    lambda r: r.update(evidence=[{"name": "a.pdf", "sha256": "xyz"}]), lambda r: r.update(verified="yes"),
    lambda r: r.update(id=""), lambda r: r.update(clause="K9"), lambda r: r.update(date=20250301),
)


def cases():
    for i in range(200):
        rng = random.Random(f"identity/{i}")
        n = 300 if i % 4 else rng.choice((0, 1, 5, 20, 60))
        yield f"app{i}", make_application(rng, n)
    for i in range(200):
        rng = random.Random(f"broken/{i}")
        doc = make_application(rng, 30)
        for _ in range(rng.randint(1, 3)):
            rec = rng.choice(doc["records"])
            rng.choice(BREAKAGES)(rec)
        if i % 5 == 0:
            doc["organization"]["credit_code"] = doc["organization"]["credit_code"][:-1] + "0"
        if i % 7 == 0:
            doc["choices"] = {"K1": ["K1.1", "K1.1"]}
        yield f"broken{i}", copy.deepcopy(doc)


def outputs():
    programme = load_programme()
    for name, doc in cases():
        for basis in ("prior", "projected"):
            try:
                text = json.dumps(evaluate(doc, programme, basis), ensure_ascii=False)
            except InvalidDocument as exc:
                text = "INVALID " + json.dumps([[p.path, p.message] for p in exc.problems], ensure_ascii=False)
            yield f"{name}/{basis}", text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path)
    group.add_argument("--check", type=Path)
    ap.add_argument("--src", help="package directory to import zgcfund from (default: src/)")
    args = ap.parse_args()
    if args.write:
        with args.write.open("w", encoding="utf-8") as f:
            for key, text in outputs():
                f.write(json.dumps([key, text], ensure_ascii=False) + "\n")
        print(f"wrote {args.write}")
        return 0
    expected = dict(json.loads(line) for line in args.check.read_text(encoding="utf-8").splitlines())
    seen = bad = 0
    for key, text in outputs():
        seen += 1
        if expected.get(key) != text:
            bad += 1
            if bad <= 5:
                print(f"DIFFERS: {key}")
    print(f"{seen} outputs checked, {bad} differ" + ("" if seen == len(expected) else f" (baseline has {len(expected)})"))
    return 1 if bad or seen != len(expected) else 0


if __name__ == "__main__":
    sys.exit(main())
