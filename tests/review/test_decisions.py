"""The office's collective decisions (集体研究, issue 13): the programme file sets how many office approvals
each subject needs; the proposal is the first; each approval or request for changes is recorded with who,
when and why; the effect runs with the approval that completes the decision, and a refusing effect changes
nothing; the applicant learns only the outcome, never who approved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from tests.implementation.conftest import PLAN_K31, PRIOR, Pipeline
from tests.review.decision_helpers import approve_pending, second_office_user
from tests.review.test_ranking_web import same

from zgcfund.accounts.models import InboxNotice
from zgcfund.applications.domain import workflow
from zgcfund.audit.models import AuditEvent
from zgcfund.core.errors import ProgrammeFileError
from zgcfund.core.programme import DECISION_SUBJECTS, parse_programme
from zgcfund.implementation.domain import contracts
from zgcfund.implementation.domain.contracts import TrancheInput
from zgcfund.implementation.models import Contract, ContractStatus
from zgcfund.programmes.domain import load_programme_year
from zgcfund.review.domain import decisions
from zgcfund.review.domain import selection as selections
from zgcfund.review.models import Approval, Decision, DecisionStatus, DecisionSubject, Selection

pytestmark = pytest.mark.django_db

LINE = "decisions: {selection: 2, contract: 2, disbursement: 2, acceptance: 2}"


def _with_decisions(programme, line: str):
    assert LINE in programme.source_text
    return parse_programme(programme.source_text.replace(LINE, line), "test.yaml")


# --- the programme file ------------------------------------------------------------------------------

def test_the_2025_file_asks_two_approvals_for_each_subject(programme):
    assert programme.decisions == dict.fromkeys(DECISION_SUBJECTS, 2)
    assert [c.value for c in DecisionSubject] == list(DECISION_SUBJECTS) == list(decisions.SUBJECTS)


def test_a_subject_not_named_needs_one_approval(programme):
    assert _with_decisions(programme, "decisions: {contract: 3}").decisions == {
        "selection": 1, "contract": 3, "disbursement": 1, "acceptance": 1}
    assert _with_decisions(programme, "").decisions == dict.fromkeys(DECISION_SUBJECTS, 1)


@pytest.mark.parametrize(("line", "key"), [("decisions: {payment: 2}", "decisions.payment"),
                                           ("decisions: {contract: 0}", "decisions.contract"),
                                           ("decisions: {contract: -1}", "decisions.contract"),
                                           ("decisions: {contract: 1.5}", "decisions.contract"),
                                           ("decisions: {contract: true}", "decisions.contract"),
                                           ("decisions: [contract]", "decisions")])
def test_a_bad_decisions_section_names_the_key(programme, line, key):
    with pytest.raises(ProgrammeFileError) as err:
        _with_decisions(programme, line)
    assert err.value.key == key


# --- selection -----------------------------------------------------------------------------------------

@pytest.fixture
def draft(seed, loaded):
    seed.application("甲协会", scores=same("12", "8"))
    seed.application("乙协会", scores=same("10", "5"))
    return selections.save_draft(loaded.code, {"method": "by_count", "n": 1}, seed.office)


def test_counts_come_from_the_programme_file_at_proposal_time(draft, office_user, loaded, programme):
    decision = decisions.propose("selection", draft, office_user, "经主任办公会研究")
    assert decision.required == 2 and decision.is_pending
    # a later version asking one approval confirms at once; the open decision keeps its number
    load_programme_year(_with_decisions(programme, "decisions: {contract: 2}"))
    assert decisions.required_approvals("selection", loaded.code) == 1
    decision.refresh_from_db()
    assert decision.required == 2


def _under(programme, line: str, office_user) -> Selection:
    """A new programme version with ``line`` as its decisions section, and a draft saved under it."""
    row = load_programme_year(_with_decisions(programme, line)).row
    return selections.save_draft(row.code, {"method": "by_count", "n": 1}, office_user)


def test_one_approval_runs_the_effect_at_once(draft, office_user, programme):
    draft = _under(programme, "decisions: {contract: 2}", office_user)
    decision = decisions.propose("selection", draft, office_user, "经主任办公会研究")
    draft.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED and draft.confirmed_by == office_user
    assert AuditEvent.objects.filter(action="selection.confirm", changes__reason="经主任办公会研究").exists()


def test_the_proposer_counts_as_first_and_a_second_office_user_completes(draft, office_user,
                                                                          django_capture_on_commit_callbacks):
    other = second_office_user()
    with django_capture_on_commit_callbacks(execute=True):
        decision = decisions.propose("selection", draft, office_user, "经主任办公会研究")
    assert decisions.latest_for("selection", draft).approved_count == 1
    draft.refresh_from_db()
    assert draft.confirmed_at is None
    # the other office users are asked (inbox), not the proposer
    assert InboxNotice.objects.filter(user=other, key="decision.pending").exists()
    assert not InboxNotice.objects.filter(user=office_user, key="decision.pending").exists()
    decision = decisions.approve(decision, other, "同意")
    draft.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED and decision.decided_at is not None
    assert draft.is_confirmed and draft.confirmed_by == office_user  # in the proposer's name
    rows = list(decision.approvals.order_by("at", "pk").values_list("by__full_name", "verdict", "reason"))
    assert rows == [("赵办公室", "approve", "经主任办公会研究"), ("复核2", "approve", "同意")]
    assert set(AuditEvent.objects.filter(object_type="Decision").values_list("action", flat=True)) == {
        "decision.propose", "decision.approve", "decision.approved"}
    assert not AuditEvent.objects.filter(object_type="Decision").exclude(visibility="office").exists()


def test_the_same_person_cannot_approve_twice(draft, office_user, programme):
    draft = _under(programme, "decisions: {selection: 3}", office_user)
    decision = decisions.propose("selection", draft, office_user)
    with pytest.raises(decisions.DecisionRefused, match="已就该事项表示过意见"):
        decisions.approve(decision, office_user)
    other = second_office_user()
    decisions.approve(decision, other)
    with pytest.raises(decisions.DecisionRefused, match="已就该事项表示过意见"):
        decisions.approve(decision, other)
    assert Approval.objects.filter(decision=decision).count() == 2
    decision.refresh_from_db()
    assert decision.is_pending


def test_only_office_users_take_part(draft, office_user, seed, client):
    decision = decisions.propose("selection", draft, office_user)
    applicant = seed.make_user("outsider@example.org", organization=seed.make_org("外单位协会"))
    with pytest.raises(decisions.DecisionRefused, match="只有项目办公室人员"):
        decisions.approve(decision, applicant)
    with pytest.raises(decisions.DecisionRefused, match="只有项目办公室人员"):
        decisions.propose("selection", draft, applicant)
    client.force_login(applicant)
    url = reverse("office:decision", args=[decision.pk])
    assert client.post(url, {"action": "approve"}).status_code == 403
    assert client.get(url).status_code == 403
    assert client.get(reverse("office:decisions")).status_code == 403
    assert decision.approvals.count() == 1


def test_a_second_open_proposal_is_refused(draft, office_user):
    decisions.propose("selection", draft, office_user)
    with pytest.raises(decisions.DecisionRefused, match="已提请集体研究"):
        decisions.propose("selection", draft, second_office_user())
    assert Decision.objects.count() == 1


def test_request_changes_needs_a_reason_and_ends_the_decision(draft, office_user,
                                                              django_capture_on_commit_callbacks):
    other = second_office_user()
    decision = decisions.propose("selection", draft, office_user)
    with pytest.raises(decisions.DecisionInvalid) as err:
        decisions.request_changes(decision, other, "  ")
    assert "退回理由" in err.value.errors["reason"]
    with django_capture_on_commit_callbacks(execute=True):
        decision = decisions.request_changes(decision, other, "支持金额需再核")
    assert decision.status == DecisionStatus.CHANGES_REQUESTED
    assert InboxNotice.objects.filter(user=office_user, key="decision.returned", body__contains="支持金额需再核").exists()
    with pytest.raises(decisions.DecisionRefused, match="已结束"):
        decisions.approve(decision, second_office_user(3))
    draft.refresh_from_db()
    assert not draft.is_confirmed
    # the proposer may propose again: a new decision
    again = decisions.propose("selection", draft, office_user, "已核")
    assert again.pk != decision.pk and again.is_pending


def test_withdraw_by_the_proposer_only(draft, office_user):
    decision = decisions.propose("selection", draft, office_user)
    with pytest.raises(decisions.DecisionRefused, match="只有提请人"):
        decisions.withdraw(decision, second_office_user())
    decision = decisions.withdraw(decision, office_user)
    assert decision.status == DecisionStatus.WITHDRAWN
    assert decisions.pending_for("selection", draft) is None


def test_a_refusing_effect_changes_nothing(draft, seed, office_user):
    decision = decisions.propose("selection", draft, office_user)
    seed.application("后来者协会", scores=same("14", "10"))  # the ranking changes after the proposal
    with pytest.raises(decisions.DecisionRefused, match="变化"):
        decisions.approve(decision, second_office_user())
    decision.refresh_from_db()
    draft.refresh_from_db()
    assert decision.is_pending and decision.approvals.count() == 1 and not draft.is_confirmed
    assert not AuditEvent.objects.filter(action__in=["decision.approve", "selection.confirm"]).exists()


def test_a_proposal_the_effect_would_refuse_is_refused_at_once(seed, loaded, office_user):
    seed.application("甲协会", scores=same("10", "5"))
    seed.application("乙协会", scores=same("10", "5"))
    tie = selections.save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user)
    with pytest.raises(decisions.DecisionRefused, match="并列"):
        decisions.propose("selection", tie, office_user)
    assert not Decision.objects.exists()


def test_a_subject_without_an_effect_cannot_be_proposed(draft, office_user, monkeypatch):
    monkeypatch.delitem(decisions.EFFECTS, "acceptance")
    with pytest.raises(decisions.DecisionRefused, match="尚不能提请"):
        decisions.propose("acceptance", draft, office_user)
    with pytest.raises(ValueError):
        decisions.register("payment", Selection, lambda *a: None)


# --- pages -------------------------------------------------------------------------------------------

def test_pages_list_show_and_decide(draft, office_user, office_client, loaded):
    page = office_client.post(reverse("office:selection_confirm", args=[draft.pk]), {"reason": "经主任办公会研究"})
    assert page.status_code == 302
    decision = Decision.objects.get()
    detail = office_client.get(reverse("office:selection_detail", args=[draft.pk])).content.decode()
    assert "集体研究：已同意 1/2" in detail and 'data-testid="confirm-selection"' not in detail
    dashboard = office_client.get(reverse("office:dashboard")).content.decode()
    assert "1 项待集体研究" in dashboard
    listing = office_client.get(reverse("office:decisions")).content.decode()
    assert f'data-testid="decision-{decision.pk}"' in listing and "1/2" in listing and "赵办公室" in listing
    own = office_client.get(reverse("office:decision", args=[decision.pk]))
    html = own.content.decode()
    assert own["Cache-Control"] == "no-store"
    assert 'data-testid="decision-withdraw"' in html and 'data-testid="decision-approve"' not in html
    assert reverse("office:selection_detail", args=[draft.pk]) in html and "经主任办公会研究" in html
    other = Client()
    other.force_login(second_office_user())
    url = reverse("office:decision", args=[decision.pk])
    html = other.get(url).content.decode()
    assert 'data-testid="decision-approve"' in html and 'data-testid="decision-withdraw"' not in html
    # sending back without a reason: 422, the typed text kept (here: blank), the field named
    bad = other.post(url, {"action": "request_changes", "reason": ""})
    assert bad.status_code == 422 and "退回理由：请填写" in bad.content.decode()
    assert 'data-testid="error-summary"' in bad.content.decode()
    done = other.post(url, {"action": "approve", "reason": "同意公示"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.is_confirmed
    html = other.get(url).content.decode()
    assert "已同意" in html and "同意公示" in html and "复核2" in html
    assert "0 项待集体研究" in office_client.get(reverse("office:dashboard")).content.decode()


def test_request_changes_page_keeps_the_text_when_too_long(draft, office_user):
    decision = decisions.propose("selection", draft, office_user)
    other = Client()
    other.force_login(second_office_user())
    long = "理" * 600
    page = other.post(reverse("office:decision", args=[decision.pk]), {"action": "request_changes", "reason": long})
    assert page.status_code == 422 and long in page.content.decode()
    decision.refresh_from_db()
    assert decision.is_pending


# --- contract: the applicant sees only the outcome ------------------------------------------------------

@pytest.fixture
def published_app(loaded, make_org, make_user, office_user, settings):
    pipeline = Pipeline(make_org, make_user, office_user, loaded)
    app = pipeline.application("甲协会", same("12", "8"), records=[PRIOR, PLAN_K31])
    pipeline.application("乙协会", same("10", "5"), records=[PRIOR])
    pipeline.publish(settings)
    app.refresh_from_db()
    return app


def test_contract_is_proposed_until_approved_and_the_applicant_sees_only_the_outcome(
        published_app, office_user, django_capture_on_commit_callbacks):
    app = published_app
    approver = second_office_user()
    approver.full_name = "钱复核"
    approver.save(update_fields=["full_name"])
    applicant = Client()
    applicant.force_login(app.organization.memberships.first().user)
    with django_capture_on_commit_callbacks(execute=True):
        contract = contracts.record_contract(app, office_user, signed_on=dt.date(2025, 10, 10), amount=Decimal("15"),
                                             tranches=[TrancheInput(dt.date(2025, 10, 20), Decimal("15"))],
                                             note="经主任办公会研究")
    app.refresh_from_db()
    assert contract.status == ContractStatus.PROPOSED and contract.commitments.count() == 1
    assert app.status == workflow.PUBLISHED and app.contract_signed_on is None
    status = applicant.get(reverse("applications:status", args=[app.pk])).content.decode()
    assert 'data-testid="contract"' not in status
    # a second recording while the decision is open is refused
    with pytest.raises(contracts.ContractRefused, match="已提请集体研究"):
        contracts.record_contract(app, office_user, signed_on=dt.date(2025, 10, 10), amount=Decimal("15"),
                                  tranches=[TrancheInput(dt.date(2025, 10, 20), Decimal("15"))])
    with django_capture_on_commit_callbacks(execute=True):
        approve_pending("contract", contract, approver)
    contract.refresh_from_db()
    app.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED and app.status == workflow.CONTRACTED
    assert app.contract_signed_on == dt.date(2025, 10, 10)
    pages = [applicant.get(reverse(name, args=[app.pk])).content.decode()
             for name in ("applications:status", "applications:history")]
    pages.append(applicant.get(reverse("accounts:inbox")).content.decode())
    assert 'data-testid="contract"' in pages[0]
    for html in pages:
        assert "钱复核" not in html and "集体研究" not in html and "经主任办公会研究" not in html
    assert InboxNotice.objects.filter(user=app.organization.memberships.first().user,
                                      key="application.contracted").exists()
    assert not InboxNotice.objects.filter(user__membership__isnull=False, key__startswith="decision.").exists()


def test_a_contract_sent_back_is_changed_and_proposed_again(published_app, office_user, office_client):
    app = published_app
    good = {"signed_on": "2025-10-10", "amount": "15", "tranche1_planned_on": "2025-10-20", "tranche1_amount": "15",
            "note": "请研究"}
    assert office_client.post(reverse("office:contract_new", args=[app.pk]), good).status_code == 302
    contract = Contract.objects.get()
    page = office_client.get(reverse("office:contract", args=[app.pk])).content.decode()
    assert "集体研究：已同意 1/2" in page and "未生效" in page
    # while open, the form goes to the contract
    assert office_client.get(reverse("office:contract_new", args=[app.pk])).status_code == 302
    decisions.request_changes(decisions.pending_for("contract", contract), second_office_user(), "金额有误")
    page = office_client.get(reverse("office:contract", args=[app.pk])).content.decode()
    assert 'data-testid="contract-repropose"' in page
    form = office_client.get(reverse("office:contract_new", args=[app.pk])).content.decode()
    assert 'value="2025-10-10"' in form and 'data-testid="decision-status"' in form
    again = office_client.post(reverse("office:contract_new", args=[app.pk]), {**good, "amount": "12",
                                                                              "tranche1_amount": "12"})
    assert again.status_code == 302
    contract = Contract.objects.get()  # the same contract, as now typed
    assert contract.amount == Decimal("12") and contract.status == ContractStatus.PROPOSED
    first, second = Decision.objects.filter(subject="contract").order_by("pk")
    # each decision page shows the contract as it was proposed
    assert "合同金额（万元）</dt><dd>15" in office_client.get(reverse("office:decision", args=[first.pk])).content.decode()
    assert "合同金额（万元）</dt><dd>12" in office_client.get(reverse("office:decision", args=[second.pk])).content.decode()
    approve_pending("contract", contract)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
