"""Security log of logins and logouts (网络安全法 §21(3); 等保 2.0 audit records), from Django's auth
signals; a login also records its session key so that deactivation can end it (domain.sessions)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from zgcfund.accounts.domain import sessions
from zgcfund.audit.domain.security import SecurityEventKind, record_security_event


@receiver(user_logged_in, dispatch_uid="zgcfund.accounts.logged_in")
def logged_in(sender, request, user, **kwargs):
    record_security_event(SecurityEventKind.LOGIN, request, user=user, identity=user.email)
    sessions.track(request, user)


@receiver(user_login_failed, dispatch_uid="zgcfund.accounts.login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    # ``credentials`` is already cleansed by Django: the password is masked, the e-mail tried is kept.
    identity = str(credentials.get("username") or credentials.get("email") or "")
    record_security_event(SecurityEventKind.LOGIN_FAILED, request, identity=identity)


@receiver(user_logged_out, dispatch_uid="zgcfund.accounts.logged_out")
def logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    record_security_event(SecurityEventKind.LOGOUT, request, user=user, identity=user.email)
    sessions.forget(request)
