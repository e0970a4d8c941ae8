"""The application's lifecycle as a declared table: its phases, the steps of the applicant's progress
bar, and the transitions between phases (who may take each, what is audited, what is notified).

Every status change goes through :func:`transition`; code asks the table (``phase(...)``,
``allows(...)``, the ``*_PHASES`` tuples and queryset helpers), never compares status names. Later
stages (selection, contract, implementation, acceptance) plug their features into the phases and
transitions declared here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from zgcfund.accounts.rules import is_member_of_organization, is_office, is_signed_in
from zgcfund.audit.models import Visibility

log = logging.getLogger(__name__)

# --- the applicant's progress bar ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    label: str


STEPS: tuple[Step, ...] = (
    Step("filling", _("填报")),
    Step("formal", _("形式审查")),
    Step("expert", _("专家评审")),
    Step("selection", _("遴选与公示")),
    Step("contract", _("签约")),
    Step("implementation", _("实施")),
    Step("acceptance", _("验收")),
)
STEP_KEYS = tuple(s.key for s in STEPS)

# --- phases ----------------------------------------------------------------------------------------

# What an applicant member may do in a phase ("edit" the application, or take the transition of that name).
EDIT, SUBMIT, WITHDRAW = "edit", "submit", "withdraw"


@dataclass(frozen=True)
class Phase:
    name: str
    staff_name: str
    public_name: str  # what the applicant (and any public page) sees
    description: str  # for the applicant
    step: str | None  # the progress-bar step it belongs to (None: off the bar, e.g. withdrawn)
    applicant_actions: frozenset[str] = frozenset()
    step_done: bool = False  # the phase completes its step (the bar shows it done, not current)
    window_bound: bool = False  # first filling: editing and submitting stop when the application window closes
    formal_review: bool = False  # in the office's formal-review queue
    expert_review: bool = False  # experts may be assigned; listed for assignment
    ranked: bool = False  # in the programme's ranking and selection

    @property
    def applicant_can_edit(self) -> bool:
        return EDIT in self.applicant_actions

    @property
    def applicant_can_submit(self) -> bool:
        return SUBMIT in self.applicant_actions

    @property
    def applicant_can_withdraw(self) -> bool:
        return WITHDRAW in self.applicant_actions


DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
FORMAL_PASSED = "formal_passed"
UNDER_REVIEW = "under_review"
SELECTED = "selected"
NOT_SELECTED = "not_selected"
PUBLISHED = "published"
CONTRACTED = "contracted"
IMPLEMENTING = "implementing"
REPORTING = "reporting"
ACCEPTED = "accepted"
FAILED = "failed"
WITHDRAWN = "withdrawn"

_FILLING = frozenset({EDIT, SUBMIT, WITHDRAW})

PHASE_LIST: tuple[Phase, ...] = (
    Phase(DRAFT, _("草稿"), _("填报中"), _("申报书尚未提交，可随时修改。"), "filling",
          _FILLING, window_bound=True),
    Phase(SUBMITTED, _("待形式审查"), _("已提交，待形式审查"), _("申报书已提交并锁定；项目办公室退回前不能修改。"),
          "formal", frozenset({WITHDRAW}), formal_review=True),
    Phase(RETURNED, _("已退回修改"), _("退回修改"), _("项目办公室已退回申报书，请按意见修改后重新提交。"), "filling",
          _FILLING),
    Phase(FORMAL_PASSED, _("待专家评审"), _("形式审查通过，待专家评审"), _("申报书已通过形式审查，进入专家评审。"),
          "expert", frozenset({WITHDRAW}), expert_review=True, ranked=True),
    Phase(UNDER_REVIEW, _("专家评审中"), _("专家评审中"), _("评审专家正在评审申报书。"),
          "expert", frozenset({WITHDRAW}), expert_review=True, ranked=True),
    Phase(SELECTED, _("入选（公示中）"), _("入选，公示中"), _("申报书已入选，遴选结果正在公示。"),
          "selection", ranked=True),
    Phase(NOT_SELECTED, _("未入选"), _("未入选"), _("申报书未入选本次支持项目。"), "selection", ranked=True),
    Phase(PUBLISHED, _("公示期满，待签约"), _("公示期满，待签订合同"),
          _("遴选结果公示期满，项目办公室将与本单位签订支持合同。"), "contract", ranked=True),
    Phase(CONTRACTED, _("已签约"), _("已签订合同"), _("支持合同已签订，等待开始实施。"), "implementation"),
    Phase(IMPLEMENTING, _("实施中"), _("实施中"), _("项目实施中，请按计划开展工作并保留支撑材料。"), "implementation"),
    Phase(REPORTING, _("待验收"), _("提交验收材料"), _("实施期已结束，请提交实施期报告和支撑材料，等待验收。"),
          "acceptance"),
    Phase(ACCEPTED, _("验收通过"), _("验收通过"), _("项目已通过验收。"), "acceptance", step_done=True),
    Phase(FAILED, _("验收未通过"), _("验收未通过"), _("项目未通过验收，意见见项目办公室的通知。"), "acceptance"),
    Phase(WITHDRAWN, _("已撤回"), _("已撤回"), _("本单位已撤回申报书。"), None),
)
PHASES: dict[str, Phase] = {p.name: p for p in PHASE_LIST}

PHASE_CHOICES = [(p.name, p.staff_name) for p in PHASES.values()]


def phase(name: str) -> Phase:
    return PHASES[name]


def names_where(test: Callable[[Phase], bool]) -> tuple[str, ...]:
    """The phase names (status values) whose phase passes ``test``, in table order."""
    return tuple(name for name, p in PHASES.items() if test(p))


FORMAL_REVIEW_PHASES = names_where(lambda p: p.formal_review)
EXPERT_REVIEW_PHASES = names_where(lambda p: p.expert_review)
RANKED_PHASES = names_where(lambda p: p.ranked)


# --- transitions -----------------------------------------------------------------------------------

APPLICANT, OFFICE, SYSTEM = "applicant", "office", "system"  # a member of the applying organization; office; no user
ROLE_NAMES = {APPLICANT: _("申报单位"), OFFICE: _("项目办公室"), SYSTEM: _("系统")}


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    label: str  # the move as a verb phrase ("提交申报书"), for refusals and the history
    action: str  # the audit action
    summary: str  # the audit summary; %(key)s placeholders are filled from transition()'s context
    visibility: str  # who besides the office reads the audit entry (Visibility)
    notify: tuple[str, ...] = ()  # notification keys queued on commit (notifications.dispatch)
    needs_reason: bool = False


_ORG, _OFFICE_ONLY = Visibility.ORGANIZATION, Visibility.OFFICE

TRANSITION_LIST: tuple[Transition, ...] = (
    Transition("submit", (DRAFT, RETURNED), SUBMITTED, frozenset({APPLICANT}), _("提交申报书"),
               "application.submit", _("提交申报书（第 %(n)s 次提交）"), _ORG, ("application.submitted",)),
    Transition("pass_formal", (SUBMITTED,), FORMAL_PASSED, frozenset({OFFICE}), _("通过形式审查"),
               "formal.passed", _("形式审查通过（第 %(n)s 次提交）"), _ORG, ("application.formal_passed",)),
    Transition("return_formal", (SUBMITTED,), RETURNED, frozenset({OFFICE}), _("退回修改"),
               "formal.returned", _("形式审查退回修改（第 %(n)s 次提交）"), _ORG, ("application.returned",)),
    Transition("start_review", (FORMAL_PASSED,), UNDER_REVIEW, frozenset({OFFICE}), _("开始专家评审"),
               "review.start", _("进入专家评审"), _ORG),
    Transition("stop_review", (UNDER_REVIEW,), FORMAL_PASSED, frozenset({OFFICE, SYSTEM}), _("退回待专家评审"),
               "review.stop", _("待重新安排专家评审"), _ORG),
    # at publication (公示) every application the confirmed selection lists takes one of these two
    Transition("select", (FORMAL_PASSED, UNDER_REVIEW), SELECTED, frozenset({OFFICE}), _("确定入选"),
               "selection.selected", _("遴选结果：入选"), _ORG, ("application.selected",)),
    Transition("not_select", (FORMAL_PASSED, UNDER_REVIEW), NOT_SELECTED, frozenset({OFFICE}), _("确定未入选"),
               "selection.not_selected", _("遴选结果：未入选"), _ORG, ("application.not_selected",)),
    Transition("publish", (SELECTED,), PUBLISHED, frozenset({OFFICE, SYSTEM}), _("结束公示"),
               "selection.notice_ended", _("遴选结果公示期满"), _ORG, ("application.published",)),
    Transition("sign_contract", (PUBLISHED,), CONTRACTED, frozenset({OFFICE}), _("签订合同"),
               "contract.sign", _("签订支持合同"), _ORG, ("application.contracted",)),
    Transition("start_implementation", (CONTRACTED,), IMPLEMENTING, frozenset({OFFICE, SYSTEM}), _("开始实施"),
               "implementation.start", _("开始实施"), _ORG),
    Transition("request_report", (IMPLEMENTING,), REPORTING, frozenset({OFFICE, SYSTEM}), _("进入验收"),
               "implementation.report_due", _("实施期结束，待提交验收材料"), _ORG, ("application.report_due",)),
    Transition("accept", (REPORTING,), ACCEPTED, frozenset({OFFICE}), _("通过验收"),
               "acceptance.passed", _("验收通过"), _ORG, ("application.accepted",)),
    Transition("fail", (REPORTING,), FAILED, frozenset({OFFICE}), _("判定验收未通过"),
               "acceptance.failed", _("验收未通过"), _ORG, ("application.failed",), needs_reason=True),
    Transition("withdraw", (DRAFT, SUBMITTED, RETURNED, FORMAL_PASSED, UNDER_REVIEW), WITHDRAWN,
               frozenset({APPLICANT}), _("撤回申报书"), "application.withdraw", _("撤回申报书"), _ORG,
               ("application.withdrawn",), needs_reason=True),
)
TRANSITIONS: dict[str, Transition] = {t.name: t for t in TRANSITION_LIST}


def transition_named(name: str) -> Transition:
    return TRANSITIONS[name]


def moves_from(phase_name: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if phase_name in t.sources]


def allows(application, name: str) -> bool:
    """Whether the transition ``name`` is declared from the application's current phase (roles aside)."""
    return application.status in TRANSITIONS[name].sources


