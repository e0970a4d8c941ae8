"""The demo's programme after the application window: selection and 公示, contracts, the implementation period
(report rounds, reports accepted, returned, late and overdue, K1.3 revenue tables, disbursements) and
acceptance — each stage run on the programme clock of its own day, and only the stages on or before the
demo's date (``make run DEMO_DATE=…``), so the demo shows the programme as it stood that day.

Everything goes through the domain services the pages use (collective decisions, workflow transitions,
audit, notices), so the demo data are what the office and the organizations would have produced.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings

from zgcfund.accounts.models import User
from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application
from zgcfund.implementation.domain import acceptance as acceptance_domain
from zgcfund.implementation.domain import contracts, funds, reports, revenue
from zgcfund.implementation.interfaces import revenue_excel
from zgcfund.implementation.models import CommitmentStatus, Contract, RoundKind
from zgcfund.review.domain import decisions
from zgcfund.review.domain import selection as selections

D = dt.date
#: the demo's bands: the two best ranked get 15 万元, the next two 10 万元
SELECTION_SPEC = {"method": "by_bands", "bands": [{"name": "一档", "ranks": [1, 2], "amount": "15"},
                                                   {"name": "二档", "ranks": [3, 4], "amount": "10"}]}
ROUNDS = (  # (name, kind, due, asks)
    ("K1.3 2025年1—11月营收表", RoundKind.K13_2025, D(2025, 12, 20),
     "请按绩效企业上传2025年1—11月及2024年同期营业收入情况表。"),
    ("K1.3 2026年1—2月营收表", RoundKind.K13_2026, D(2026, 3, 20),
     "请按绩效企业上传2026年1—2月及2025年同期营业收入情况表。"),
    ("实施期总结报告", RoundKind.FINAL, D(2026, 7, 10),
     "实施期（至2026年6月30日）结束后，逐项填报实施承诺完成情况并上传支撑材料，说明新增工作。"),
)
RATES = {"industry_growth_rate": "0.062", "start_growth_rate": "0.055"}  # the office's industry growth rates


@dataclass
class Cast:
    office: User
    approver: User
    finance: User


def _on(day: dt.date):
    return override_settings(ZGCFUND_CLOCK_DATE=day.isoformat())


def _approve(subject: str, obj, cast: Cast) -> None:
    decision = decisions.pending_for(subject, obj)
    if decision is not None:
        decisions.approve(decision, cast.approver, "同意（演示数据）")


def _member(application: Application) -> User:
    return application.organization.memberships.select_related("user").first().user


def _png(label: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, 315, 195), outline=(46, 139, 87), width=3)
    draw.text((14, 20), f"{label}\n(demo)", fill=(46, 139, 87))
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile(f"{label}.png", out.getvalue(), content_type="image/png")


def _contracted() -> list[Contract]:
    return list(Contract.objects.select_related("application__organization").order_by("-amount", "application__pk"))


# --- the stages -----------------------------------------------------------------------------------------

def select_and_publish(code: str, cast: Cast) -> None:
    """2025-10-15: the selection by bands, confirmed by the collective decision, published for 7 days."""
    draft = selections.save_draft(code, SELECTION_SPEC, cast.office)
    decisions.propose("selection", draft, cast.office, "按遴选计划分档确定（演示数据）")
    _approve("selection", draft, cast)
    draft.refresh_from_db()
    selections.publish(draft, cast.office, 7)


def end_notice(code: str, cast: Cast) -> None:
    published = selections.published(code)
    if published is not None:
        selections.end_notice(published, cast.office)


def sign_contracts(code: str, cast: Cast) -> None:
    """2025-11-05: the contracts (60 % on signing, 40 % after the K1.3 tables), each decided collectively."""
    for app in contracts.awaiting_contract(code):
        amount = contracts.awarded_amount(app) or Decimal("10")
        first = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
        tranches = [contracts.TrancheInput(D(2025, 11, 20), first, "合同签订后"),
                    contracts.TrancheInput(D(2026, 4, 30), amount - first, "K1.3营收表审核通过后")]
        contract = contracts.record_contract(app, cast.office, signed_on=D(2025, 11, 5), amount=amount,
                                             tranches=tranches, conditions="按任务书开展工作，按期报送营收表和总结报告。")
        _approve("contract", contract, cast)


def start(code: str, cast: Cast) -> None:
    for contract in _contracted():
        if contract.application.status == workflow.CONTRACTED:
            reports.start_implementation(contract.application, cast.office)


def open_rounds(code: str, cast: Cast) -> None:
    for name, kind, due, asks in ROUNDS:
        reports.save_round(code, cast.office, name=name, kind=kind, due_on=due, asks=asks)


def enter_rates(code: str, cast: Cast) -> None:
    """The office enters the industry growth rates the K1.3 aims compare with (a new programme-file version)."""
    from zgcfund.core.scheme import scheme_values
    from zgcfund.programmes.domain import current_version, parsed
    from zgcfund.programmes.domain.scheme import save_scheme_version

    row = current_version(code)
    values = {**scheme_values(parsed(row)), **{f"param.{k}": v for k, v in RATES.items()}}
    save_scheme_version(row, values, version="2025-行业增速", note="录入统计部门发布的行业增速",
                        reason="录入K1.3行业增速（演示数据）", by=cast.office)


def pay_tranche(sequence: int, which: Callable[[list[Contract]], list[Contract]]):
    def stage(code: str, cast: Cast) -> None:
        for contract in which(_contracted()):
            tranche = contract.tranches.get(sequence=sequence)
            d = funds.propose_disbursement(contract, cast.office, amount=tranche.amount, tranche=tranche,
                                           planned_on=tranche.planned_on, note=f"按拨付计划拨付第{sequence}期")
            _approve("disbursement", d, cast)
            d.refresh_from_db()
            funds.record_payment(d, cast.finance, paid_on=tranche.planned_on,
                                 reference=f"ZGC-2025-{contract.pk:03d}-{sequence}")
    return stage


def _upload_revenue(contract: Contract, monthly: dict[str, int]) -> None:
    member = _member(contract.application)
    programme = revenue.programme_for(contract)
    periods = revenue.periods(programme)
    for n, e in enumerate(revenue.performance_enterprises(contract)):
        if not e.credit_code:
            continue
        data = revenue_excel.build_template(organization=contract.application.organization.name, enterprise=e.name,
                                            credit_code=e.credit_code, contract_id=contract.pk, periods=periods)
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data))
        ws = wb[revenue_excel.DATA_SHEET]
        for row in ws.iter_rows(min_row=revenue_excel.FIRST_DATA_ROW):
            if row[0].value in monthly:
                row[2].value = monthly[row[0].value] + 7 * n
        out = io.BytesIO()
        wb.save(out)
        upload = SimpleUploadedFile("营收情况表.xlsx", out.getvalue())

        def read(periods, today, upload=upload, code=e.credit_code):
            return revenue_excel.read_upload(upload, credit_code=code, periods=periods, today=today)

        revenue.upload_table(contract, e.credit_code, read, out.getvalue(), f"营收情况表-{e.name}.xlsx", member)


def _monthly(i: int, *, with_2026: bool) -> dict[str, int]:
    """Each month's revenue (万元) per statistics period for the i-th organization's enterprises: 2025 over
    2024 grows about 10 %; 2026 Jan–Feb over 2025 grows 7 % for the first and less for the others."""
    y2025 = 97 + 2 * i
    out = {"2024年1-11月": 88 + 3 * i, "2025年1-11月": y2025, "2025年1-2月": y2025}
    if with_2026:
        out["2026年1-2月"] = round(y2025 * 1.07) - 2 * i
    return out


def _round(code: str, kind: str):
    return reports.rounds(code).get(kind=kind)


def _submit(contract: Contract, kind: str, summary: str):
    report = reports.report_for(_round(contract.application.programme_code, kind), contract)
    return reports.submit_report(report, _member(contract.application), summary=summary)


def k13_2025_reports(code: str, cast: Cast) -> None:
    """2025-12-15: every organization uploads its 2025 Jan–Nov tables and submits; the office accepts all but
    the third, which it returns with a comment."""
    for i, contract in enumerate(_contracted()):
        _upload_revenue(contract, _monthly(i, with_2026=False))
        submission = _submit(contract, RoundKind.K13_2025, "已按绩效企业上传2025年1—11月营收情况表。")
        if i == 2:
            reports.return_report(submission, cast.office, comment="请补充各绩效企业的财务报表盖章页，并核对11月数据。")
        else:
            reports.accept_report(submission, cast.office, comment="营收表完整，同意。")


def k13_2025_resubmit(code: str, cast: Cast) -> None:
    """2025-12-22: the returned report comes back (after the due date: marked late) and is accepted."""
    for contract in _contracted()[2:3]:
        submission = _submit(contract, RoundKind.K13_2025, "已补充盖章页，11月数据已核对。")
        reports.accept_report(submission, cast.office, comment="补正后同意。")


def k13_2026_reports(code: str, cast: Cast) -> None:
    """2026-03-15: all but the second organization report 2026 Jan–Feb (the second stays overdue)."""
    for i, contract in enumerate(_contracted()):
        if i == 1:
            continue
        _upload_revenue(contract, _monthly(i, with_2026=True))
        submission = _submit(contract, RoundKind.K13_2026, "已上传2026年1—2月营收情况表。")
        reports.accept_report(submission, cast.office, comment="同意。")


def _deliver(contract: Contract) -> None:
    member = _member(contract.application)
    for c in contract.commitments.all():
        reports.update_commitment_delivery(c, member, reported_status=CommitmentStatus.DELIVERED,
                                           delivered=dict(c.targets), delivered_on=c.date, note="")
        kinds = reports.evidence_kinds(c)
        reports.store_evidence(c, member, _png(f"{c.record_key}-完成材料"), kind=kinds[0][0] if kinds else "")


def close_period(code: str, cast: Cast) -> None:
    """2026-07-01: the implementation period has ended; the office asks every organization for its final report."""
    for contract in _contracted():
        if contract.application.status == workflow.IMPLEMENTING:
            reports.request_report(contract.application, cast.office)


def final_reports(code: str, cast: Cast) -> None:
    """2026-07-05: the first and fourth organizations report every commitment delivered, with evidence; the
    office accepts the first's report. The third gets an extension (its enterprises' audits are late)."""
    listed = _contracted()
    for i in (0, 3):
        if i < len(listed):
            _deliver(listed[i])
            submission = _submit(listed[i], RoundKind.FINAL, "实施期内各项承诺均已完成，支撑材料已上传。")
            if i == 0:
                reports.accept_report(submission, cast.office, comment="总结报告完整，进入验收。")
    if len(listed) > 2:
        reports.extend(_round(code, RoundKind.FINAL), listed[2].application, cast.office, due_on=D(2026, 7, 31),
                       reason="绩效企业年度审计报告延后出具，经单位申请同意延期。")


def accept_first(code: str, cast: Cast) -> None:
    """2026-07-15: the office verifies each of the first organization's commitments and concludes 通过."""
    contract = _contracted()[0]
    for c in contract.commitments.all():
        acceptance_domain.assess_commitment(c, cast.office, status=CommitmentStatus.DELIVERED, verified=True,
                                            delivered=dict(c.delivered or c.targets), delivered_on=c.delivered_on)
    acceptance_domain.conclude(contract, cast.office, accepted_on=D(2026, 7, 15), conclusion="passed",
                               comments="实施期承诺全部完成并经核实，专业服务能力有提升，同意通过验收。")
    _approve("acceptance", acceptance_domain.acceptance_of(contract), cast)


