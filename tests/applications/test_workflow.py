"""The declared workflow table (applications/domain/workflow.py) and its one transition function:
the table is consistent, every undeclared move is refused with a Chinese message and changes nothing,
a legal move writes one audit event in the same transaction and queues its notifications on commit,
and the applicant's status page draws its steps from the table."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from unittest import mock

import pytest
from django.db import transaction
from django.urls import reverse

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain import notifications, workflow
from zgcfund.applications.domain.workflow import PHASES, TRANSITIONS, TransitionRefused, transition
from zgcfund.applications.models import Application
from zgcfund.audit.models import AuditEvent, Visibility
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain.formal import decide

STAND_IN_PDF = b"%PDF-1.4\n%stand-in\n"

# --- the table -------------------------------------------------------------------------------------


def test_names_are_unique():
    assert len(PHASES) == len(workflow.PHASE_LIST)
    assert len(TRANSITIONS) == len(workflow.TRANSITION_LIST)
    actions = [t.action for t in workflow.TRANSITION_LIST]
    assert len(actions) == len(set(actions))
    assert [c[0] for c in workflow.PHASE_CHOICES] == list(PHASES)


def test_every_transition_joins_declared_phases_and_roles():
    for t in TRANSITIONS.values():
        assert t.sources and set(t.sources) <= set(PHASES), t.name
        assert t.target in PHASES and t.target not in t.sources, t.name
        assert t.roles and t.roles <= set(workflow.ROLE_NAMES), t.name
        assert t.visibility in Visibility.values, t.name
        assert all(key.startswith("application.") for key in t.notify), t.name
        assert str(t.label) and str(t.summary), t.name


def test_every_phase_is_reachable_from_draft():
    seen, todo = {workflow.DRAFT}, deque([workflow.DRAFT])
    while todo:
        for t in workflow.moves_from(todo.popleft()):
            if t.target not in seen:
                seen.add(t.target)
                todo.append(t.target)
    assert seen == set(PHASES)


def test_ends_are_declared_as_ends():
    ends = {name for name in PHASES if not workflow.moves_from(name)}
    assert ends == {workflow.NOT_SELECTED, workflow.ACCEPTED, workflow.FAILED, workflow.WITHDRAWN}


def test_phase_fields_agree_with_the_transitions():
    for name, p in PHASES.items():
        assert p.step is None or p.step in workflow.STEP_KEYS, name
        assert str(p.staff_name) and str(p.public_name) and str(p.description), name
        # what the applicant may do beyond editing is exactly the applicant's declared moves
        applicant_moves = {t.name for t in workflow.moves_from(name) if workflow.APPLICANT in t.roles}
        assert p.applicant_actions - {workflow.EDIT} == applicant_moves, name
    assert workflow.FORMAL_REVIEW_PHASES == (workflow.SUBMITTED,)
    assert workflow.EXPERT_REVIEW_PHASES == (workflow.FORMAL_PASSED, workflow.UNDER_REVIEW)


def test_progress_steps():
    def states(status):
        return [s["state"] for s in workflow.progress(status)]

    assert [str(s["label"]) for s in workflow.progress("draft")] == ["填报", "形式审查", "专家评审", "遴选与公示",
                                                                       "签约", "实施", "验收"]
    assert states("draft") == ["current"] + ["pending"] * 6
    assert states("returned") == ["current"] + ["pending"] * 6
    assert states("submitted") == ["done", "current"] + ["pending"] * 5
    assert states("formal_passed") == ["done", "done", "current"] + ["pending"] * 4
    assert states("under_review") == ["done", "done", "current"] + ["pending"] * 4
    assert states("accepted") == ["done"] * 7
    assert states("withdrawn") == ["pending"] * 7


def test_a_key_without_a_sender_is_logged_not_sent(caplog):
    with caplog.at_level("INFO", logger="zgcfund.notifications"):
        assert notifications.dispatch("application.not_a_declared_key", 1, None) is False
    assert "not implemented" in caplog.text


# --- the transition function ----------------------------------------------------------------------

DECLARED = {(source, t.name) for t in TRANSITIONS.values() for source in t.sources}
UNDECLARED = sorted((p, t) for p in PHASES for t in TRANSITIONS if (p, t) not in DECLARED)


@pytest.fixture
def actors(applicant, office_user):
    return {workflow.APPLICANT: applicant, workflow.OFFICE: office_user, workflow.SYSTEM: None}


def actor_for(move, actors):
    """An actor holding a role the move admits (so that only the phase can refuse it)."""
    return actors[sorted(move.roles)[0]]


def put(application, status):
    Application.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    return application


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "name"), UNDECLARED, ids=[f"{p}-{t}" for p, t in UNDECLARED])
def test_an_undeclared_move_is_refused_and_changes_nothing(application, actors, status, name):
    put(application, status)
    move, before = TRANSITIONS[name], application.lock_version
    actor = actor_for(move, actors)
    events = AuditEvent.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        transition(application, name, actor, reason="理由", n=1)
    phase = PHASES[status]
    shown = phase.public_name if workflow.role_of(actor, application) == workflow.APPLICANT else phase.staff_name
    assert refused.value.message == f"申报书当前状态为“{shown}”，不能{move.label}。"
    application.refresh_from_db()
    assert application.status == status and application.lock_version == before
    assert AuditEvent.objects.count() == events


LEGAL = sorted(DECLARED)


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "name"), LEGAL, ids=[f"{p}-{t}" for p, t in LEGAL])
def test_a_declared_move_writes_one_event_and_queues_its_notifications(
        application, actors, status, name, django_capture_on_commit_callbacks):
    put(application, status)
    move, before = TRANSITIONS[name], application.lock_version
    actor = actor_for(move, actors)
    earlier = list(AuditEvent.objects.values_list("pk", flat=True))
    with mock.patch.object(notifications, "dispatch") as dispatch, \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = transition(application, name, actor, reason="理由", n=2)
        assert dispatch.call_count == 0  # nothing is sent before the commit
    assert application.status == move.target  # updated in place
    application.refresh_from_db()
    assert application.status == move.target and application.lock_version == before + 1
    [only] = AuditEvent.objects.exclude(pk__in=earlier)
    assert only == event and only.action == move.action and only.visibility == move.visibility
    assert only.changes["phase"] == [status, move.target] and only.changes["transition"] == name
    assert only.summary == str(move.summary) % {"n": 2}
    assert len(callbacks) == len(move.notify)
    assert [c.args[0] for c in dispatch.call_args_list] == list(move.notify)
    assert all(c.args[1:] == (application.pk, event.pk) for c in dispatch.call_args_list)


@pytest.mark.django_db
def test_the_move_and_its_event_commit_or_roll_back_together(application, office_user,
                                                             django_capture_on_commit_callbacks):
    put(application, workflow.SUBMITTED)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            transition(application, "pass_formal", office_user, n=1)
            assert AuditEvent.objects.filter(action="formal.passed").count() == 1
            raise RuntimeError("later step fails")
    application.refresh_from_db()
    assert application.status == workflow.SUBMITTED and not AuditEvent.objects.filter(action="formal.passed").exists()
    assert callbacks == []  # no notification for a rolled-back move


@pytest.mark.django_db
def test_a_role_that_may_not_take_the_move_is_refused(application, applicant, other_applicant, office_user,
                                                      make_user):
    put(application, workflow.SUBMITTED)
    with pytest.raises(TransitionRefused) as refused:
        transition(application, "pass_formal", applicant, n=1)
    assert refused.value.message == "申报书当前状态为“已提交，待形式审查”；通过形式审查只能由项目办公室操作。"
    put(application, workflow.DRAFT)
    for outsider in (office_user, other_applicant, make_user("expert@zgc.example", role=Role.EXPERT), None):
        with pytest.raises(TransitionRefused, match="提交申报书只能由申报单位操作"):
            transition(application, "submit", outsider, n=1)
    application.refresh_from_db()
    assert application.status == workflow.DRAFT
    assert not AuditEvent.objects.filter(action__in=["formal.passed", "application.submit"]).exists()


@pytest.mark.django_db
def test_a_move_that_needs_a_reason_is_refused_without_one(application, applicant):
    with pytest.raises(TransitionRefused, match="请填写撤回申报书的理由"):
        transition(application, "withdraw", applicant, reason="  ")
    transition(application, "withdraw", applicant, reason="本年度不再申报")
    assert AuditEvent.objects.get(action="application.withdraw").changes["reason"] == "本年度不再申报"


# --- through the domain and the status page --------------------------------------------------------

@pytest.fixture
def submitted(submitted_application):
    return submitted_application


def steps_on(client, application):
    page = client.get(reverse("applications:status", args=[application.pk]))
    assert page.status_code == 200
    return [(str(s["label"]), s["state"]) for s in page.context["steps"]], page.content.decode()


STEP_LABELS = ["填报", "形式审查", "专家评审", "遴选与公示", "签约", "实施", "验收"]


@pytest.mark.django_db
def test_the_status_page_after_formal_review_and_assignment(client, submitted, applicant, office_user, make_user):
    assert submitted.status == workflow.SUBMITTED
    assert AuditEvent.objects.filter(application=submitted, action="application.submit").count() == 1
    client.force_login(applicant)
    steps, html = steps_on(client, submitted)
    assert steps == list(zip(STEP_LABELS, ["done", "current"] + ["pending"] * 5, strict=True))

    decide(submitted, office_user, "passed", "材料齐全", {})
    submitted.refresh_from_db()
    assert submitted.status == workflow.FORMAL_PASSED
    steps, html = steps_on(client, submitted)
    assert steps == list(zip(STEP_LABELS, ["done", "done", "current"] + ["pending"] * 4, strict=True))
    assert "形式审查通过，待专家评审" in html
    assert '<li class="is-done" data-step="formal" data-state="done">' in html
    assert 'data-step="expert" data-state="current" aria-current="step"' in html

    experts = [make_user(f"expert{i}@zgc.example", role=Role.EXPERT, full_name=f"专家{i}") for i in (1, 2)]
    assigning.assign(submitted, experts[:1], office_user)
    submitted.refresh_from_db()
    assert submitted.status == workflow.UNDER_REVIEW
    [start] = AuditEvent.objects.filter(application=submitted, action="review.start")
    assert start.visibility == Visibility.ORGANIZATION and start.summary == "进入专家评审"
    assigning.assign(submitted, experts[1:], office_user)  # still assignable, no second move
    assert AuditEvent.objects.filter(application=submitted, action="review.start").count() == 1
    assert submitted.assignments.count() == 2
    steps, html = steps_on(client, submitted)
    assert steps == list(zip(STEP_LABELS, ["done", "done", "current"] + ["pending"] * 4, strict=True))
    assert "专家评审中" in html


@pytest.mark.django_db
def test_formal_review_refuses_a_second_decision(submitted, office_user):
    decide(submitted, office_user, "returned", "请补充材料", {})
    submitted.refresh_from_db()
    assert submitted.status == workflow.RETURNED
    event = AuditEvent.objects.get(application=submitted, action="formal.returned")
    assert event.changes["phase"] == ["submitted", "returned"] and event.changes["comment"] == "请补充材料"


@pytest.mark.django_db
def test_withdrawing_needs_a_reason_and_a_confirmation_and_keeps_what_was_typed(client, submitted, applicant):
    client.force_login(applicant)
    target = reverse("applications:withdraw", args=[submitted.pk])
    page = client.post(target, {"reason": "本年度工作调整"})
    html = page.content.decode()
    assert page.status_code == 422 and "我确认撤回本申报书" in html and "本年度工作调整" in html
    page = client.post(target, {"confirm": "on"})
    assert page.status_code == 422 and "撤回理由：请填写" in page.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == workflow.SUBMITTED
    assert client.post(target, {"reason": "本年度工作调整", "confirm": "on"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == workflow.WITHDRAWN
    event = AuditEvent.objects.get(application=submitted, action="application.withdraw")
    assert event.changes["reason"] == "本年度工作调整" and event.actor == applicant
    steps, html = steps_on(client, submitted)
    assert 'data-testid="withdraw"' not in html and "已撤回" in html
    assert [state for _label, state in steps] == ["pending"] * 7


@pytest.mark.django_db
def test_withdrawing_is_the_organizations_and_only_while_the_table_allows(client, submitted, other_applicant,
                                                                          office_user, applicant):
    target = reverse("applications:withdraw", args=[submitted.pk])
    for outsider in (other_applicant, office_user):
        client.force_login(outsider)
        assert client.post(target, {"reason": "x", "confirm": "on"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == workflow.SUBMITTED
    put(submitted, workflow.SELECTED)
    client.force_login(applicant)
    steps, html = steps_on(client, submitted)
    assert 'data-testid="withdraw"' not in html and "入选，公示中" in html
    assert [state for _label, state in steps] == ["done"] * 3 + ["current"] + ["pending"] * 3
    page = client.post(target, {"reason": "x", "confirm": "on"})
    assert page.status_code == 422 and "不能撤回申报书" in page.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == workflow.SELECTED


def test_record_phase_names_are_the_official_texts_in_one_table():
    from zgcfund.applications.interfaces.excel import PHASE_LABELS
    from zgcfund.applications.models import RecordPhase
    from zgcfund.core.application import PHASES as CORE_PHASES

    official = (Path(__file__).parents[2] / "docs/policy/2025-zgc-social-org-support.zh.txt").read_text(encoding="utf-8")
    assert {k: str(v) for k, v in RecordPhase.choices} == CORE_PHASES == PHASE_LABELS
    assert all(name in official for name in CORE_PHASES.values())  # 前期工作绩效, 实施期内工作计划
