"""The request-size cap (``ZGCFUND_MAX_REQUEST_BYTES``), kept in two places:

* ``RequestSizeLimitMiddleware`` (web.middleware) refuses a request whose declared Content-Length is
  over the cap with 413, before any of the body is read;
* ``RequestSizeUploadHandler``, first in FILE_UPLOAD_HANDLERS, counts the file bytes of a multipart
  body as they stream in and stops parsing once they pass the cap (a body longer than it says, as
  ASGI passes on), before the chunk reaches the temporary-file handler. The parse fails, so no view
  sees a half-read form; the middleware turns the failure into the same 413.

The reverse proxy keeps the same limit in front (README: Deployment).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.utils.translation import gettext as _

log = logging.getLogger("zgcfund.uploads")

TOO_LARGE_FLAG = "zgcfund_request_too_large"
FALLBACK = ('<!DOCTYPE html><html lang="zh-Hans"><meta charset="utf-8"><title>提交内容过大</title>'
            "<h1>提交内容过大</h1><p>服务器没有接收这次提交，未保存任何内容。请返回上一页，分批或压缩后重试。</p></html>")


class RequestTooLarge(MultiPartParserError):
    """The body streamed past the cap. A MultiPartParserError, so Django marks the form unreadable
    (empty POST and FILES) instead of parsing it again."""


def max_request_bytes() -> int:
    return settings.ZGCFUND_MAX_REQUEST_BYTES


def declared_length(request) -> int | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return None  # Django treats it as an empty body
    return length if length >= 0 else None


def too_large_message(size: int | None = None) -> str:
    from zgcfund.files.names import size_text

    limit, file_limit = size_text(max_request_bytes()), size_text(settings.EVIDENCE_MAX_BYTES)
    if size:
        text = _("提交的内容大小为 %(size)s，超过每次提交 %(limit)s 的上限，服务器没有接收，未保存任何内容。") % {
            "size": size_text(size), "limit": limit}
    else:
        text = _("提交的内容超过每次提交 %(limit)s 的上限，服务器已停止接收，未保存任何内容。") % {"limit": limit}
    return text + " " + _("单个支撑材料文件不超过 %(file_limit)s；多个文件请分批上传，或压缩后重试。") % {
        "file_limit": file_limit}


def too_large_response(request, size: int | None = None) -> HttpResponse:
    """413 with a short Chinese page; for htmx a fragment the page shows above the form (web
    request-errors.js), so what the user typed stays. Rendered without the request: the middleware
    runs before sessions and authentication have been used."""
    htmx = request.headers.get("HX-Request") == "true"
    context = {"message": too_large_message(size), "htmx": htmx}
    try:
        name = "zgcfund/errors/413_notice.html" if htmx else "zgcfund/errors/413.html"
        body = loader.render_to_string(name, context)
    except Exception:  # the refusal itself must not fail
        log.exception("rendering the 413 page failed")
        body = FALLBACK
    return HttpResponse(body, status=413)


class RequestSizeUploadHandler(FileUploadHandler):
    """Counts the bytes of all files in one request; past the cap, stops before they are stored."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_request_bytes():
            self._abort()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler makes the file

    def _abort(self):
        if self.request is not None:
            setattr(self.request, TOO_LARGE_FLAG, True)
            # The file being received is not in the parser's list yet: close (and so delete) its
            # temporary file here, as Django's own StopUpload handling does.
            for handler in getattr(self.request, "upload_handlers", ()):
                if handler is not self and getattr(handler, "file", None) is not None:
                    handler.file.close()
        log.warning("upload stopped at %s bytes (limit %s): %s", self.received, max_request_bytes(),
                    getattr(self.request, "path", ""))
        raise RequestTooLarge("request body over ZGCFUND_MAX_REQUEST_BYTES")
