"""Build ``zgc-application/1`` documents from the terse YAML test cases in ``tests/core/cases/``.

A case file holds ``defaults`` and ``cases``::

    defaults:
      application: {applied_on: 2025-10-31}          # merged into every case's application
      records:
        K3.2: {registered_capital: 800, notified_on: 2025-05-06, registered_on: 2025-06-03}
    cases:
      - name: K3.2-499-capital-rejected                # starts with the clause/rule ID it tests
        clause: K3.2
        cite: 新注册的外资企业（注册资本金不限）或注册资本金在500万元及以上的企业
        basis: prior                                   # default prior
        application:
          records:
            - {id: e1, clause: K3.2, registered_capital: 499}
        expect:
          status: {K3.2: not_met}
          rejected: [{record: e1, rule: K3.2, message: 低于 500}]

A case may set the programme's parameters, e.g. the office's settings of the open points
(2025-clauses.md): ``parameters: {p1_drafting_counts: true}`` replaces each named parameter's
latest value (:func:`programme_with`); a case without ``parameters`` runs under the packaged file.

What the builder fills in, so a record states only what matters:

* the document: format, programme, organization (name, a valid 社会团体 credit code,
  comprehensive/registers_tech_contracts false), applied_on 2025-09-20, contract_signed_on null;
* a record: ``id`` (``r<n>``), ``phase: prior``, ``date: 2025-06-01``, a title unique to the record,
  then the file's defaults for its clause, then what the case gives;
* ``repeat: N`` makes N copies with ids ``<id>-1`` … ``<id>-N``;
* a party field (``enterprise``, ``unit``) left out gets a distinct enterprise with a valid
  credit code; given as a string it is an alias: the same alias is the same enterprise;
* ``evidence: [a, b]``: each string becomes a file ``a.pdf`` whose sha256 is that of the string;
  ``a:licence`` also gives the file that kind of supporting material (``kind: licence``).

Dates stay strings (no YAML timestamps), so an impossible date such as 2025-02-30 reaches the validator.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from zgcfund.core.creditcode import make_valid
from zgcfund.core.programme import Programme, parse_programme

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CASES_DIR = HERE / "cases"
OFFICIAL_TEXT = ROOT / "docs" / "policy" / "2025-zgc-social-org-support.zh.txt"
CLAUSES_DOC = ROOT / "docs" / "policy" / "2025-clauses.md"

ORG_CREDIT_CODE = make_valid("51110108MJ000000")
DEFAULT_RECORD = {"phase": "prior", "date": "2025-06-01"}


class CaseLoader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay strings."""


CaseLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=CaseLoader)


def squash(text: str) -> str:
    """Text without any whitespace, for verbatim-quote comparison."""
    return re.sub(r"\s+", "", text)


def official_text() -> str:
    return squash(OFFICIAL_TEXT.read_text(encoding="utf-8"))


def clause_doc_ids() -> list[str]:
    """Every clause and rule ID the clause document defines (first cell of its table rows)."""
    ids = []
    for line in CLAUSES_DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*(K\d(?:\.\d)?|P\d|W-[A-Z0-9-]+|X-[A-Z0-9-]+)\b", line)
        if m and m.group(1) not in ids:
            ids.append(m.group(1))
    return ids


def sha_of(label: str) -> str:
    return hashlib.sha256(label.encode("utf-8")).hexdigest()


class _Parties:
    """Distinct enterprises with valid credit codes; aliases map to the same one."""

    def __init__(self) -> None:
        self.n = 0
        self.aliases: dict[str, dict] = {}

    def new(self, label: str | None = None) -> dict:
        self.n += 1
        name = f"{label}科技有限公司" if label else f"北京测试企业{self.n:03d}科技有限公司"
        return {"name": name, "credit_code": make_valid(f"91110108MA{self.n:06d}")}

    def alias(self, key: str) -> dict:
        if key not in self.aliases:
            self.aliases[key] = self.new(f"北京{key}")
        return dict(self.aliases[key])


_WITH: dict[tuple, Programme] = {}


def programme_with(programme: Programme, parameters: dict | None) -> Programme:
    """``programme`` with the latest dated value of each parameter in ``parameters`` replaced (a switch
    as true/false, a date as YYYY-MM-DD, a number); ``programme`` itself when ``parameters`` is empty."""
    if not parameters:
        return programme
    key = (programme.sha256, tuple(sorted((k, str(v)) for k, v in parameters.items())))
    if key not in _WITH:
        data = yaml.load(programme.source_text, Loader=CaseLoader)
        for name, value in parameters.items():
            values = data["parameters"][name]["values"]  # KeyError: no such parameter
            values[list(values)[-1]] = value
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        _WITH[key] = parse_programme(text, f"{programme.origin} with {sorted(parameters)}")
    return _WITH[key]


def _evidence_item(text: str) -> dict:
    label, _, kind = text.partition(":")
    item = {"name": f"{label}.pdf", "sha256": sha_of(label)}
    if kind:
        item["kind"] = kind
    return item


def build_records(raw_records: list[dict], defaults: dict[str, dict], programme: Programme) -> list[dict]:
    parties = _Parties()
    out = []
    for i, raw in enumerate(raw_records or []):
        raw = copy.deepcopy(raw)
        repeat = raw.pop("repeat", None)
        clause = raw.get("clause")
        base = {**DEFAULT_RECORD, **copy.deepcopy(defaults.get(clause, {}))}
        rid = str(raw.get("id", f"r{i + 1}"))
        definition = programme.clauses.get(clause) if isinstance(clause, str) else None
        party_fields = [n for n, f in definition.fields.items() if f.type == "party"] if definition else []
        for k in range(1, repeat + 1) if repeat else [None]:
            rec = {**base, **copy.deepcopy(raw)}
            rec["id"] = f"{rid}-{k}" if k else rid
            rec.setdefault("title", f"{clause} 测试记录 {rec['id']}")
            for name in party_fields:
                if name not in rec:
                    rec[name] = parties.new()
                elif isinstance(rec[name], str):
                    rec[name] = parties.alias(rec[name])
            if isinstance(rec.get("evidence"), list):
                rec["evidence"] = [_evidence_item(e) if isinstance(e, str) else e for e in rec["evidence"]]
            out.append(rec)
    return out


def build_application(case_app: dict | None, file_defaults: dict | None, programme: Programme) -> dict:
    """A full zgc-application/1 document from a case's partial ``application``."""
    file_defaults = file_defaults or {}
    doc: dict[str, Any] = {
        "format": "zgc-application/1",
        "programme": programme.code,
        "applied_on": "2025-09-20",
        "contract_signed_on": None,
        "organization": {"name": "北京测试科技服务协会", "credit_code": ORG_CREDIT_CODE,
                         "comprehensive": False, "registers_tech_contracts": False},
    }
    for layer in (file_defaults.get("application") or {}, case_app or {}):
        for key, value in copy.deepcopy(layer).items():
            if key == "organization" and isinstance(value, dict):
                doc["organization"].update(value)
            elif key != "records":
                doc[key] = value
    doc["records"] = build_records((case_app or {}).get("records", []), file_defaults.get("records") or {},
                                   programme)
    return doc
