"""Recording the contract (implementation.domain.contracts.record_contract): only for an application whose
notice period has ended; the signing date (W-PLAN, not before publication), the amount (not above the
award), the payment plan (adds up); commitments frozen from the latest submission's plan records; the
phase move, its audit entry and notice in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from tests.review.decision_helpers import approve_pending

from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application
from zgcfund.audit.models import AuditEvent
from zgcfund.implementation.domain import contracts
from zgcfund.implementation.domain.contracts import ContractInvalid, ContractRefused, TrancheInput
from zgcfund.implementation.models import Commitment, Contract, ContractStatus
from zgcfund.review.domain import decisions
from zgcfund.review.domain.decisions import DecisionRefused

pytestmark = pytest.mark.django_db

SIGNED = dt.date(2025, 10, 10)


def plan(*amounts: str, start: dt.date = SIGNED) -> list[TrancheInput]:
    return [TrancheInput(start + dt.timedelta(days=30 * i), Decimal(a), f"第{i + 1}期条件") for i, a in enumerate(amounts)]


def sign(app, by, *, signed_on=SIGNED, amount="15", tranches=None, conditions="按任务书执行"):
    """Record the contract and give it the second office approval the programme's collective decision needs."""
    contract = contracts.record_contract(app, by, signed_on=signed_on, amount=Decimal(amount) if amount else None,
                                         tranches=plan("9", "6") if tranches is None else tranches,
                                         conditions=conditions)
    approve_pending("contract", contract)
    contract.refresh_from_db()
    app.refresh_from_db()
    return contract


def test_happy_path(awaiting, office_user, django_capture_on_commit_callbacks, mailoutbox):
    first, _second, _selection = awaiting
    assert first.status == workflow.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        contract = sign(first, office_user)
    first.refresh_from_db()
    assert workflow.reached_by(first, "sign_contract") and first.status == workflow.CONTRACTED
    assert first.contract_signed_on == SIGNED
    assert contract.amount == Decimal("15") and contract.awarded_amount == Decimal("15")
    assert contract.submission.number == 2 and contract.programme_sha256 == first.programme_year.sha256
    assert [(t.sequence, t.amount) for t in contract.tranches.all()] == [(1, Decimal("9")), (2, Decimal("6"))]
    # the latest submission's plan records (R4 was dropped in the second submission; R1 is prior work)
    got = {c.record_key: (c.clause, c.title, c.date, c.targets, c.status) for c in contract.commitments.all()}
    assert got == {
        "R2": ("K3.1", "大模型应用对接会", dt.date(2026, 3, 10), {"park": "海淀园", "participants": 120}, "pending"),
        "R3": ("P5", "产业研究报告", dt.date(2026, 4, 1), {"type": "commissioned", "completed": False}, "pending"),
    }
    events = AuditEvent.objects.filter(application=first, action="contract.sign")
    assert events.count() == 1 and events.get().changes["amount"] == "15"
    assert len(callbacks) >= 1
    assert any("合同" in m.subject for m in mailoutbox)


def test_refused_before_the_notice_period_ends(pipeline, office_user, settings):
    app = pipeline.application("丙协会", [])
    with pytest.raises(ContractRefused, match="不能签订合同"):
        sign(app, office_user)
    assert not Contract.objects.exists()
    app.refresh_from_db()
    assert app.status == workflow.FORMAL_PASSED and app.contract_signed_on is None


def test_only_the_office_signs(awaiting):
    first = awaiting[0]
    with pytest.raises(ContractRefused, match="项目办公室"):
        sign(first, first.organization.memberships.first().user)


@pytest.mark.parametrize("day", [dt.date(2024, 12, 31), dt.date(2026, 1, 1)])
def test_signing_date_must_lie_in_2025(awaiting, office_user, day):
    with pytest.raises(ContractInvalid) as exc:
        sign(awaiting[0], office_user, signed_on=day, tranches=plan("15", start=day))
    assert "2025-01-01 至 2025-12-31" in exc.value.errors["signed_on"]
    assert not Contract.objects.exists() and Application.objects.get(pk=awaiting[0].pk).status == workflow.PUBLISHED


