"""The office's collective decisions (集体研究): the decisions that commit public money — confirming a
selection, a contract, a disbursement, an acceptance conclusion — need as many office approvals as the
programme file's ``decisions`` section says (core ``Programme.approvals_needed``; the proposer's proposal
counts as the first). Each approval or request for changes is recorded with who, when and why, audited
for the office only; the applicant learns only the outcome, from the effect's own transition and notice.

What a subject does once approved is its *effect*, registered by the app that owns the object (one line,
in its ``AppConfig.ready``)::

    decisions.register("contract", Contract, sign_contract, refusals=(ContractRefused,), url=..., summary=...)

The effect runs in the transaction of the approval that completes the decision, with the decision row
locked: when it refuses, nothing changes and the approver reads its reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zgcfund.applications.domain.workflow import TransitionRefused
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.core.programme import DECISION_SUBJECTS
from zgcfund.programmes.domain import clock, current_version, parsed
from zgcfund.review.domain import notify
from zgcfund.review.models import Approval, Decision, DecisionStatus, Verdict


class DecisionRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class DecisionInvalid(Exception):
    """Form errors keyed by field name (``reason``)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class Subject:
    name: str
    label: Any   # Chinese, lazy
    effect: Any  # what approval does, Chinese, lazy


#: the declared subjects, in the order of the programme's life
SUBJECTS: dict[str, Subject] = {s.name: s for s in (
    Subject("selection", gettext_lazy("确认遴选结果"), gettext_lazy("遴选结果确认，此后不能修改，可以公示。")),
    Subject("contract", gettext_lazy("签订支持合同"),
            gettext_lazy("合同生效：申报转入“已签约”，申报单位收到通知并看到合同和实施承诺。")),
    Subject("disbursement", gettext_lazy("拨付资金"),
            gettext_lazy("拨付获批准：财务人员登记实际拨付（日期、凭证号）后计入已拨付。")),
    Subject("acceptance", gettext_lazy("验收结论"),
            gettext_lazy("验收结论生效：申报转入“验收通过”或“验收未通过”，申报单位收到通知。")),
)}
assert tuple(SUBJECTS) == DECISION_SUBJECTS


def _application_of(obj) -> Any:
    """The application an object belongs to (``obj.application`` or ``obj.contract.application``), or None."""
    for path in (("application",), ("contract", "application")):
        target = obj
        for name in path:
            target = getattr(target, name, None)
        if target is not None:
            return target
    return None


@dataclass(frozen=True)
class Effect:
    """A subject's slot, filled by the app owning its objects."""
    model: type
    #: ``run(obj, by, decision)``: the change the approved decision makes, in the proposer's name (``by``; the
    #: approver who completed it when the proposer is no longer an active office user)
    run: Callable[[Any, Any, Decision], Any]
    #: exceptions (with a Chinese ``message``) by which ``run`` or ``check`` refuses
    refusals: tuple[type[Exception], ...] = ()
    #: ``check(obj)`` → why it cannot be proposed now (None: it can); ``run`` checks again at the end
    check: Callable[[Any], str | None] | None = None
    #: ``ended(obj, by, decision)``: what the object becomes when the decision ends unapproved (sent back,
    #: withdrawn), in that transaction; None: nothing changes
    ended: Callable[[Any, Any, Decision], Any] | None = None
    #: the object's office page, its label, and its summary lines ``[(label, text)]`` for the decision page
    url: Callable[[Any], str] | None = None
    label: Callable[[Any], str] = str
    summary: Callable[[Any], list[tuple[str, str]]] | None = None
    application: Callable[[Any], Any] = _application_of
    programme_code: Callable[[Any], str] | None = None

    def code_of(self, obj) -> str:
        if self.programme_code is not None:
            return self.programme_code(obj)
        app = self.application(obj)
        return app.programme_code if app is not None else getattr(obj, "code", "")


#: subject → its effect (empty until the owning app registers it)
EFFECTS: dict[str, Effect] = {}


def register(subject: str, model: type, run: Callable[[Any, Any, Decision], Any], **options) -> None:
    """Fill ``subject``'s slot: ``model`` is its objects' model, ``run(obj, by, decision)`` its effect;
    ``options`` as ``Effect`` (refusals, check, ended, url, label, summary, application, programme_code)."""
    if subject not in SUBJECTS:
        raise ValueError(f"unknown decision subject {subject!r}")
    EFFECTS[subject] = Effect(model, run, **options)


def _effect(subject: str) -> Effect:
    effect = EFFECTS.get(subject)
    if effect is None:
        raise DecisionRefused(_("“%(subject)s”尚不能提请集体研究。") % {"subject": SUBJECTS[subject].label
                                                                   if subject in SUBJECTS else subject})
    return effect


# --- what the pages ask ------------------------------------------------------------------------------

def required_approvals(subject: str, code: str) -> int:
    """The approvals the programme ``code``'s current file asks for ``subject`` (1 when nothing is loaded)."""
    row = current_version(code)
    return parsed(row).approvals_needed(subject) if row is not None else 1


