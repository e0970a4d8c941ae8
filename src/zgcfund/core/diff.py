"""What changed between two versions of a zgc-application/1 document (e.g. two submissions).

Records are matched by ``id``; a record is *changed* when any of its fields differ. Pure data out:
the web layer renders it, tests compare it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TOP_LEVEL = ("applied_on", "contract_signed_on", "organization", "choices")


@dataclass
class RecordChange:
    id: str
    clause: str
    fields: dict[str, tuple[Any, Any]]  # field -> (old, new); "evidence" compares by sha256


@dataclass
class DocumentDiff:
    top: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[RecordChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.top or self.added or self.removed or self.changed)

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)}


def _evidence(value: Any) -> list[str]:
    return sorted(e.get("sha256", "") for e in value or () if isinstance(e, dict))


def diff_documents(old: dict, new: dict) -> DocumentDiff:
    out = DocumentDiff()
    for key in TOP_LEVEL:
        if old.get(key) != new.get(key):
            out.top[key] = (old.get(key), new.get(key))
    before = {r["id"]: r for r in old.get("records", [])}
    after = {r["id"]: r for r in new.get("records", [])}
    out.added = [after[k] for k in after if k not in before]
    out.removed = [before[k] for k in before if k not in after]
    for key in after:
        if key not in before:
            continue
        a, b = before[key], after[key]
        fields = {}
        for name in sorted((a.keys() | b.keys()) - {"id"}):
            old_value, new_value = a.get(name), b.get(name)
            if name == "evidence":
                if _evidence(old_value) != _evidence(new_value):
                    fields[name] = ([e.get("name") for e in old_value or ()], [e.get("name") for e in new_value or ()])
            elif old_value != new_value:
                fields[name] = (old_value, new_value)
        if fields:
            out.changed.append(RecordChange(key, b.get("clause", ""), fields))
    return out
