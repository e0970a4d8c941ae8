"""Request parsing for the contract form: reads posted data (a ``QueryDict`` or a plain dict of strings)
and returns what ``domain.contracts.record_contract`` takes, or raises ``ContractInvalid`` keyed by field
name for what is not a date or a number. The domain never sees the request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from zgcfund.implementation.domain.contracts import MAX_TRANCHES, ContractInvalid, TrancheInput

TRANCHE_ROWS = range(1, MAX_TRANCHES + 1)
TRANCHE_FIELDS = ("planned_on", "amount", "condition")


def field_text(data, name: str) -> str:
    return (data.get(name) or "").strip()


def parse_date(data, name: str, label: str, errors: dict[str, str]) -> dt.date | None:
    raw = field_text(data, name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("%(label)s：请填写日期（年-月-日，收到“%(raw)s”）。") % {"label": label, "raw": raw[:20]}
        return None


def parse_amount(data, name: str, label: str, errors: dict[str, str]) -> Decimal | None:
    raw = field_text(data, name).replace(",", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or len(raw) > 20 or value.as_tuple().exponent < -2:
        errors[name] = _("%(label)s：“%(raw)s”不是金额（万元，至多两位小数）。") % {"label": label, "raw": raw[:20]}
        return None
    return value


def contract_input(data) -> dict[str, Any]:
    """The contract form: ``signed_on``, ``amount``, ``conditions`` and up to six payment rows
    ``tranche<i>_planned_on`` / ``_amount`` / ``_condition`` (an empty row is left out)."""
    errors: dict[str, str] = {}
    signed_on = parse_date(data, "signed_on", _("合同签署日"), errors)
    amount = parse_amount(data, "amount", _("合同金额"), errors)
    tranches = []
    for i in TRANCHE_ROWS:
        names = {f: f"tranche{i}_{f}" for f in TRANCHE_FIELDS}
        if not any(field_text(data, n) for n in names.values()):
            continue
        planned_on = parse_date(data, names["planned_on"], _("第 %(i)s 期计划拨付日期") % {"i": i}, errors)
        tranche_amount = parse_amount(data, names["amount"], _("第 %(i)s 期拨付金额") % {"i": i}, errors)
        tranches.append(TrancheInput(planned_on, tranche_amount, field_text(data, names["condition"]), i))
    if errors:
        raise ContractInvalid(errors)
    return {"signed_on": signed_on, "amount": amount, "tranches": tranches, "conditions": field_text(data, "conditions")}


def tranche_rows(data, errors: dict[str, str] | None = None) -> list[dict]:
    """The payment rows as typed (for the form shown again), each with its fields' errors."""
    errors = errors or {}
    return [{"i": i, **{f: data.get(f"tranche{i}_{f}", "") for f in TRANCHE_FIELDS},
             "errors": {f: errors[f"tranche{i}_{f}"] for f in TRANCHE_FIELDS if f"tranche{i}_{f}" in errors}}
            for i in TRANCHE_ROWS]


def contract_initial(contract) -> dict[str, str]:
    """A recorded contract as the form's strings (a proposal sent back, to change and propose again)."""
    data = {"signed_on": contract.signed_on.isoformat(), "amount": format(contract.amount, "f"),
            "conditions": contract.conditions}
    for t in contract.tranches.order_by("sequence"):
        data.update({f"tranche{t.sequence}_planned_on": t.planned_on.isoformat(),
                     f"tranche{t.sequence}_amount": format(t.amount, "f"), f"tranche{t.sequence}_condition": t.condition})
    return data