def reached_by(application, name: str) -> bool:
    """Whether the application is in the phase the transition ``name`` leads to."""
    return application.status == TRANSITIONS[name].target


def action_label(action: str) -> str | None:
    """The move's label for an audit action a transition writes (None when no transition writes it)."""
    for t in TRANSITIONS.values():
        if t.action == action:
            return t.label
    return None


def role_of(actor, application) -> str | None:
    """The workflow role ``actor`` holds for ``application``: None for the system, else applicant
    (an active member of its organization) or office; None when it holds neither."""
    if actor is None:
        return SYSTEM
    if not is_signed_in(actor):
        return None
    if is_office(actor):
        return OFFICE
    if is_member_of_organization(actor, application.organization):
        return APPLICANT
    return None


class TransitionRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _phase_name_for(role: str | None, p: Phase) -> str:
    return str(p.public_name if role == APPLICANT else p.staff_name)


def refusal(application, name: str, actor, reason: str | None = None) -> str | None:
    """Why ``actor`` may not take transition ``name`` now (None when it may); ``reason`` is checked
    only when given."""
    move = TRANSITIONS[name]
    role = role_of(actor, application)
    current = _phase_name_for(role, PHASES[application.status])
    if application.status not in move.sources:
        return _g("申报书当前状态为“%(phase)s”，不能%(move)s。") % {"phase": current, "move": move.label}
    if role not in move.roles:
        roles = pgettext("list separator", "、").join(str(ROLE_NAMES[r]) for r in sorted(move.roles))
        return _g("申报书当前状态为“%(phase)s”；%(move)s只能由%(roles)s操作。") % {
            "phase": current, "move": move.label, "roles": roles}
    if move.needs_reason and reason is not None and not reason.strip():
        return _g("请填写%(move)s的理由。") % {"move": move.label}
    return None


