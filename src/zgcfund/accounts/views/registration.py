"""Registration of an organization and its admin user; the privacy notice."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zgcfund.accounts.domain import PRIVACY_NOTICE_VERSION
from zgcfund.accounts.domain.credit import check_credit_code as run_check
from zgcfund.accounts.domain.registration import Registration, RegistrationRefused, register_organization
from zgcfund.accounts.interfaces.forms import RegistrationForm

BACKEND = "django.contrib.auth.backends.ModelBackend"


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
            org, user = register_organization(reg)
        except RegistrationRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("注册成功。“%(name)s”已提交项目办公室审核，审核通过前可以先填写申报书，但不能正式提交。")
                             % {"name": org.name})
            return redirect("accounts:organization")
    check = form.credit_check
    if check is None and form.is_bound and form.data.get("credit_code"):
        check = run_check("".join(form.data["credit_code"].split()), form.data.get("registration_type"))
    context = {"form": form, "notice_version": PRIVACY_NOTICE_VERSION,
               **_override_context(form, check)}
    return render(request, "accounts/register.html", context)


@require_GET
def check_credit_code(request):
    """htmx: the live credit-code check under the field (no database access: duplicates show on submit)."""
    raw = "".join(request.GET.get("credit_code", "").split())
    check = run_check(raw, request.GET.get("registration_type")) if raw else None
    return render(request, "accounts/_credit_code_check.html", {"check": check})


@require_GET
def privacy(request):
    return render(request, "accounts/privacy.html", {"notice_version": PRIVACY_NOTICE_VERSION})
