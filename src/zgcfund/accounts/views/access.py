"""Access helpers shared by the accounts and programmes views."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from zgcfund.accounts.rules import is_office


def office_required(view):
    """Logged-in office users only: others get 403 (anonymous users go to the login page)."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_office(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


def own_organization(request):
    """The organization of the logged-in applicant user; 404 for users without one."""
    org = getattr(request.user, "organization", None)
    if org is None:
        raise Http404
    return org
