"""The applicant's editor: dashboard, overview, clause pages with record forms, the live panel."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zgcfund.accounts.views.access import allowed, own_organization
from zgcfund.applications.domain import feedback
from zgcfund.applications.domain.editing import (
    EditRefused,
    RecordInvalid,
    StaleEdit,
    application_for,
    delete_record,
    save_record,
    set_choices,
    window_for,
)
from zgcfund.applications.domain.evidence import list_files
from zgcfund.applications.domain.lists import LIST_CLAUSES, TABLE_CLAUSES
from zgcfund.applications.domain.notices import NOTICE_REF, notice_fields
from zgcfund.applications.interfaces import record_table
from zgcfund.applications.interfaces.forms import RecordForm, display_value
from zgcfund.applications.views.common import (
    application_context,
    get_application,
    get_record,
    login_required,
    panel_context,
)
from zgcfund.audit.domain.queries import events_visible_to
from zgcfund.programmes.domain import current_programme_year

CHANGED = {"HX-Trigger": "evaluation-changed", "HX-Retarget": "#clause-body", "HX-Reswap": "outerHTML"}


def _with_headers(response, headers: dict[str, str]):
    for key, value in headers.items():
        response[key] = value
    return response


def _clause_body(request, context: dict, application, clause_def, message: str, phase: str = "prior"):
    """htmx, after a record was added, saved or deleted: the clause's records and a blank form again,
    with ``message`` as the flash, and the headers that refresh the panel."""
    state = record_table.state_from_url(getattr(request.htmx, "current_url", None))  # the table page the user was on
    context.update(_records_context(application, clause_def, state), clause=clause_def,
                   form=_blank_form(clause_def, application, phase), flash=message)
    return _with_headers(render(request, "applications/_clause_body.html", context), CHANGED)


@login_required
def dashboard(request):
    """Applicants: their organization's application for the current programme (started on request)."""
    user = request.user
    if allowed(user, "accounts.access_office"):
        return redirect("office:dashboard")
    if allowed(user, "review.view_tasks"):
        return redirect("expert:tasks")
    if allowed(user, "implementation.view_funds"):  # finance staff: the money pages
        return redirect("office:funds")
    org = own_organization(request)
    row = current_programme_year()
    application = org.applications.filter(programme_code=row.code).first() if row else None
    if request.method == "POST":
        try:
            application = application_for(org, user)
        except EditRefused as exc:
            messages.error(request, exc.message)
            return redirect("dashboard")
        return redirect("applications:overview", pk=application.pk)
    window = window_for(application) if application else None
    if row and window is None:
        from zgcfund.programmes.models import ApplicationWindow
        window = ApplicationWindow.objects.filter(code=row.code).first()
    return render(request, "applications/dashboard.html", {
        "org": org, "row": row, "application": application, "window": window,
        "submissions": application.submissions.order_by("-number") if application else [],
    })


def _clause_groups(programme, counts: dict[str, int]):
    families = []
    for code, spec in programme.families.items():
        areas = []
        for area in spec["areas"]:
            clauses = [(c, counts.get(c.id, 0)) for c in programme.clauses.values() if c.area == area]
            areas.append({"code": area, "name": programme.areas[area], "clauses": clauses})
        families.append({"code": code, "name": spec["name"], "areas": areas})
    return families


@login_required
@require_GET
def overview(request, pk: int):
    application = get_application(request, pk)
    return render(request, "applications/overview.html", _overview_context(request, application))


def _overview_context(request, application, refused: tuple[str, list[str], str] | None = None) -> dict:
    """The overview page; ``refused`` (group, the choices as posted, why): a K1/K3 choice that was not saved
    is shown as the user made it, marked, with the error summary linking to it."""
    context = application_context(request, application)
    programme = context["programme"]
    counts = dict(application.records.values_list("clause").annotate(n=Count("id")).values_list("clause", "n"))
    groups = []
    for g, members in programme.choice_groups.items():
        if refused and refused[0] == g:
            groups.append((g, members, refused[1], _limit(programme, g), refused[2]))
        else:
            groups.append((g, members, application.choices.get(g, []), _limit(programme, g), ""))
    context.update(
        families=_clause_groups(programme, counts),
        record_total=sum(counts.values()),
        choice_groups=groups,
        summary_errors=[{"field": f"choice-{refused[0]}-{programme.choice_groups[refused[0]][0]}",
                         "message": refused[2]}] if refused else [],
    )
    return context


def _limit(programme, group: str):
    return next((g.choose for g in programme.gates if g.kind == "choose" and g.group == group), None)


def _blank_form(clause_def, application, phase: str = "prior") -> RecordForm:
    return RecordForm(clause=clause_def, initial={"phase": phase}, organization=application.organization)


def _clause_or_404(programme, clause: str):
    c = programme.clauses.get(clause)
    if c is None:
        raise Http404
    return c


