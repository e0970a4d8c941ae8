"""Evidence files: list and upload on a record (htmx partial, plain-form fallback), download,
thumbnail, delete. Objects are fetched through the rules (``applications.rules``), so another
organization's file is a 404 whatever its ID; an assigned expert reads the files its submission
names. Uploads are rate-limited per user (accounts ratelimit.UPLOAD);
refusals are shown in the partial, next to the drop zone."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from zgcfund.accounts.domain import ratelimit
from zgcfund.accounts.views.access import allowed, get_permitted_or_404
from zgcfund.applications.domain.document import programme_of
from zgcfund.applications.domain.editability import EditRefused
from zgcfund.applications.domain.evidence import (
    EvidenceRejected,
    UploadRefused,
    delete_evidence,
    download_name,
    list_files,
    set_material,
    store_evidence,
    store_list_evidence,
)
from zgcfund.applications.domain.lists import TABLE_CLAUSES
from zgcfund.applications.models import EvidenceFile
from zgcfund.applications.models.evidence import EvidenceKind
from zgcfund.applications.views.common import get_application
from zgcfund.audit.domain.downloads import record_download
from zgcfund.audit.domain.security import SecurityEventKind, record_security_event
from zgcfund.core.numbers import display_number

PARTIAL = "applications/evidence/_record_evidence.html"
LIST_PARTIAL = "applications/evidence/_list_evidence.html"
EVALUATION_CHANGED = "evaluation-changed"
INLINE_TYPES = ("image/", "application/pdf")


def _can_edit(user, application) -> bool:
    return allowed(user, "applications.edit_application", application)


def _evidence(request, evidence_pk: int, queryset=None) -> EvidenceFile:
    """A file the user may read (404 otherwise)."""
    queryset = EvidenceFile.objects.select_related("application", "record") if queryset is None else queryset
    return get_permitted_or_404(request, "applications.view_evidence", queryset, pk=evidence_pk)


def _back(request, fallback: str) -> str:
    """Where the plain-form fallback returns to: a local ``next``, else the referring page."""
    for candidate in (request.POST.get("next"), request.headers.get("referer")):
        if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
            return candidate
    return fallback


def _current_page(request) -> str:
    """The page the partial sits in (htmx sends it), for the partial's no-JS ``next`` field."""
    current = getattr(request.htmx, "current_url_abs_path", None) if request.htmx else None
    return current or ""


def _max_mb() -> str:
    return display_number(settings.EVIDENCE_MAX_BYTES / (1024 * 1024))


def upload_rate_refusal(request, what: str) -> str | None:
    """Count one file upload for the user; when over ratelimit.UPLOAD, the refusal (Chinese), and
    a security-log entry. Also used for the commitment scan (views.submission)."""
    wait = ratelimit.hit(ratelimit.UPLOAD, f"user:{request.user.pk}")
    if not wait:
        return None
    record_security_event(SecurityEventKind.RATE_LIMITED, request, status=429,
                          detail=f"upload {what}; retry in {wait} s")
    return ratelimit.message(wait)


def _partial(request, application, record, *, errors=(), notices=(), saved=(), changed=False) -> HttpResponse:
    response = render(request, PARTIAL, {
        "application": application, "record": record, "can_edit": _can_edit(request.user, application),
        "evidence_errors": list(errors), "evidence_notices": list(notices), "evidence_saved": list(saved),
        "next_url": _current_page(request), "EVIDENCE_MAX_MB": _max_mb(),
    })
    if changed:
        response["HX-Trigger"] = EVALUATION_CHANGED
    return response


def _list_partial(request, application, clause: str, *, errors=(), notices=(), saved=(), changed=False) -> HttpResponse:
    response = render(request, LIST_PARTIAL, {
        "application": application, "clause": programme_of(application).clauses[clause],
        "list_files": list(list_files(application, clause)), "can_edit": _can_edit(request.user, application),
        "evidence_errors": list(errors), "evidence_notices": list(notices), "evidence_saved": list(saved),
        "next_url": _current_page(request), "EVIDENCE_MAX_MB": _max_mb(),
    })
    if changed:
        response["HX-Trigger"] = EVALUATION_CHANGED
    return response


def _store_uploads(request, rate_key: str, store) -> tuple[list[str], list[str], list[str]]:
    """Store each file posted as ``files`` with ``store(uploaded)``: (errors, notices, saved names). A refusal
    that holds for every file (rate limit, not editable, quota) stops the loop; a rejected file does not."""
    files = request.FILES.getlist("files")
    errors, notices, saved = [], [], []
    if not files:
        errors.append(_("请选择要上传的文件。"))
    for uploaded in files:
        refusal = upload_rate_refusal(request, rate_key)
        if refusal:
            errors.append(refusal)
            break
        try:
            evidence = store(uploaded)
        except (EditRefused, UploadRefused) as exc:
            errors.append(exc.message)
            break  # the same refusal for every file
        except EvidenceRejected as exc:
            errors.append(exc.message)
        else:
            saved.append(evidence.name)
            notices.extend(evidence.notices)
    return errors, notices, saved


