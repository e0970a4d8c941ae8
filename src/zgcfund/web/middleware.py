"""``?language=en`` (or ``zh-hans``) in any URL switches the interface language and remembers it."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


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
