"""Site-wide middleware: ``?language=en`` (or ``zh-hans``) in any URL switches the interface language
and remembers it; private responses are never cached (``NoStoreMiddleware``)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control

from zgcfund.web import uploads


class QueryLanguageMiddleware:
    """Runs after LocaleMiddleware; a shareable link can carry the language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        asked = request.GET.get("language")
        language = None
        if asked:
            try:
                language = translation.get_supported_language_variant(asked)
            except LookupError:
                language = None
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language,
                max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class RequestSizeLimitMiddleware:
    """413 for a body over ZGCFUND_MAX_REQUEST_BYTES: refused by its declared length before anything
    reads it, or, when it streams past the cap anyway, after the upload handler stopped it (web.uploads)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = uploads.declared_length(request)
        if declared is not None and declared > uploads.max_request_bytes():
            uploads.log.warning("request body of %s bytes refused (limit %s): %s %s", declared,
                                uploads.max_request_bytes(), request.method, request.path)
            return uploads.too_large_response(request, declared)
        response = self.get_response(request)
        if getattr(request, uploads.TOO_LARGE_FLAG, False):
            return uploads.too_large_response(request)
        return response


PRIVATE_PREFIXES = ("/accounts/", "/dashboard/", "/applications/", "/office/", "/expert/")


class NoStoreMiddleware:
    """Fail closed on caching: every response to a signed-in user, and every response under a private
    prefix, is ``no-store, private`` (no copy on a shared computer's disk or in a proxy), unless the view
    set its own Cache-Control. Public pages (home, /public/, static files) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if request.path.startswith(PRIVATE_PREFIXES) or getattr(user, "is_authenticated", False):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class HtmxLoginMiddleware:
    """An htmx request whose session has ended answers 401 with a small re-login fragment (the page shows it
    in a dialog and sends the request again after login, js/session-renew.js) instead of a redirect to the
    login page, whose HTML htmx would otherwise swap into the form. Plain pages keep the redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code in (301, 302, 303, 307, 308)
                and request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
                and not getattr(getattr(request, "user", None), "is_authenticated", False)
                and _is_login_redirect(response)):
            from zgcfund.web.errors import login_needed

            return login_needed(request)
        return response


def _is_login_redirect(response) -> bool:
    from urllib.parse import urlsplit

    from django.shortcuts import resolve_url

    return urlsplit(response.get("Location", "")).path == resolve_url(settings.LOGIN_URL)