def _flash(request, errors: list[str], notices: list[str], saved: list[str]) -> None:
    if saved:
        names = pgettext("list separator", "、").join(saved)
        messages.success(request, _("已上传 %(n)d 个文件：%(names)s") % {"n": len(saved), "names": names})
    for text in notices:
        messages.warning(request, text)
    for text in errors:
        messages.error(request, text)


@login_required
@require_http_methods(["GET", "POST"])
def list_evidence(request, pk: int, clause: str):
    """The files of a list clause as a whole (not of one record): list (htmx partial) and upload."""
    application = get_application(request, pk)
    if clause not in TABLE_CLAUSES:
        raise Http404
    if request.method == "GET":
        return _list_partial(request, application, clause)
    if not allowed(request.user, "applications.change_application", application):
        raise PermissionDenied
    errors, notices, saved = _store_uploads(
        request, f"application {application.pk} list {clause}",
        lambda uploaded: store_list_evidence(application, request.user, clause, uploaded))
    if request.htmx:
        return _list_partial(request, application, clause, errors=errors, notices=notices, saved=saved)
    _flash(request, errors, notices, saved)
    return redirect(_back(request, reverse("applications:clause", args=[application.pk, clause])))


@login_required
@require_http_methods(["GET", "POST"])
def evidence_list(request, pk: int, record_pk: int):
    application = get_application(request, pk)
    record = get_object_or_404(application.records.all(), pk=record_pk)
    if request.method == "GET":
        return _partial(request, application, record)
    if not allowed(request.user, "applications.change_application", application):
        raise PermissionDenied
    errors, notices, saved = _store_uploads(
        request, f"application {application.pk} record {record.key}",
        lambda uploaded: store_evidence(application, request.user, record, uploaded, request.POST.get("material", "")))
    if request.htmx:
        return _partial(request, application, record, errors=errors, notices=notices, saved=saved, changed=bool(saved))
    _flash(request, errors, notices, saved)
    return redirect(_back(request, reverse("applications:record_edit", args=[application.pk, record.pk])))


def _open(field_file):
    try:
        return field_file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None


@login_required
@require_http_methods(["GET", "HEAD"])
def evidence_download(request, evidence_pk: int):
    evidence = _evidence(request, evidence_pk, EvidenceFile.objects.select_related("application", "record")
                         .exclude(file=""))
    content_type = evidence.content_type or "application/octet-stream"
    inline = content_type.startswith(INLINE_TYPES) and request.GET.get("download") != "1"
    response = FileResponse(_open(evidence.file), as_attachment=not inline, filename=download_name(evidence),
                            content_type=content_type)
    if request.method == "GET":  # HEAD sends no content
        summary = (_("下载承诺书盖章扫描件“%(name)s”") if evidence.kind == "commitment"
                   else _("下载支撑材料“%(name)s”")) % {"name": evidence.name}
        record_download(request, "download.evidence", summary, application=evidence.application, obj=evidence)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def evidence_thumbnail(request, evidence_pk: int):
    evidence = _evidence(request, evidence_pk, EvidenceFile.objects.select_related("application", "record")
                         .exclude(thumbnail=""))
    content_type = "image/png" if evidence.thumbnail.name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(_open(evidence.thumbnail), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # a scan's thumbnail is personal data too
    return response


@login_required
@require_POST
def evidence_delete(request, evidence_pk: int):
    evidence = _evidence(request, evidence_pk)
    application, record = evidence.application, evidence.record
    if not allowed(request.user, "applications.change_evidence", evidence):
        raise PermissionDenied
    errors, changed = [], False
    try:
        delete_evidence(application, request.user, evidence)
        changed = True
    except (EditRefused, EvidenceRejected) as exc:
        errors.append(exc.message)
    if request.htmx and record is not None:
        return _partial(request, application, record, errors=errors, changed=changed)
    if request.htmx and evidence.kind == EvidenceKind.LIST:
        return _list_partial(request, application, evidence.clause, errors=errors)
    if changed:
        messages.success(request, _("已删除文件“%(name)s”。") % {"name": evidence.name})
    for text in errors:
        messages.error(request, text)
    if request.htmx:  # the commitment scan sits on another page: reload it (messages show there)
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    fallback = (reverse("applications:record_edit", args=[application.pk, record.pk]) if record is not None
                else reverse("applications:clause", args=[application.pk, evidence.clause])
                if evidence.kind == EvidenceKind.LIST else reverse("applications:submit", args=[application.pk]))
    return redirect(_back(request, fallback))


@login_required
@require_POST
def evidence_material(request, evidence_pk: int):
    """File a record's evidence under another kind of material (the clause's ``evidence_kinds``)."""
    evidence = _evidence(request, evidence_pk, EvidenceFile.objects.select_related("application", "record")
                         .exclude(record=None))
    application, record = evidence.application, evidence.record
    if not allowed(request.user, "applications.change_evidence", evidence):
        raise PermissionDenied
    errors, changed = [], False
    try:
        set_material(application, request.user, evidence, request.POST.get("material", ""))
        changed = True
    except (EditRefused, EvidenceRejected) as exc:
        errors.append(exc.message)
    if request.htmx:
        return _partial(request, application, record, errors=errors, changed=changed)
    for text in errors:
        messages.error(request, text)
    return redirect(_back(request, reverse("applications:record_edit", args=[application.pk, record.pk])))
