"""Office selection pages: choose a method, preview, save a draft, confirm, publish for the notice
period, record objections."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zgcfund.accounts.views.access import office_required
from zgcfund.programmes.domain import clock, current_version
from zgcfund.programmes.domain.conditions import conditions_notice
from zgcfund.review.domain import decisions
from zgcfund.review.domain import selection as domain
from zgcfund.review.domain.plan import plan_for
from zgcfund.review.interfaces import forms
from zgcfund.review.models import Selection

BAND_ROWS = forms.BAND_ROWS



@office_required
@require_http_methods(["GET", "POST"])
def selection_home(request, code: str):
    row = current_version(code)
    if row is None:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "GET" and not data.get("method"):
        plan = plan_for(code)  # the office's plan (number or budget to fund) as the starting point
        if plan and plan.selection_spec:
            data = QueryDict(mutable=True)
            data.update({k: str(v) for k, v in forms.spec_initial(plan.selection_spec).items()})
    errors: dict[str, str] = {}
    refusal = None
    result = None
    spec = None
    if request.method == "POST" or data.get("method"):
        try:
            spec = forms.selection_spec(data)
            if request.method == "POST" and request.POST.get("action") == "save":
                selection = domain.save_draft(code, spec, request.user)
                messages.success(request, _("遴选草稿已保存。"))
                return redirect("office:selection_detail", pk=selection.pk)
            result = domain.preview(code, spec).to_dict()
        except domain.SelectionInvalid as exc:
            errors = exc.errors
        except domain.SelectionRefused as exc:
            refusal = exc.message
    selections = list(Selection.objects.filter(code=code).select_related("created_by", "confirmed_by"))
    for s in selections:
        s.method_name = domain.METHOD_NAMES.get(s.method, s.method)
    context = {"code": code, "form": data, "errors": errors, "refusal": refusal, "result": result, "spec": spec,
               "bands": [{"i": i, "name": data.get(f"band{i}_name", ""), "first": data.get(f"band{i}_first", ""),
                          "last": data.get(f"band{i}_last", ""), "amount": data.get(f"band{i}_amount", "")}
                         for i in BAND_ROWS],
               "tie_chosen": set(data.getlist("tie_decision")),
               "selections": selections, "conditions_notice": conditions_notice(row), "programme_title": row.title}
    return render(request, "review/selection.html", context, status=422 if errors or refusal else 200)


@office_required
def selection_detail(request, pk: int):
    return _detail(request, pk)


def _detail(request, pk: int, errors=None, form=None, status=200):
    selection = get_object_or_404(Selection.objects.select_related("created_by", "confirmed_by", "published_by",
                                                                   "programme_year"), pk=pk)
    listed = [*selection.result["selected"], *selection.result["not_selected"]]
    context = {"selection": selection, "result": selection.result, "method_name": domain.METHOD_NAMES[selection.method],
               "objections": selection.objections.select_related("application__organization", "recorded_by"),
               "listed": listed, "errors": errors or {}, "form": form or {}, "today": clock.today(),
               "awaiting_notice_end": domain.awaiting_notice_end(selection),
               "unfinished": domain.unfinished_reviews(selection.result),
               "decision": decisions.latest_for("selection", selection),
               "approvals_needed": decisions.required_approvals("selection", selection.code),
               "conditions_notice": conditions_notice(selection.programme_year)}
    return render(request, "review/selection_detail.html", context, status=status)


@office_required
@require_POST
def selection_confirm(request, pk: int):
    """Propose the draft to the collective decision (集体研究); confirmed once approved (at once when the
    programme asks for one approval)."""
    selection = get_object_or_404(Selection, pk=pk)
    try:
        decision = decisions.propose("selection", selection, request.user, (request.POST.get("reason") or "").strip())
    except decisions.DecisionRefused as exc:
        messages.error(request, exc.message)
    except decisions.DecisionInvalid as exc:
        messages.error(request, next(iter(exc.errors.values())))
    else:
        if decision.is_pending:
            messages.success(request, _("已提请集体研究确认：需 %(n)s 名项目办公室人员同意（您计为第一名），"
                                        "其他人员会收到通知。") % {"n": decision.required})
        else:
            messages.success(request, _("遴选结果已确认，此后不能修改。"))
    return redirect("office:selection_detail", pk=pk)


@office_required
@require_POST
def selection_publish(request, pk: int):
    selection = get_object_or_404(Selection, pk=pk)
    try:
        domain.publish(selection, request.user, forms.notice_days_input(request.POST))
    except domain.SelectionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("遴选结果已公示；各申报单位可在申报状态页看到结果。"))
    return redirect("office:selection_detail", pk=pk)


@office_required
@require_POST
def selection_end_notice(request, pk: int):
    selection = get_object_or_404(Selection, pk=pk)
    try:
        moved = domain.end_notice(selection, request.user)
    except domain.SelectionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("公示期满：%(n)s 项入选申报转入待签约。") % {"n": moved})
    return redirect("office:selection_detail", pk=pk)


@office_required
@require_POST
def selection_objection(request, pk: int):
    selection = get_object_or_404(Selection, pk=pk)
    post = request.POST
    try:
        domain.record_objection(selection, request.user, **forms.objection_input(post))
    except domain.SelectionInvalid as exc:
        return _detail(request, pk, exc.errors, post, 422)
    except domain.SelectionRefused as exc:
        messages.error(request, exc.message)
        return redirect("office:selection_detail", pk=pk)
    messages.success(request, _("异议已登记。"))
    return redirect("office:selection_detail", pk=pk)