def with_counts(decisions):
    return decisions.annotate(approved_count=Count("approvals", filter=Q(approvals__verdict=Verdict.APPROVE)))


def pending(code: str | None = None):
    """The open decisions (oldest first), each with ``approved_count``."""
    qs = Decision.objects.filter(status=DecisionStatus.PENDING).select_related("proposed_by")
    if code:
        qs = qs.filter(programme_code=code)
    return with_counts(qs).order_by("proposed_at", "pk")


def pending_count(code: str | None = None) -> int:
    qs = Decision.objects.filter(status=DecisionStatus.PENDING)
    return (qs.filter(programme_code=code) if code else qs).count()


def latest_for(subject: str, obj) -> Decision | None:
    """The latest decision about ``obj`` (open or ended), with ``approved_count``; None if never proposed."""
    return (with_counts(Decision.objects.filter(subject=subject, object_id=obj.pk)).select_related("proposed_by")
            .order_by("-proposed_at", "-pk").first())


def pending_for(subject: str, obj) -> Decision | None:
    decision = latest_for(subject, obj)
    return decision if decision is not None and decision.is_pending else None


def target(decision: Decision):
    """The object the decision is about, or None when it no longer exists or its subject is not registered."""
    effect = EFFECTS.get(decision.subject)
    if effect is None:
        return None
    return effect.model._default_manager.filter(pk=decision.object_id).first()


def describe(decision: Decision) -> dict:
    """The decision page's view of its object: ``{"object", "url", "summary"}``; the summary as proposed
    (``payload["summary"]``, kept when the object is changed and proposed again)."""
    obj = target(decision)
    effect = EFFECTS.get(decision.subject)
    summary = [tuple(row) for row in (decision.payload or {}).get("summary", [])]
    if obj is None or effect is None:
        return {"object": None, "url": "", "summary": summary}
    return {"object": obj, "url": effect.url(obj) if effect.url else "",
            "summary": summary or (effect.summary(obj) if effect.summary else [])}


def approvals(decision: Decision):
    return decision.approvals.select_related("by").order_by("at", "pk")


def can_vote(decision: Decision, user) -> bool:
    return (decision.is_pending and getattr(user, "is_office", False)
            and not decision.approvals.filter(by=user).exists())


# --- proposing and deciding ----------------------------------------------------------------------------

def _office(by) -> None:
    if not getattr(by, "is_authenticated", False) or not getattr(by, "is_office", False):
        raise DecisionRefused(_("只有项目办公室人员可以参与集体研究。"))


def _reason_problem(label: str, text: str) -> str | None:
    return bounds.length_problem(label, text, "reason")


def _audit(action: str, summary: str, decision: Decision, by, obj=None, **changes) -> None:
    effect = EFFECTS.get(decision.subject)
    application = effect.application(obj) if effect is not None and obj is not None else None
    record_event(action, summary, actor=by, application=application, obj=decision,
                 changes={"subject": decision.subject, "object_id": decision.object_id, **changes},
                 visibility=Visibility.OFFICE)


def propose(subject: str, obj, by, note: str = "") -> Decision:
    """Put ``obj`` to the collective decision on ``subject``. The proposal is the proposer's approval; when
    the programme asks for one approval only, the effect runs at once (in this transaction). Raises
    DecisionRefused (not an office user, the subject's check refuses, already proposed and open) or
    DecisionInvalid (the note too long)."""
    effect = _effect(subject)
    _office(by)
    note = (note or "").strip()
    too_long = _reason_problem(_("提请说明"), note)
    if too_long:
        raise DecisionInvalid({"note": too_long})
    if effect.check is not None:
        try:
            refusal = effect.check(obj)
        except effect.refusals as exc:
            refusal = exc.message
        if refusal:
            raise DecisionRefused(refusal)
    code = effect.code_of(obj)
    required = required_approvals(subject, code)
    now = clock.now()
    with transaction.atomic():
        if Decision.objects.filter(subject=subject, object_id=obj.pk, status=DecisionStatus.PENDING).exists():
            raise DecisionRefused(_("该事项已提请集体研究，尚待研究结果。"))
        try:
            with transaction.atomic():
                decision = Decision.objects.create(
                    subject=subject, programme_code=code, object_id=obj.pk, object_label=str(effect.label(obj))[:200],
                    payload={"summary": [[str(k), str(v)] for k, v in effect.summary(obj)] if effect.summary else []},
                    proposed_by=by, proposed_at=now, note=note, required=required)
        except IntegrityError:
            raise DecisionRefused(_("该事项已提请集体研究，尚待研究结果。")) from None
        Approval.objects.create(decision=decision, by=by, verdict=Verdict.APPROVE, reason=note, at=now)
        _audit("decision.propose", _("提请集体研究：%(subject)s（%(object)s），需 %(n)s 人同意")
               % {"subject": SUBJECTS[subject].label, "object": decision.object_label, "n": required},
               decision, by, obj, required=required, note=note)
        if required <= 1:
            _conclude(decision, by)
        else:
            notify.on_commit("decision.pending", notify.send_decision_pending, decision.pk)
    return decision