def can(application, name: str, actor) -> bool:
    return refusal(application, name, actor) is None


def transition(application, name: str, actor, *, reason: str = "", obj=None, changes: dict | None = None,
               **context):
    """Move ``application`` by the declared transition ``name``: lock the row, check the move and the
    actor's role, set the status (and bump ``lock_version``), write the audit event in the same
    transaction and queue the declared notifications on commit. ``context`` fills the audit summary;
    ``obj`` and ``changes`` go to the audit event. Raises TransitionRefused (nothing changes).
    Returns the audit event; ``application`` is updated in place."""
    from zgcfund.applications.domain import notifications
    from zgcfund.applications.models import Application
    from zgcfund.audit.domain import record_event

    move = TRANSITIONS[name]
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("organization").get(pk=application.pk)
        problem = refusal(app, name, actor, reason)
        if problem:
            raise TransitionRefused(problem)
        before = app.status
        app.status = move.target
        app.lock_version += 1
        app.save(update_fields=["status", "lock_version", "updated_at"])
        details = {**(changes or {}), "phase": [before, move.target], "transition": name}
        if reason:
            details["reason"] = reason
        event = record_event(move.action, str(move.summary) % context, actor=actor, application=app,
                             obj=app if obj is None else obj, changes=details, visibility=move.visibility)
        for key in move.notify:
            transaction.on_commit(partial(notifications.dispatch, key, app.pk, event.pk), robust=True)
    application.status, application.lock_version, application.updated_at = app.status, app.lock_version, app.updated_at
    return event


# --- questions the pages ask ----------------------------------------------------------------------------


def progress(status: str) -> list[dict]:
    """The applicant's progress bar for a phase: ``[{"label", "state"}]`` with state done / current / pending."""
    p = PHASES[status]
    here = STEP_KEYS.index(p.step) if p.step else -1
    out = []
    for i, step in enumerate(STEPS):
        if here < 0 or i > here:
            state = "pending"
        elif i < here or p.step_done:
            state = "done"
        else:
            state = "current"
        out.append({"key": step.key, "label": step.label, "state": state})
    return out


def awaiting_formal_review():
    from zgcfund.applications.models import Application

    return Application.objects.filter(status__in=FORMAL_REVIEW_PHASES)


def in_expert_review():
    from zgcfund.applications.models import Application

    return Application.objects.filter(status__in=EXPERT_REVIEW_PHASES)