def _record_rows(clause_def, records, comments: dict[str, str] | None = None):
    linked = notice_fields(clause_def)  # K3.2/K3.3: the flag is shown on the date, not as a field of its own
    specs = [s for s in clause_def.fields.values() if not (linked and s.name == linked[1])]
    return [{"record": r, "values": [(s.label, _shown(s, r, linked)) for s in specs],
             "comment": (comments or {}).get(r.key)} for r in records]


def _shown(spec, record, linked) -> str:
    text = display_value(spec, record.fields.get(spec.name))
    if linked and spec.name == linked[0] and record.fields.get(spec.name):
        text += _("（系统登记）") if record.fields.get(NOTICE_REF) else _("（自报，待项目办公室核实）")
    return text


def _records_context(application, clause_def, state: record_table.TableState | None = None):
    review = feedback.open_comments(application)
    comments = {c.record_key: c.comment for c in review.record_comments.all()} if review else {}
    if clause_def.id in TABLE_CLAUSES:
        return _list_context(application, clause_def, comments, state or record_table.TableState())
    records = list(application.records.filter(clause=clause_def.id).prefetch_related("evidence_files"))
    rows = _record_rows(clause_def, records, comments)
    if state is not None and state.record:
        for row in rows:
            row["target"] = row["record"].key == state.record
    return {"rows": rows, "record_count": len(records)}


def _list_context(application, clause_def, comments: dict[str, str], state: record_table.TableState) -> dict:
    """A list clause: one page of the searched, sorted table; evidence fetched for that page only."""
    linked = notice_fields(clause_def)
    records = list(application.records.filter(clause=clause_def.id))
    rows = record_table.build_rows(clause_def, records, comments, lambda spec, r: _shown(spec, r, linked))
    table = record_table.table(clause_def, rows, state, base_url=reverse(
        "applications:clause", kwargs={"pk": application.pk, "clause": clause_def.id}))
    prefetch_related_objects([row.record for row in table.rows], "evidence_files")
    return {"list_table": table, "record_count": len(records), "is_list": True,
            "list_files": list(list_files(application, clause_def.id))}


@login_required
@require_GET
def clause_page(request, pk: int, clause: str):
    application = get_application(request, pk)
    state = record_table.state_from(request.GET)
    if clause in TABLE_CLAUSES and request.htmx and request.htmx.target == "list-table" \
            and not request.htmx.history_restore_request:  # search, sort, page: the table alone
        context = application_context(request, application, with_panel=False)
        clause_def = _clause_or_404(context["programme"], clause)
        context.update(_records_context(application, clause_def, state), clause=clause_def)
        return _vary(render(request, "applications/lists/_list_table.html", context))
    context = application_context(request, application)
    clause_def = _clause_or_404(context["programme"], clause)
    context.update(_records_context(application, clause_def, state))
    context.update(
        clause=clause_def,
        form=_blank_form(clause_def, application) if context["can_edit"] else None,
        has_list_tools=clause in LIST_CLAUSES,
        clause_nav=list(context["programme"].clauses),
        notices_url=reverse("applications:notices") if notice_fields(clause_def) and _is_member(request, application)
        else None,
    )
    return _vary(render(request, "applications/clause.html", context))


def _vary(response):
    """The clause page and its table alone share a URL: caches must tell them apart."""
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _inline_form(request) -> bool:
    """The list table's inline form (above the table) asked for a form (htmx)."""
    return bool(request.htmx) and request.htmx.target == "list-form"


def _record_url(application, clause: str, record) -> str:
    """The clause page showing ``record`` (a list clause: the table page holding it)."""
    url = reverse("applications:clause", kwargs={"pk": application.pk, "clause": clause})
    if clause in TABLE_CLAUSES:
        url += "?" + record_table.TableState(record=record.key).query(record=record.key)
    return url + f"#record-{record.pk}"


def _is_member(request, application) -> bool:
    return allowed(request.user, "applications.change_application", application)


