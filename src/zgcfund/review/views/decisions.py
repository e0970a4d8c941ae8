"""Office pages for the collective decisions (集体研究): the open proposals, and one decision with its
object, the views given so far, and the buttons to approve, send back (reason required) or withdraw."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zgcfund.accounts.views.access import require_perm
from zgcfund.review.domain import decisions as domain
from zgcfund.review.models import Decision, DecisionStatus

view_decisions = require_perm("review.view_decisions")
RECENT = 20


@view_decisions
def decision_list(request):
    ended = domain.with_counts(Decision.objects.exclude(status=DecisionStatus.PENDING)
                               .select_related("proposed_by")).order_by("-decided_at", "-pk")[:RECENT]
    context = {"pending": domain.pending(), "ended": ended, "subjects": domain.SUBJECTS}
    return render(request, "review/decision_list.html", context)


def _page(request, decision: Decision, *, errors=None, form=None, status=200):
    decision = domain.with_counts(Decision.objects.filter(pk=decision.pk)).select_related("proposed_by").get()
    context = {"decision": decision, "subject": domain.SUBJECTS[decision.subject], **domain.describe(decision),
               "approvals": domain.approvals(decision), "can_vote": domain.can_vote(decision, request.user),
               "can_withdraw": decision.is_pending and decision.proposed_by_id == request.user.pk,
               "errors": errors or {}, "form": form or {},
               "error_list": [{"field": f"id_{k}", "message": v} for k, v in (errors or {}).items()]}
    response = render(request, "review/decision_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@view_decisions
@require_http_methods(["GET", "POST"])
def decision_detail(request, pk: int):
    decision = get_object_or_404(Decision, pk=pk)
    if request.method == "GET":
        return _page(request, decision)
    action = request.POST.get("action")
    reason = (request.POST.get("reason") or "").strip()
    try:
        if action == "approve":
            decision = domain.approve(decision, request.user, reason)
            messages.success(request, _("已同意。") if decision.is_pending else
                             _("已同意：集体研究通过，%(effect)s") % {"effect": domain.SUBJECTS[decision.subject].effect})
        elif action == "request_changes":
            domain.request_changes(decision, request.user, reason)
            messages.success(request, _("已退回修改，提请人会收到通知。"))
        elif action == "withdraw":
            domain.withdraw(decision, request.user)
            messages.success(request, _("提请已撤回。"))
        else:
            return _page(request, decision, errors={"action": _("请选择同意、退回修改或撤回。")}, form=request.POST,
                         status=422)
    except domain.DecisionInvalid as exc:
        return _page(request, decision, errors=exc.errors, form=request.POST, status=422)
    except domain.DecisionRefused as exc:
        messages.error(request, exc.message)
    return redirect("office:decision", pk=pk)
