"""An application as a zgc-application/1 document, and the engine's evaluation of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from zgcfund.applications.models import Application, EvidenceFile, Record
from zgcfund.core.engine import evaluate
from zgcfund.core.errors import InvalidDocument
from zgcfund.core.programme import Programme
from zgcfund.programmes.domain import clock, parsed

FORMAT = "zgc-application/1"


def programme_of(application: Application) -> Programme:
    """The engine's programme for the file version the application was written under."""
    return parsed(application.programme_year)


def applied_on(application: Application) -> dt.date:
    """The application date: fixed at submission; for a draft, today (Asia/Shanghai)."""
    return application.applied_on or clock.today()


def record_document(record: Record, evidence: list[EvidenceFile] | None = None,
                    kinds: set[str] | None = None) -> dict[str, Any]:
    """``kinds``: the material kinds the clause declares; a file's kind is written only when it is
    one of them (a kind from an older programme version must not make the document invalid)."""
    doc: dict[str, Any] = {"id": record.key, "clause": record.clause, "phase": record.phase,
                           "date": record.date.isoformat(), "title": record.title, **record.fields}
    files = evidence if evidence is not None else list(record.evidence_files.all())
    if files:
        doc["evidence"] = [_evidence_item(f, kinds or set()) for f in files]
    if record.verified is not None:
        doc["verified"] = record.verified
    return doc


def _evidence_item(f: EvidenceFile, kinds: set[str]) -> dict[str, str]:
    item = {"name": f.name, "sha256": f.sha256}
    if f.material and f.material in kinds:
        item["kind"] = f.material
    return item


def material_kinds(application: Application) -> dict[str, set[str]]:
    """Per clause, the kinds of supporting material a file may be in the application's document."""
    rules = programme_of(application).rules_on(applied_on(application))
    return {cid: {c.kind.key for c in cc.evidence} for cid, cc in rules.clauses.items()}


def build_document(application: Application) -> dict[str, Any]:
    org = application.organization
    kinds = material_kinds(application)
    records = list(application.records.order_by("id").prefetch_related("evidence_files"))
    doc: dict[str, Any] = {
        "format": FORMAT,
        "programme": application.programme_code,
        "applied_on": applied_on(application).isoformat(),
        "contract_signed_on": application.contract_signed_on.isoformat() if application.contract_signed_on else None,
        "organization": {"name": org.name, "credit_code": org.credit_code, "comprehensive": org.comprehensive,
                         "registers_tech_contracts": org.registers_tech_contracts},
        "choices": dict(application.choices),
        "records": [record_document(r, list(r.evidence_files.all()), kinds.get(r.clause)) for r in records],
    }
    return doc


def accepted_credit_codes(application: Application) -> frozenset[str]:
    """The organization's own code when the office accepted it despite a failed check."""
    org = application.organization
    if org.credit_code_check_failed and org.credit_code_override_reason and org.is_approved:
        return frozenset({org.credit_code})
    return frozenset()


@dataclass(frozen=True)
class Assessment:
    """The engine's view of an application as it stands: both bases, or the document's problems."""

    document: dict[str, Any]
    prior: dict[str, Any] | None
    projected: dict[str, Any] | None
    problems: list[Any]

    @property
    def valid(self) -> bool:
        return not self.problems


def assess(application: Application, document: dict[str, Any] | None = None, *,
           programme: Programme | None = None) -> Assessment:
    """Both bases under the application's own programme version (or ``programme``, e.g. the version
    the review runs under)."""
    doc = document if document is not None else build_document(application)
    programme = programme or programme_of(application)
    codes = accepted_credit_codes(application)
    try:
        prior = evaluate(doc, programme, "prior", codes)
        projected = evaluate(doc, programme, "projected", codes)
    except InvalidDocument as exc:
        return Assessment(doc, None, None, list(exc.problems))
    return Assessment(doc, prior, projected, [])