def _refused(request, application, message: str, clause: str | None = None):
    if request.htmx:
        return _with_headers(render(request, "applications/_message.html", {"level": "error", "message": message}),
                             {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})
    messages.error(request, message)
    return redirect("applications:clause", pk=application.pk, clause=clause) if clause \
        else redirect("applications:overview", pk=application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request, pk: int, clause: str):
    application = get_application(request, pk)
    context = application_context(request, application, with_panel=False)
    clause_def = _clause_or_404(context["programme"], clause)
    if not context["can_edit"]:
        return _refused(request, application, context["edit_refusal"] or _("您没有修改此申报书的权限。"), clause)
    form = RecordForm(request.POST or None, clause=clause_def, initial={"phase": "prior"},
                      organization=application.organization)
    if request.method == "POST" and form.is_valid():
        try:
            record = save_record(application, request.user, clause, form.record_data())
        except RecordInvalid as exc:
            form.add_problems(exc.problems)
        except (EditRefused, StaleEdit) as exc:
            form.add_error(None, exc.message)
        else:
            message = _("已新增记录 %(key)s：%(title)s") % {"key": record.key, "title": record.title}
            if request.htmx:
                context["new_form_open"] = True  # a list's inline form stays open for the next record
                return _clause_body(request, context, application, clause_def, message, form.cleaned_data["phase"])
            messages.success(request, message)
            return redirect(_record_url(application, clause, record))
    # htmx swaps only 2xx responses: a form with errors goes back as 200 to it, 422 to a plain browser.
    status = 422 if request.method == "POST" and not request.htmx else 200
    context.update(clause=clause_def, form=form, action=reverse("applications:record_new", args=[pk, clause]))
    template = "applications/_record_form.html" if request.htmx else "applications/record_form_page.html"
    if _inline_form(request) and request.method == "GET":
        template = "applications/lists/_list_form.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request, pk: int, record_pk: int):
    application = get_application(request, pk)
    record = get_record(request, application, record_pk)
    context = application_context(request, application, with_panel=False)
    clause_def = _clause_or_404(context["programme"], record.clause)
    if not context["can_edit"]:
        return _refused(request, application, context["edit_refusal"] or _("您没有修改此申报书的权限。"), record.clause)
    form = RecordForm(request.POST or None, clause=clause_def, record=record, organization=application.organization)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            save_record(application, request.user, record.clause, form.record_data(), record=record,
                        expected_version=form.cleaned_data.get("version") or record.version)
        except RecordInvalid as exc:
            form.add_problems(exc.problems)
        except EditRefused as exc:
            form.add_error(None, exc.message)
        except StaleEdit as exc:
            # Keep what the user typed; show what is stored now, and let them save again on top of it.
            form.add_error(None, exc.message)
            conflict = exc.current
            if conflict is not None:
                data = request.POST.copy()
                data["version"] = str(conflict.version)
                form = RecordForm(data, clause=clause_def, record=conflict, organization=application.organization)
                form.is_valid()
                form.add_error(None, exc.message)
        else:
            message = _("已保存记录 %(key)s") % {"key": record.key}
            if request.htmx:
                return _clause_body(request, context, application, clause_def, message)
            messages.success(request, message)
            return redirect(_record_url(application, record.clause, record))
    context.update(clause=clause_def, form=form, record=record, conflict=conflict,
                   conflict_values=_record_rows(clause_def, [conflict])[0]["values"] if conflict else None,
                   action=reverse("applications:record_edit", args=[pk, record.pk]))
    status = 200 if request.htmx or request.method != "POST" else (409 if conflict else 422)
    template = "applications/_record_form.html" if request.htmx else "applications/record_form_page.html"
    if _inline_form(request) and request.method == "GET":
        template = "applications/lists/_list_form.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def record_delete(request, pk: int, record_pk: int):
    application = get_application(request, pk)
    record = get_record(request, application, record_pk)
    clause = record.clause
    context = application_context(request, application, with_panel=False)
    if not context["can_edit"]:
        return _refused(request, application, context["edit_refusal"] or _("您没有修改此申报书的权限。"), clause)
    try:
        version = int(request.POST.get("version") or record.version)
    except ValueError:
        version = record.version
    try:
        delete_record(application, request.user, record, version)
    except (EditRefused, StaleEdit) as exc:
        return _refused(request, application, exc.message, clause)
    message = _("已删除记录 %(key)s") % {"key": record.key}
    if request.htmx:
        return _clause_body(request, context, application, context["programme"].clauses[clause], message)
    messages.success(request, message)
    return redirect("applications:clause", pk=pk, clause=clause)


@login_required
@require_POST
def choices(request, pk: int, group: str):
    application = get_application(request, pk)
    context = application_context(request, application, with_panel=False)
    if group not in context["programme"].choice_groups:
        raise Http404
    if not context["can_edit"]:
        return _refused(request, application, context["edit_refusal"] or _("您没有修改此申报书的权限。"))
    try:
        version = int(request.POST.get("lock_version", ""))
    except ValueError:
        version = application.lock_version
    chosen = request.POST.getlist("chosen")
    try:
        set_choices(application, request.user, group, chosen, version)
    except RecordInvalid as exc:
        # not saved: the page again with the choices as made (kept and marked, not cleared) and the summary
        why = pgettext("list separator", "；").join(p.message for p in exc.problems) + _("。未保存，请取消多选的项后再保存。")
        context = _overview_context(request, application, (group, chosen, why))
        return render(request, "applications/overview.html", context, status=422)
    except (EditRefused, StaleEdit) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存 %(group)s 的选项") % {"group": group})
    return redirect(reverse("applications:overview", kwargs={"pk": pk}) + "#choices")


@login_required
@require_GET
def panel(request, pk: int):
    application = get_application(request, pk)
    context = {"application": application, **panel_context(application)}
    return render(request, "applications/_panel.html", context)


@login_required
@require_GET
def history(request, pk: int):
    application = get_application(request, pk, "audit.view_history")
    events = events_visible_to(request.user, application)[:500]  # applicants: no expert, objector or internal entries
    context = application_context(request, application, with_panel=False)
    context["events"] = events
    return render(request, "applications/history.html", context)
