"""Excel lists of a clause (K1.1, K1.3, K3.2, K3.3): download the template or the current list, upload."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from zgcfund.accounts.views.access import allowed
from zgcfund.applications.domain.document import programme_of
from zgcfund.applications.domain.editing import EditRefused, StaleEdit, edit_refusal
from zgcfund.applications.domain.lists import LIST_CLAUSES, ListInvalid, import_list
from zgcfund.applications.interfaces import excel
from zgcfund.applications.models import Application
from zgcfund.applications.views.common import get_application
from zgcfund.audit.domain.downloads import record_download

MAX_SHOWN = 300  # problems listed on the page; the rest are counted


def _context(request, pk: int, clause: str) -> dict:
    application = get_application(request, pk)
    if clause not in LIST_CLAUSES:
        raise Http404
    programme = programme_of(application)
    clause_def = programme.clauses.get(clause)
    if clause_def is None:
        raise Http404
    refusal = edit_refusal(application)
    return {"application": application, "programme": programme, "clause": clause_def,
            "can_edit": _is_member(request.user, application) and refusal is None, "edit_refusal": refusal,
            "is_member": _is_member(request.user, application), "max_rows": excel.MAX_ROWS}


def _is_member(user, application: Application) -> bool:
    return allowed(user, "applications.change_application", application)


@login_required
@require_GET
def list_template(request, pk: int, clause: str):
    """The clause's Excel template; ``?filled=1``: with the application's current records."""
    context = _context(request, pk, clause)
    application, clause_def = context["application"], context["clause"]
    filled = request.GET.get("filled") == "1"
    data = excel.build_template(application, clause, filled=filled)
    kind = _("当前清单") if filled else _("模板")
    name = f"{clause} {clause_def.title} {kind}.xlsx".replace("/", "-")
    if filled:  # the blank template holds no one's data
        record_download(request, "download.list", _("下载 %(clause)s 当前清单（Excel）") % {"clause": clause},
                        application=application, obj=application, changes={"clause": clause})
    response = HttpResponse(data, content_type=excel.XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def list_import(request, pk: int, clause: str):
    context = _context(request, pk, clause)
    application = context["application"]
    if request.method == "GET":
        context["list_form"] = excel.ListUploadForm()
        return render(request, "applications/lists/import.html", context)
    if not context["is_member"]:
        raise PermissionDenied
    form = excel.ListUploadForm(request.POST, request.FILES)
    context["list_form"] = form
    errors: list[str] = []
    problems: list[excel.ShownProblem] = []
    warnings: list[excel.ShownProblem] = []
    if context["edit_refusal"]:
        errors.append(context["edit_refusal"])
    elif not form.is_valid():
        errors += [str(e) for field_errors in form.errors.values() for e in field_errors]
    else:
        upload = form.cleaned_data["file"]
        try:
            parsed = excel.read_upload(upload, application, clause)
            mode = form.mode_for(parsed)
            result = import_list(application, request.user, clause, parsed.rows, mode,
                                 exported=parsed.exported, source=upload.name)
        except excel.ListFileError as exc:
            errors.append(exc.message)
        except ListInvalid as exc:
            columns = excel.columns_for(context["programme"], clause)
            problems = excel.shown_problems(columns, exc.problems)
            warnings = excel.shown_problems(columns, exc.warnings)
        except (EditRefused, StaleEdit) as exc:
            errors.append(exc.message)
        else:
            return _imported(request, application, clause, result, parsed.columns)
    context.update(list_errors=errors, list_problems=problems[:MAX_SHOWN], list_problem_count=len(problems),
                   list_problems_hidden=max(0, len(problems) - MAX_SHOWN), list_warnings=warnings[:MAX_SHOWN])
    if request.htmx:  # htmx swaps 2xx only: the tools card with the errors goes back as 200
        return render(request, "applications/lists/_list_tools.html", context)
    return render(request, "applications/lists/import.html", context, status=422)


def _imported(request, application, clause, result, columns):
    if result.mode == "replace":
        message = _("已从 Excel 导入 %(clause)s 清单（替换）：新增 %(created)s 条，更新 %(updated)s 条，未变 %(unchanged)s 条，"
                    "删除 %(deleted)s 条。")
    else:
        message = _("已从 Excel 导入 %(clause)s 清单（追加）：新增 %(created)s 条，更新 %(updated)s 条，未变 %(unchanged)s 条。")
    messages.success(request, message % {"clause": clause, "created": result.created, "updated": result.updated,
                                         "unchanged": result.unchanged, "deleted": result.deleted})
    shown = excel.shown_problems(columns, result.warnings)
    if shown:
        lines = pgettext("list separator", "；").join(str(w) for w in shown[:10])
        more = _("（另有 %(n)s 处）") % {"n": len(shown) - 10} if len(shown) > 10 else ""
        messages.warning(request, _("请注意：%(lines)s%(more)s") % {"lines": lines, "more": more})
    url = reverse("applications:clause", kwargs={"pk": application.pk, "clause": clause})
    if request.htmx:
        response = HttpResponseClientRedirect(url)
        response["HX-Trigger"] = "evaluation-changed"
        return response
    return redirect(url)
