"""Access helpers shared by the views of every app, built on the rules in each app's ``rules.py``.

Status codes: anonymous users go to the login page; an object the user may not know exists answers
404 (``get_permitted_or_404``); a page or action the user may know of but not use answers 403."""

from __future__ import annotations

from functools import wraps

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404


def allowed(user, perm: str, obj=None) -> bool:
    """``perm`` as the rules declare it (no superuser or model-permission shortcut)."""
    return rules.has_perm(perm, user, obj)


def require_perm(perm: str, get_obj=None, *, hide: bool = False):
    """View decorator: logged-in users holding ``perm`` (on ``get_obj(request, **kwargs)`` when given);
    others get 403, or 404 with ``hide`` (for objects they may not know exist)."""
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            obj = get_obj(request, **kwargs) if get_obj is not None else None
            if not allowed(request.user, perm, obj):
                raise Http404 if hide else PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def get_permitted_or_404(request, perm: str, queryset, **lookup):
    """The object if ``request.user`` holds ``perm`` on it; 404 otherwise (no hint that it exists)."""
    obj = get_object_or_404(queryset, **lookup)
    if not allowed(request.user, perm, obj):
        raise Http404
    return obj


def office_required(view):
    """Logged-in office users only: others get 403 (anonymous users go to the login page)."""
    return require_perm("accounts.access_office")(view)


def own_organization(request):
    """The organization of the logged-in applicant user; 404 for users without one."""
    if not allowed(request.user, "accounts.view_own_organization"):
        raise Http404
    return request.user.organization
