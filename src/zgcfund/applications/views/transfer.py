"""Whole-application JSON export and import (zgc-application/1); the round trip is lossless."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zgcfund.applications.domain.document import build_document
from zgcfund.applications.domain.editing import EditRefused, import_document
from zgcfund.applications.views.common import application_context, get_application, login_required
from zgcfund.audit.domain.downloads import record_download
from zgcfund.core.bounds import UnreadableJSON, read_json
from zgcfund.core.errors import InvalidDocument, Problem

MAX_JSON_BYTES = 8 * 1024 * 1024


@login_required
@require_GET
def export_json(request, pk: int):
    application = get_application(request, pk, "applications.export_application")
    doc = build_document(application)
    body = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    filename = f"zgc-application-{application.programme_code}-{application.organization.credit_code}.json"
    record_download(request, "application.export", _("导出申报数据（JSON）"), application=application, obj=application)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _read_upload(upload) -> tuple[object | None, list[Problem]]:
    if upload is None:
        return None, [Problem("file", _("请选择要导入的 JSON 文件"))]
    if upload.size > MAX_JSON_BYTES:
        return None, [Problem("file", _("文件过大（%(mb).1f MB），上限为 8 MB") % {"mb": upload.size / 1048576})]
    raw = upload.read()
    if not raw.strip():
        return None, [Problem("file", _("文件是空的"))]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [Problem("file", _("文件不是 UTF-8 编码的文本（是否选错了文件？）"))]
    try:  # the CLI's reader: deep nesting, over-long integers, duplicate keys answer in Chinese
        return read_json(text), []
    except UnreadableJSON as exc:
        if exc.syntax is None:
            return None, [Problem("file", str(exc))]
        return None, [Problem("file", _("不是有效的 JSON：第 %(line)s 行第 %(col)s 列，%(msg)s") % {
            "line": exc.syntax.lineno, "col": exc.syntax.colno, "msg": exc.syntax.msg})]


@login_required
@require_http_methods(["GET", "POST"])
def import_json(request, pk: int):
    application = get_application(request, pk)
    context = application_context(request, application, with_panel=False)
    if not context["can_edit"]:
        messages.error(request, context["edit_refusal"] or _("您没有修改此申报书的权限。"))
        return redirect("applications:overview", pk=pk)
    problems: list[Problem] = []
    if request.method == "POST":
        doc, problems = _read_upload(request.FILES.get("file"))
        if not problems:
            try:
                counts = import_document(application, request.user, doc)
            except InvalidDocument as exc:
                problems = list(exc.problems)
            except EditRefused as exc:
                problems = [Problem("", exc.message)]
            else:
                message = _("导入成功：新增 %(created)s 条，修改 %(updated)s 条，删除 %(deleted)s 条记录。") % counts
                messages.success(request, message)
                if counts.get("contract_date_ignored"):
                    messages.warning(request,
                                     _("导入文件中的合同签署日期（contract_signed_on）未导入：合同签署日期由项目办公室填写。"))
                return redirect("applications:overview", pk=pk)
    context["problems"] = problems
    return render(request, "applications/import_json.html", context, status=422 if problems else 200)