def test_signing_date_not_before_publication(awaiting, office_user):
    selection = awaiting[2]
    day = selection.published_at.date() - dt.timedelta(days=1)
    with pytest.raises(ContractInvalid) as exc:
        sign(awaiting[0], office_user, signed_on=day, tranches=plan("15", start=day))
    assert "不得早于遴选结果公示日" in exc.value.errors["signed_on"]


def test_amount_above_the_award_is_refused(awaiting, office_user):
    with pytest.raises(ContractInvalid) as exc:
        sign(awaiting[1], office_user, amount="12", tranches=plan("12"))
    assert "超过遴选结果的支持金额 10 万元" in exc.value.errors["amount"]
    contract = sign(awaiting[1], office_user, amount="8", tranches=plan("8"))  # less than the award is fine
    assert contract.amount == Decimal("8")


@pytest.mark.parametrize("amount", ["0", "-1", None])
def test_amount_must_be_positive(awaiting, office_user, amount):
    with pytest.raises(ContractInvalid) as exc:
        sign(awaiting[0], office_user, amount=amount, tranches=plan("15"))
    assert exc.value.errors["amount"].startswith("合同金额")


def test_tranches_must_add_up(awaiting, office_user):
    with pytest.raises(ContractInvalid) as exc:
        sign(awaiting[0], office_user, tranches=plan("9", "5"))
    assert exc.value.errors["tranches"] == "拨付计划：各期金额合计 14 万元，应等于合同金额 15 万元。"
    with pytest.raises(ContractInvalid) as exc:
        sign(awaiting[0], office_user, tranches=[])
    assert "请至少填写一期" in exc.value.errors["tranches"]
    with pytest.raises(ContractInvalid) as exc:
        sign(awaiting[0], office_user, tranches=[TrancheInput(SIGNED - dt.timedelta(days=1), Decimal("15"), "", 3)])
    assert "第 3 期计划拨付日期：不得早于合同签署日" in exc.value.errors["tranche3_planned_on"]
    assert not Contract.objects.exists() and not Commitment.objects.exists()


def test_second_contract_is_refused(awaiting, office_user):
    sign(awaiting[0], office_user)
    with pytest.raises(ContractRefused, match="已于 2025-10-10 签订合同"):
        sign(awaiting[0], office_user)
    assert Contract.objects.count() == 1
    assert AuditEvent.objects.filter(application=awaiting[0], action="contract.sign").count() == 1


def test_a_failed_transition_leaves_nothing(awaiting, office_user, monkeypatch):
    def refuse(*args, **kwargs):
        raise workflow.TransitionRefused("不能")

    monkeypatch.setattr(workflow, "transition", refuse)
    contract = contracts.record_contract(awaiting[0], office_user, signed_on=SIGNED, amount=Decimal("15"),
                                         tranches=plan("9", "6"))
    # the approval that completes the collective decision fails: the contract stays proposed
    with pytest.raises(DecisionRefused, match="不能"), transaction.atomic():
        approve_pending("contract", contract)
    contract = Contract.objects.get()
    assert contract.status == ContractStatus.PROPOSED and Commitment.objects.exists()
    assert Application.objects.get(pk=awaiting[0].pk).contract_signed_on is None
    assert decisions.pending_for("contract", contract).approved_count == 1


def test_signing_date_not_in_the_future(awaiting, office_user, settings):
    """A contract is recorded once signed: a signing date after today (the programme clock) is refused."""
    settings.ZGCFUND_CLOCK_DATE = "2025-10-12"
    day = dt.date(2025, 10, 13)
    with pytest.raises(ContractInvalid) as exc:
        sign(awaiting[0], office_user, signed_on=day, tranches=plan("15", start=day))
    assert "尚未到来" in exc.value.errors["signed_on"]
    assert not Contract.objects.exists()
