"""Request parsing and form rows for the report pages: turns posted text into what ``domain.reports`` takes
(dates, numbers, booleans, parties), raising ``ReportInvalid`` keyed by field name for what is not a date or
a number; the clause's field rows (``f_<name>`` inputs) for the templates. The engine decides what is valid."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from zgcfund.applications.interfaces.forms import PARTS, display_value
from zgcfund.core.programme import ClauseDef
from zgcfund.implementation.domain.reports import ReportInvalid
from zgcfund.implementation.interfaces.forms import field_text, parse_date

PREFIX = "f_"


def clause_fields(definition: ClauseDef | None, data) -> tuple[dict[str, Any], dict[str, str]]:
    """The clause's fields as format values from ``f_<name>`` inputs (errors keyed by field name)."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if definition is None:
        return out, errors
    for spec in definition.fields.values():
        key = PREFIX + spec.name
        if spec.type in PARTS:
            parts = {part: field_text(data, f"{key}__{part}") for part, _label in PARTS[spec.type]}
            if any(parts.values()):
                out[spec.name] = {k: v for k, v in parts.items() if v}
            continue
        if spec.type == "set":
            values = [v for v in (data.getlist(key) if hasattr(data, "getlist") else data.get(key) or []) if v]
            if values:
                out[spec.name] = values
            continue
        raw = field_text(data, key)
        if not raw:
            continue
        if spec.type in ("count", "amount"):
            try:
                number = Decimal(raw.replace(",", ""))
                if not number.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors[spec.name] = _("%(label)s：“%(raw)s”不是数字。") % {"label": spec.label, "raw": raw[:20]}
                continue
            out[spec.name] = int(number) if number == number.to_integral_value() else float(number)
        elif spec.type == "bool":
            out[spec.name] = raw == "true"
        else:
            out[spec.name] = raw
    return out, errors


def delivery_input(data, definition: ClauseDef | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    delivered_on = parse_date(data, "delivered_on", _("实际完成日期"), errors)
    delivered, field_errors = clause_fields(definition, data)
    errors.update(field_errors)
    if errors:
        raise ReportInvalid(errors)
    return {"reported_status": field_text(data, "reported_status"), "delivered": delivered,
            "delivered_on": delivered_on, "note": data.get("note") or ""}


def extra_input(data, clauses: dict[str, ClauseDef]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clause = field_text(data, "clause")
    day = parse_date(data, "date", _("完成日期"), errors)
    fields, field_errors = clause_fields(clauses.get(clause), data)
    errors.update(field_errors)
    if errors:
        raise ReportInvalid(errors)
    return {"clause": clause, "title": data.get("title") or "", "date": day, "fields": fields,
            "note": data.get("note") or ""}


def round_input(data) -> dict[str, Any]:
    errors: dict[str, str] = {}
    day = parse_date(data, "due_on", _("截止日期"), errors)
    if errors:
        raise ReportInvalid(errors)
    return {"name": data.get("name") or "", "kind": field_text(data, "kind"), "due_on": day, "asks": data.get("asks") or ""}


def extension_input(data) -> dict[str, Any]:
    errors: dict[str, str] = {}
    day = parse_date(data, "due_on", _("延期后截止日期"), errors)
    if errors:
        raise ReportInvalid(errors)
    return {"due_on": day, "reason": data.get("reason") or ""}


def field_rows(definition: ClauseDef | None, values: dict[str, Any], data=None, errors=None,
               id_prefix: str = "") -> list[dict]:
    """The clause's fields as inputs: ``[{"name", "input", "id", "label", "type", "value", "parts", "choices",
    "error"}]``; ``data`` (posted) wins over ``values`` (stored)."""
    rows = []
    errors = errors or {}
    if definition is None:
        return rows
    for spec in definition.fields.values():
        key = PREFIX + spec.name
        stored = values.get(spec.name)
        row = {"name": spec.name, "input": key, "id": f"id_{id_prefix}{key}", "label": spec.label, "type": spec.type,
               "required": spec.required, "error": errors.get(spec.name), "choices": list((spec.values or {}).items())}
        if spec.type in PARTS:
            row["parts"] = [{"input": f"{key}__{part}", "id": f"id_{id_prefix}{key}__{part}", "label": label,
                             "value": (data.get(f"{key}__{part}", "") if data is not None
                                       else (stored or {}).get(part, "") if isinstance(stored, dict) else "")}
                            for part, label in PARTS[spec.type]]
        elif spec.type == "set":
            row["value"] = (data.getlist(key) if data is not None and hasattr(data, "getlist")
                            else list(stored or []))
        elif data is not None:
            row["value"] = data.get(key, "")
        elif stored is None:
            row["value"] = ""
        elif spec.type == "bool":
            row["value"] = "true" if stored else "false"
        else:
            row["value"] = str(stored)
        rows.append(row)
    return rows


def shown(definition: ClauseDef | None, values: dict[str, Any]) -> list[tuple[str, str]]:
    """Stored figures as (label, text), in the clause's field order."""
    if not values:
        return []
    specs = definition.fields if definition else {}
    out = [(specs[n].label, display_value(specs[n], values[n])) for n in specs if n in values]
    return out + [(n, str(v)) for n, v in values.items() if n not in specs]