STAGES: tuple[tuple[dt.date, str, Callable[[str, Cast], None]], ...] = (
    (D(2025, 10, 15), "遴选与公示", select_and_publish),
    (D(2025, 10, 23), "公示期满", end_notice),
    (D(2025, 11, 5), "签订合同", sign_contracts),
    (D(2025, 11, 6), "开始实施", start),
    (D(2025, 11, 10), "设置报告批次", open_rounds),
    (D(2025, 11, 20), "拨付第一期", pay_tranche(1, lambda cs: cs)),
    (D(2025, 12, 10), "录入行业增速", enter_rates),
    (D(2025, 12, 15), "K1.3 2025年营收表", k13_2025_reports),
    (D(2025, 12, 22), "补正后重新提交", k13_2025_resubmit),
    (D(2026, 3, 15), "K1.3 2026年营收表", k13_2026_reports),
    (D(2026, 4, 30), "拨付第二期", pay_tranche(2, lambda cs: cs[:1])),
    (D(2026, 7, 1), "实施期结束", close_period),
    (D(2026, 7, 5), "总结报告", final_reports),
    (D(2026, 7, 15), "验收", accept_first),
)


def run(code: str, until: dt.date, cast: Cast, log: Callable[[str], None] = print) -> None:
    """Run every stage dated on or before ``until`` that has not run yet (the demo is idempotent: a stage
    whose mark — its audit action on the programme — exists is skipped)."""
    done = set(_done_stages())
    for day, name, stage in STAGES:
        if day > until or name in done:
            continue
        with _on(day):
            stage(code, cast)
        _mark(name)
        log(f"  {day.isoformat()} {name}")


def _done_stages() -> list[str]:
    from zgcfund.audit.models import AuditEvent

    return [e.changes.get("stage") for e in AuditEvent.objects.filter(action="demo.stage")]


def _mark(name: str) -> None:
    from zgcfund.audit.domain import record_event
    from zgcfund.audit.models import Visibility

    record_event("demo.stage", f"演示数据：{name}", actor=None, changes={"stage": name}, visibility=Visibility.OFFICE)
