"""Office programme set-up (mounted under /office/programmes/): programme-file versions (upload a
file, view any version and what changed from the one before), the scoring scheme and parameters
editor (numbers, the office's switches and dates) with a what-if of the ranking before saving, and
the selection plan."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_http_methods

from zgcfund.accounts.views.access import office_required
from zgcfund.core.scheme import (
    SchemeEditError,
    differs_beyond_scheme,
    scheme_changes,
    scheme_labels,
    scheme_values,
)
from zgcfund.programmes.domain import conditions
from zgcfund.programmes.domain import scheme as domain
from zgcfund.programmes.domain.loading import parsed
from zgcfund.programmes.models import ProgrammeYear

STATUS_NAMES = {"selected": gettext_lazy("入选"), "not_selected": gettext_lazy("未入选"), "tie_at_cut": gettext_lazy("跨线并列"),
                "unranked": gettext_lazy("未参加排名")}
WHAT_IF_ROWS = 300
#: core.scheme names the editable numbers in Chinese ("K3.1 <increment label>：起算值"); the editor shows the names translated.
SCHEME_FIELD_NAMES = {
    "基础分": pgettext_lazy("scheme field", "基础分"),
    "条款封顶分": pgettext_lazy("scheme field", "条款封顶分"),
    "起算值": pgettext_lazy("scheme field", "起算值"),
    "每满": pgettext_lazy("scheme field", "每满"),
    "加分": pgettext_lazy("scheme field", "加分"),
    "加分上限": pgettext_lazy("scheme field", "加分上限"),
    "达到": pgettext_lazy("scheme field", "达到"),
}


def _current_or_404(code: str) -> ProgrammeYear:
    row = domain.current_version(code)
    if row is None:
        raise Http404
    return row


@office_required
@require_http_methods(["GET", "POST"])
def setup_home(request):
    error = None
    reason = ""
    if request.method == "POST":
        upload = request.FILES.get("programme_file")
        reason = request.POST.get("conditions_reason", "")
        if upload is None:
            error = _("项目文件：请选择要上传的 YAML 文件。")
        else:
            try:
                result = domain.load_uploaded(upload.read(domain.MAX_UPLOAD_BYTES + 1), upload.name, request.user,
                                              reason=reason)
            except domain.UploadRefused as exc:
                error = exc.message
            else:
                if result.created:
                    messages.success(request, _("已载入 %(code)s 第 %(v)s 版，并设为当前版本。")
                                     % {"code": result.row.code, "v": result.row.version})
                else:
                    messages.info(request, _("该文件与 %(code)s 当前版本（第 %(v)s 版）内容相同，未新建版本。")
                                  % {"code": result.row.code, "v": result.row.version})
                return redirect("office:programme", code=result.row.code)
    codes = list(ProgrammeYear.objects.filter(is_current=True).order_by("-year", "code"))
    return render(request, "programmes/setup_home.html", {"programmes": codes, "error": error,
                                                           "conditions_reason": reason},
                  status=422 if error else 200)


@office_required
def programme(request, code: str):
    from zgcfund.review.domain.plan import plan_for
    from zgcfund.review.interfaces.forms import plan_initial

    row = _current_or_404(code)
    plan = plan_for(code)
    return render(request, "programmes/programme.html", {
        "row": row, "versions": domain.versions(code), "plan": plan, "plan_values": plan_initial(code),
        "changed_by": _scheme_events(code)})


def _scheme_events(code: str):
    from zgcfund.audit.models import AuditEvent

    return (AuditEvent.objects.filter(action__in=("programme.scheme", "programme.load", "programme.plan",
                                                                  "programme.conditions"),
                                      changes__code=code).select_related("actor")[:50])


def _scheme_table(programme) -> list[dict]:
    out = []
    for cid, entry in programme.scoring["clauses"].items():
        out.append({"clause": cid, "title": programme.clauses[cid].title, "base": entry["base"],
                    "increments": entry.get("increments", []), "cap": entry.get("cap"),
                    "max": programme.max_score(cid)})
    return out


def _parameters(programme) -> list[dict]:
    return [{"name": name, "label": p.label, "unit": p.unit, "values": p.values, "note": p.note, "ref": p.ref,
             "official": p.official} for name, p in programme.parameters.items()]


def _conditions(programme, errors: dict[str, str] | None = None) -> list[dict]:
    """The official conditions, read-only in the scheme editor (marked 文件规定, with the official text's reference)."""
    return [{"name": name, "key": f"param.{name}", "label": p.label, "unit": p.unit,
             "value": conditions.show_value(p.values[-1][1]), "since": p.values[-1][0], "ref": p.ref,
             "error": (errors or {}).get(f"param.{name}")}
            for name, p in programme.official_conditions().items()]


@office_required
def version(request, code: str, version: int):
    row = get_object_or_404(ProgrammeYear, code=code, version=version)
    programme = parsed(row)
    previous = ProgrammeYear.objects.filter(code=code, version__lt=version).order_by("-version").first()
    changes = other_changed = condition_changes = None
    if previous is not None:
        before = parsed(previous)
        changes = scheme_changes(before, programme)
        other_changed = differs_beyond_scheme(before, programme)
        condition_changes = conditions.condition_differences(before, programme)
    return render(request, "programmes/version.html", {
        "row": row, "programme": programme, "previous": previous, "changes": changes, "other_changed": other_changed,
        "condition_changes": condition_changes, "conditions_notice": conditions.conditions_notice(row),
        "table": _scheme_table(programme), "parameters": _parameters(programme)})


@office_required
def version_source(request, code: str, version: int):
    row = get_object_or_404(ProgrammeYear, code=code, version=version)
    response = HttpResponse(row.source_text, content_type="text/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{row.code}-v{row.version}.yaml"'
    return response


def _short_label(label: str) -> str:
    """A scheme number's label without its clause, the field name translated ("调研企业每多10家：起算值")."""
    head, sep, name = label.rpartition("：")
    if sep:
        return f"{head}{pgettext('label separator', '：')}{SCHEME_FIELD_NAMES.get(name, name)}"
    return str(SCHEME_FIELD_NAMES.get(label, label))


def _editor_groups(programme, values: dict[str, str], errors: dict[str, str],
                   hints: dict | None = None) -> tuple[list[dict], list[dict]]:
    labels = scheme_labels(programme)
    clauses: dict[str, dict] = {}
    params = []
    for key, (clause, label) in labels.items():
        field = {"key": key, "label": label, "value": values.get(key, ""), "error": errors.get(key)}
        if key.startswith("param."):
            p = programme.parameters[key.removeprefix("param.")]
            if p.official:  # shown read-only beside the office's numbers (_conditions)
                continue
            kind = p.unit if p.unit in ("switch", "date") else "number"
            params.append(field | {"unit": p.unit, "kind": kind, "note": p.note, "clause": p.ref.clause,
                                   "short": p.label, "hint": (hints or {}).get(key)})
            continue
        group = clauses.setdefault(clause, {"clause": clause, "title": programme.clauses[clause].title,
                                            "max": programme.max_score(clause), "fields": []})
        group["fields"].append(field | {"short": _short_label(label.removeprefix(f"{clause} "))})
    return list(clauses.values()), params


@office_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request, code: str):
    from zgcfund.review.domain.ranking import build_ranking
    from zgcfund.review.domain.whatif import scheme_what_if

    row = _current_or_404(code)
    programme = parsed(row)
    values = scheme_values(programme)
    errors: dict[str, str] = {}
    whatif = None
    form = {"version": "", "note": "", "reason": ""}
    if request.method == "POST":
        # official conditions posted too (the page has no input for them: a forged POST) so they are refused
        posted = domain.posted_scheme_values(programme, request.POST)
        values |= posted
        form = {k: request.POST.get(k, "") for k in form}
        based_on = request.POST.get("based_on", "")
        if based_on and based_on != row.sha256:
            errors["__all__"] = _("您打开编辑页面后，项目文件已有新版本（第 %(v)s 版）。以下为新版本的数值，请重新修改。") \
                % {"v": row.version}
            values = scheme_values(programme)
        elif request.POST.get("action") == "save":
            try:
                result = domain.save_scheme_version(row, posted, version=form["version"], note=form["note"],
                                                    reason=form["reason"], by=request.user)
            except SchemeEditError as exc:
                errors = exc.problems
            else:
                build_ranking(code)  # recompute and keep the evaluations under the new version now
                messages.success(request, _("评分方案已保存为第 %(v)s 版（%(scheme)s），排名已按新版本重新计算。")
                                 % {"v": result.row.version, "scheme": result.row.scoring_version})
                return redirect("office:programme_version", code=code, version=result.row.version)
        else:
            try:
                edited = domain.draft_scheme(row, posted, version=form["version"] or "__what-if__",
                                             note=form["note"])
            except SchemeEditError as exc:
                errors = exc.problems
            else:
                whatif = scheme_what_if(row, edited)
    clauses, params = _editor_groups(programme, values, errors, domain.parameter_hints(code, values))
    condition_rows = _conditions(programme, errors)
    params_open = (any(f["error"] for f in params) or any(c["error"] for c in condition_rows)
                   or any(c.key.startswith("param.") for c in (whatif.changes if whatif else [])))
    context = {"row": row, "clauses": clauses, "params": params, "params_open": params_open, "errors": errors,
               "conditions": condition_rows,
               "form": form, "whatif": whatif,
               "moved": whatif.moved[:WHAT_IF_ROWS] if whatif else [], "status_names": STATUS_NAMES,
               "field_errors": {k: v for k, v in errors.items() if k not in ("__all__",)}}
    return render(request, "programmes/scheme_edit.html", context, status=422 if errors else 200)


@office_required
@require_http_methods(["GET", "POST"])
def conditions_edit(request, code: str):
    """变更文件规定的条件: a separate, deliberate action — a new version flagged as a change of conditions,
    with a required reason, audited."""
    from zgcfund.review.domain.ranking import build_ranking

    row = _current_or_404(code)
    programme = parsed(row)
    values = conditions.condition_form_values(programme)
    errors: dict[str, str] = {}
    reason = ""
    if request.method == "POST":
        values |= {k: request.POST[k] for k in values if k in request.POST}
        reason = request.POST.get("reason", "")
        if request.POST.get("based_on", "") not in ("", row.sha256):
            errors["__all__"] = _("您打开此页面后，项目文件已有新版本（第 %(v)s 版）。以下为新版本的条件，请重新修改。") \
                % {"v": row.version}
            values = conditions.condition_form_values(programme)
        else:
            try:
                result = conditions.change_conditions(row, values, reason=reason, by=request.user)
            except SchemeEditError as exc:
                errors = exc.problems
            else:
                build_ranking(code)
                messages.success(request, _("已保存为第 %(v)s 版（变更文件规定的条件），排名已按新版本重新计算。")
                                 % {"v": result.row.version})
                return redirect("office:programme_version", code=code, version=result.row.version)
    rows = [c | {"value": values.get(c["name"], c["value"]), "current": c["value"]}
            for c in _conditions(programme, errors)]
    return render(request, "programmes/conditions_edit.html", {
        "row": row, "conditions": rows, "errors": errors, "reason": reason,
        "conditions_notice": conditions.conditions_notice(row)}, status=422 if errors else 200)


@office_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, code: str):
    from zgcfund.review.domain import plan as plan_domain
    from zgcfund.review.domain.selection import METHOD_NAMES, SelectionInvalid
    from zgcfund.review.interfaces import forms

    row = _current_or_404(code)
    errors: dict[str, str] = {}
    values = forms.plan_initial(code)
    if request.method == "POST":
        values = request.POST
        try:
            spec, settings = forms.selection_plan(request.POST)
            plan_domain.save_plan(code, spec, settings, request.user)
        except SelectionInvalid as exc:
            errors = exc.errors
        else:
            messages.success(request, _("遴选计划已保存。"))
            return redirect("office:programme", code=code)
    return render(request, "programmes/plan.html", {
        "row": row, "values": values, "errors": errors, "methods": METHOD_NAMES,
        "agg_methods": plan_domain.AGGREGATION_METHODS,
        "bands": [{"i": i, **{part: values.get(f"band{i}_{part}", "") for part in ("name", "first", "last", "amount")}}
                  for i in range(1, 6)]}, status=422 if errors else 200)
