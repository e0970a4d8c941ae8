"""The funds pages' parts: parsing the disbursement proposal, payment and refund forms (raising ``FundsInvalid`` keyed by field
for what is not a date or an amount), the chart of committed vs paid per organization, and the Excel export
of the funds table (user text always a text cell)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from zgcfund.core import cells
from zgcfund.implementation.domain.funds import ContractFunds, FundsInvalid, FundsTotals
from zgcfund.implementation.interfaces.charts import BarChart, Series
from zgcfund.implementation.interfaces.forms import field_text, parse_amount, parse_date
from zgcfund.implementation.models import Contract


def proposal_input(data, contract: Contract) -> dict[str, Any]:
    """The office's disbursement proposal: ``amount``, ``tranche`` (a sequence of the contract's plan, or
    empty), ``planned_on`` (optional), ``note``."""
    errors: dict[str, str] = {}
    amount = parse_amount(data, "amount", _("拨付金额"), errors)
    planned_on = parse_date(data, "planned_on", _("计划拨付日期"), errors)
    tranche = None
    raw = field_text(data, "tranche")
    if raw:
        tranche = contract.tranches.filter(sequence=raw).first() if raw.isdigit() and len(raw) < 4 else None
        if tranche is None:
            errors["tranche"] = _("拨付期次：所选期次不属于本合同的拨付计划。")
    if errors:
        raise FundsInvalid(errors)
    return {"amount": amount, "tranche": tranche, "planned_on": planned_on, "note": field_text(data, "note")}


def payment_input(data) -> dict[str, Any]:
    """Finance's payment of an approved disbursement: ``paid_on``, ``reference``, ``note``."""
    errors: dict[str, str] = {}
    paid_on = parse_date(data, "paid_on", _("拨付日期"), errors)
    if errors:
        raise FundsInvalid(errors)
    return {"paid_on": paid_on, "reference": field_text(data, "reference"), "note": field_text(data, "note")}


def refund_input(data) -> dict[str, Any]:
    errors: dict[str, str] = {}
    decided_on = parse_date(data, "decided_on", _("决定日期"), errors)
    amount_due = parse_amount(data, "amount_due", _("应退回金额"), errors)
    if errors:
        raise FundsInvalid(errors)
    return {"amount_due": amount_due, "decided_on": decided_on, "reason": field_text(data, "reason")}


def returned_input(data) -> dict[str, Any]:
    errors: dict[str, str] = {}
    returned_on = parse_date(data, "returned_on", _("退回日期"), errors)
    returned_amount = parse_amount(data, "returned_amount", _("实际退回金额"), errors)
    if errors:
        raise FundsInvalid(errors)
    return {"returned_on": returned_on, "returned_amount": returned_amount}


def committed_vs_paid(rows: list[ContractFunds]) -> BarChart:
    """Contract amount vs paid per organization (horizontal: long Chinese names)."""
    return BarChart(_("各单位合同金额与已拨付（万元）"), [r.organization.name for r in rows],
                    [Series(_("合同金额"), [r.totals.committed for r in rows]),
                     Series(_("已拨付"), [r.totals.paid for r in rows])], horizontal=True)


HEADER = ("序号", "申报单位", "合同签署日", "合同金额（万元）", "已拨付（万元）", "未拨付（万元）", "应退回（万元）",
          "已退回（万元）", "已批准待拨付（万元）")


def export_xlsx(code: str, rows: list[ContractFunds], totals: FundsTotals) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "资金"
    cells.append(sheet, [f"{code} 资金拨付与退回"])
    cells.append(sheet, list(HEADER))
    for i, r in enumerate(rows, start=1):
        t = r.totals
        cells.append(sheet, [i, r.organization.name, r.contract.signed_on, t.committed, t.paid, t.outstanding,
                             t.refund_due, t.refunded, t.approved_unpaid])  # a name is never a formula
    cells.append(sheet, ["", "合计", "", totals.committed, totals.paid, totals.outstanding, totals.refund_due,
                         totals.refunded, totals.approved_unpaid])
    sheet.column_dimensions["B"].width = 40
    for column in "CDEFGHI":
        sheet.column_dimensions[column].width = 16
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
