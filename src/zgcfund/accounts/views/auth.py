"""Login (throttled), logout, password reset and the first password of an expert's or office user's
account: Django's views with the project's forms and templates."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from zgcfund.accounts.domain import ratelimit, throttle
from zgcfund.accounts.domain.staff import SET_PASSWORD_DAYS, set_password_tokens
from zgcfund.accounts.interfaces.forms import LoginForm, NewPasswordForm, ResetForm
from zgcfund.audit.domain.security import SecurityEventKind, client_address, record_security_event


def reset_link_hours() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = ResetForm
    email_template_name = "accounts/emails/password_reset.txt"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # Per client address; over the limit no mail is sent, but the answer is the same neutral page.
        if ratelimit.hit(ratelimit.PASSWORD_RESET, throttle.address_key(client_address(self.request))):
            record_security_event(SecurityEventKind.RATE_LIMITED, self.request, identity=form.cleaned_data["email"],
                                  detail="password reset request refused: too many from this address")
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {"hours": reset_link_hours()}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "hours": reset_link_hours()}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        throttle.clear(form.user.email)  # a new password ends a lock-out for the address
        return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class SetPasswordView(PasswordResetConfirmView):
    """The link the office's new expert or office account is mailed (``domain.staff``): its owner sets the
    first password. Works once, while the account is active and has no usable password."""

    template_name = "accounts/set_password.html"
    form_class = NewPasswordForm
    token_generator = set_password_tokens
    success_url = reverse_lazy("accounts:set_password_complete")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "days": SET_PASSWORD_DAYS}

    def form_valid(self, form):
        response = super().form_valid(form)
        record_security_event(SecurityEventKind.ACCOUNT, self.request, user=form.user, identity=form.user.email,
                              detail="first password set with the office's set-password link")
        return response


class SetPasswordCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/set_password_complete.html"
