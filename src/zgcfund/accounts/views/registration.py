"""Registration of an organization and its admin user (request, "check your e-mail", confirm); the privacy
notice. The answer to a registration never tells whether the login address already has an account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zgcfund.accounts.domain import PRIVACY_NOTICE_VERSION
from zgcfund.accounts.domain.credit import check_credit_code as run_check
from zgcfund.accounts.domain.registration import (
    CONFIRM_DAYS,
    Registration,
    RegistrationRefused,
    confirm_registration,
    pending_registration,
    request_registration,
)
from zgcfund.accounts.interfaces.forms import RegistrationForm
from zgcfund.audit.domain.security import SecurityEventKind, client_address, record_security_event

BACKEND = "django.contrib.auth.backends.ModelBackend"
SENT_TO = "zgcfund_registration_sent_to"  # session key: the address the "check your e-mail" page names


def _override_context(form: RegistrationForm, check) -> dict:
    data = form.data if form.is_bound else {}
    return {"check": check, "override_checked": bool(data.get("credit_code_override")),
            "override_note": data.get("credit_code_applicant_note", ""),
            "note_errors": form.errors.get("credit_code_applicant_note") if form.is_bound else None}


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        messages.info(request, _("您已登录，无需再次注册。"))
        return redirect("dashboard")
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        reg = Registration(
            name=d["name"], credit_code=d["credit_code"], registration_type=d["registration_type"],
            comprehensive=d["comprehensive"], registers_tech_contracts=d["registers_tech_contracts"],
            contact_name=d["contact_name"], contact_phone=d["contact_phone"], contact_email=d["contact_email"],
            admin_full_name=d["full_name"], admin_email=d["email"], password=d["password1"],
            privacy_accepted=d["privacy_accepted"], credit_code_check_failed=d["credit_code_check_failed"],
            credit_code_applicant_note=d["credit_code_applicant_note"])
        try:
            request_registration(
                reg, address=client_address(request),
                confirm_url=lambda token: request.build_absolute_uri(reverse("accounts:register_confirm", args=[token])),
                login_url=request.build_absolute_uri(reverse("accounts:login")),
                reset_url=request.build_absolute_uri(reverse("accounts:password_reset")))
        except RegistrationRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            if exc.code == "rate_limited":
                record_security_event(SecurityEventKind.RATE_LIMITED, request, identity=d["email"],
                                      status=429, detail="registration refused: rate limited")
                status = 429
        else:  # the same answer whether or not the address already has an account
            request.session[SENT_TO] = d["email"]
            return redirect("accounts:register_sent")
    check = form.credit_check
    if check is None and form.is_bound and form.data.get("credit_code"):
        check = run_check("".join(form.data["credit_code"].split()), form.data.get("registration_type"))
    context = {"form": form, "notice_version": PRIVACY_NOTICE_VERSION,
               **_override_context(form, check)}
    return render(request, "accounts/register.html", context, status=status)


@require_GET
def register_sent(request):
    """"Check your e-mail": shown after every accepted registration, whatever the address."""
    return render(request, "accounts/register_sent.html", {"email": request.session.get(SENT_TO, ""),
                                                           "days": CONFIRM_DAYS})


@require_http_methods(["GET", "POST"])
def register_confirm(request, token: str):
    """The mailed link: GET shows what will be registered (a mail scanner's visit changes nothing),
    POST creates the organization and its admin and signs the admin in."""
    pending = pending_registration(token)
    if pending is None:
        return render(request, "accounts/register_invalid.html", {"days": CONFIRM_DAYS}, status=404)
    context = {"pending": pending, "signed_in": request.user.is_authenticated}
    if request.method == "POST" and not request.user.is_authenticated:
        try:
            org, user = confirm_registration(token)
        except RegistrationRefused as exc:
            context["refusal"] = exc.message
            return render(request, "accounts/register_confirm.html", context, status=409)
        request.session.pop(SENT_TO, None)
        login(request, user, backend=BACKEND)
        messages.success(request, _("注册成功。“%(name)s”已提交项目办公室审核，审核通过前可以先填写申报书，但不能正式提交。")
                         % {"name": org.name})
        return redirect("accounts:organization")
    return render(request, "accounts/register_confirm.html", context)


@require_GET
def check_credit_code(request):
    """htmx: the live credit-code check under the field (no database access: duplicates show on submit)."""
    raw = "".join(request.GET.get("credit_code", "").split())
    check = run_check(raw, request.GET.get("registration_type")) if raw else None
    return render(request, "accounts/_credit_code_check.html", {"check": check})


@require_GET
def privacy(request):
    return render(request, "accounts/privacy.html", {"notice_version": PRIVACY_NOTICE_VERSION})