def _locked(decision: Decision) -> Decision:
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if not decision.is_pending:
        raise DecisionRefused(_("该事项的集体研究已结束（%(status)s）。") % {"status": decision.get_status_display()})
    return decision


def _not_yet_voted(decision: Decision, by) -> None:
    if decision.approvals.filter(by=by).exists():
        raise DecisionRefused(_("您已就该事项表示过意见（提请人计为第一名同意人），须由其他项目办公室人员研究。"))


def _conclude(decision: Decision, by) -> None:
    """Approved: run the effect under the decision's lock; a refusal undoes the whole transaction."""
    effect = _effect(decision.subject)
    obj = effect.model._default_manager.filter(pk=decision.object_id).first()
    if obj is None:
        raise DecisionRefused(_("该事项所涉对象已不存在。"))
    decision.status = DecisionStatus.APPROVED
    decision.decided_at = clock.now()
    decision.save(update_fields=["status", "decided_at"])
    actor = decision.proposed_by if decision.proposed_by.is_office else by
    try:
        effect.run(obj, actor, decision)
    except (DecisionRefused, TransitionRefused, *effect.refusals) as exc:
        raise DecisionRefused(exc.message) from None
    _audit("decision.approved", _("集体研究同意：%(subject)s（%(object)s）")
           % {"subject": SUBJECTS[decision.subject].label, "object": decision.object_label}, decision, by, obj)


def approve(decision: Decision, by, reason: str = "") -> Decision:
    """``by`` (an office user other than those who have already given their view) approves; when the
    approvals reach the number required, the decision is approved and its effect runs in this transaction.
    Raises DecisionRefused; then nothing changes."""
    _office(by)
    reason = (reason or "").strip()
    too_long = _reason_problem(_("意见说明"), reason)
    if too_long:
        raise DecisionInvalid({"reason": too_long})
    with transaction.atomic():
        decision = _locked(decision)
        _not_yet_voted(decision, by)
        Approval.objects.create(decision=decision, by=by, verdict=Verdict.APPROVE, reason=reason, at=clock.now())
        count = decision.approvals.filter(verdict=Verdict.APPROVE).count()
        obj = target(decision)
        _audit("decision.approve", _("集体研究：同意（%(n)s/%(required)s）%(subject)s（%(object)s）")
               % {"n": count, "required": decision.required, "subject": SUBJECTS[decision.subject].label,
                  "object": decision.object_label}, decision, by, obj, approvals=count, reason=reason)
        if count >= decision.required:
            _conclude(decision, by)
    return decision


def _ended(decision: Decision, by, obj) -> None:
    """The decision ended unapproved: the subject's ``ended`` hook, if any, puts its object back."""
    effect = EFFECTS.get(decision.subject)
    if effect is not None and effect.ended is not None and obj is not None:
        effect.ended(obj, by, decision)


def request_changes(decision: Decision, by, reason: str) -> Decision:
    """``by`` sends the proposal back: the decision ends (``changes_requested``); the proposer may propose
    again (a new decision). The reason is required. Raises DecisionInvalid or DecisionRefused."""
    _office(by)
    reason = (reason or "").strip()
    if not reason:
        raise DecisionInvalid({"reason": _("退回理由：请填写退回修改的理由。")})
    too_long = _reason_problem(_("退回理由"), reason)
    if too_long:
        raise DecisionInvalid({"reason": too_long})
    with transaction.atomic():
        decision = _locked(decision)
        _not_yet_voted(decision, by)
        now = clock.now()
        Approval.objects.create(decision=decision, by=by, verdict=Verdict.REQUEST_CHANGES, reason=reason, at=now)
        decision.status = DecisionStatus.CHANGES_REQUESTED
        decision.decided_at = now
        decision.save(update_fields=["status", "decided_at"])
        obj = target(decision)
        _audit("decision.request_changes", _("集体研究：退回修改 %(subject)s（%(object)s）：%(reason)s")
               % {"subject": SUBJECTS[decision.subject].label, "object": decision.object_label, "reason": reason},
               decision, by, obj, reason=reason)
        _ended(decision, by, obj)
        notify.on_commit("decision.returned", notify.send_decision_returned, decision.pk)
    return decision


def withdraw(decision: Decision, by) -> Decision:
    """The proposer withdraws an open proposal."""
    _office(by)
    with transaction.atomic():
        decision = _locked(decision)
        if decision.proposed_by_id != by.pk:
            raise DecisionRefused(_("只有提请人可以撤回。"))
        decision.status = DecisionStatus.WITHDRAWN
        decision.decided_at = clock.now()
        decision.save(update_fields=["status", "decided_at"])
        obj = target(decision)
        _audit("decision.withdraw", _("撤回集体研究提请：%(subject)s（%(object)s）")
               % {"subject": SUBJECTS[decision.subject].label, "object": decision.object_label},
               decision, by, obj)
        _ended(decision, by, obj)
    return decision
