"""Server errors: each one gets a reference, is logged with its traceback (django.request, settings.LOGGING)
and stored in the security log, and the user sees a Chinese page (or, for an htmx request, a notice the
page shows above the form, so what was typed stays where it is)."""

from __future__ import annotations

import logging
import secrets

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from zgcfund.audit.domain.security import SecurityEventKind, record_security_event

log = logging.getLogger("zgcfund.errors")

FALLBACK = ('<!DOCTYPE html><html lang="zh-Hans"><meta charset="utf-8"><title>系统错误</title>'
            "<h1>系统暂时出错</h1><p>请返回上一页重试；浏览器“后退”通常会保留您已填写的内容。</p></html>")


CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation)


class ServerErrorMiddleware:
    """Gives an unhandled exception a reference and records it (the traceback itself is logged by Django)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, CLIENT_ERRORS):
            return None  # answered as 4xx by Django (403s are logged by web.views.permission_denied)
        reference = secrets.token_hex(4).upper()
        request.error_reference = reference
        log.error("server error %s on %s %s: %s", reference, request.method, request.path, type(exception).__name__)
        record_security_event(SecurityEventKind.SERVER_ERROR, request, status=500,
                              detail=f"{reference} {type(exception).__name__}: {exception}"[:500])
        return None  # Django's handler logs the traceback and calls handler500


def server_error(request) -> HttpResponse:
    """handler500: never depends on the database or the failing view's context."""
    context = {"reference": getattr(request, "error_reference", ""),
               "htmx": request.headers.get("HX-Request") == "true"}
    try:
        name = "zgcfund/errors/500_notice.html" if context["htmx"] else "500.html"
        body = loader.get_template(name).render(context)
    except Exception:  # the error page itself must not fail
        log.exception("rendering the error page failed")
        body = FALLBACK
    response = HttpResponseServerError(body)
    if context["reference"]:
        response["X-Error-Reference"] = context["reference"]
    return response


def csrf_failure(request, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: logged like any refusal; the user is told the page expired and how to keep
    what was typed (htmx gets a notice above the form, which stays as it is)."""
    record_security_event(SecurityEventKind.PERMISSION_DENIED, request, status=403, detail=f"CSRF: {reason}"[:500])
    htmx = request.headers.get("HX-Request") == "true"
    if not htmx:
        return render(request, "zgcfund/errors/csrf.html", {"reason": reason}, status=403)
    # htmx: the page asks for a login (session ended) or offers to send the request again with a fresh token
    # (js/session-renew.js); the typed values and chosen files stay in the form.
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return login_needed(request, status=403, csrf=True)
    response = render(request, "zgcfund/errors/csrf_renew.html", {"reason": reason}, status=403)
    response[AUTH_HEADER] = "csrf"
    return response


AUTH_HEADER = "X-Zgcfund-Auth"


def login_needed(request, *, status: int = 401, csrf: bool = False) -> HttpResponse:
    """For an htmx request without a session (web.middleware.HtmxLoginMiddleware, csrf_failure): a login
    form the page shows in a dialog, instead of the login page swapped into the form."""
    response = render(request, "zgcfund/errors/login_notice.html", {"csrf": csrf}, status=status)
    response[AUTH_HEADER] = "login"
    return response
