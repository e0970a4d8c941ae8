"""Kinds of supporting material (支撑材料) a clause names, as upload slots on a record.

The programme file declares them per clause (``evidence_kinds``: key, label, whether a counted
prior record needs it, for which records it applies, what makes a file unnecessary); the engine
lists what is missing (``missing_evidence``). This module gives the portal the same view of one
record: which slots apply, which files sit in each, which required ones are still empty."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from zgcfund.applications.domain.document import applied_on, programme_of, record_document
from zgcfund.applications.models import Application, EvidenceFile, Record
from zgcfund.core.programme import EvidenceCheck


@dataclass
class Slot:
    key: str
    label: str
    hint: str
    required: bool  # a counted prior record needs it
    satisfied_without_file: bool  # e.g. a K3.2 notice lodged in the system
    files: list[EvidenceFile] = field(default_factory=list)

    @property
    def missing(self) -> bool:
        return self.required and not self.satisfied_without_file and not self.files


@dataclass
class RecordMaterials:
    slots: list[Slot]
    unclassified: list[EvidenceFile]  # files of no (or of a no longer applicable) kind
    declares_kinds: bool

    @property
    def missing(self) -> list[Slot]:
        return [s for s in self.slots if s.missing]

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(s.key, s.label) for s in self.slots]


def _holds(predicate, doc: dict[str, Any]) -> bool:
    try:
        return bool(predicate(doc))
    except (KeyError, TypeError, ValueError):  # a half-filled record: show the slot rather than hide it
        return True


def _checks(application: Application, clause: str) -> list[EvidenceCheck]:
    compiled = programme_of(application).rules_on(applied_on(application)).clauses.get(clause)
    return compiled.evidence if compiled else []


def record_materials(application: Application, record: Record,
                     files: list[EvidenceFile] | None = None) -> RecordMaterials:
    files = list(record.evidence_files.all()) if files is None else files
    doc = record_document(record, [])
    prior = record.phase == "prior"
    slots = []
    for check in _checks(application, record.clause):
        if check.when is not None and not _holds(check.when, doc):
            continue
        satisfied = check.satisfied_by is not None and check.satisfied_by(doc) if prior else False
        slots.append(Slot(check.kind.key, check.kind.label, check.kind.hint, check.kind.required and prior,
                          bool(satisfied), [f for f in files if f.material == check.kind.key]))
    keys = {s.key for s in slots}
    unclassified = [f for f in files if f.material not in keys]
    return RecordMaterials(slots, unclassified, bool(_checks(application, record.clause)))


def material_refusal(application: Application, record: Record, material: str) -> str | None:
    """Why ``material`` cannot be this record's file kind (Chinese), or None. Blank is always fine."""
    if not material:
        return None
    if material not in {key for key, _label in record_materials(application, record, []).choices}:
        return _("材料类型“%(kind)s”不适用于记录 %(key)s（%(clause)s），请重新选择。") % {
            "kind": material, "key": record.key, "clause": record.clause}
    return None

