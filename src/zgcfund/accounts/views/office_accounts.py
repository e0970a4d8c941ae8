"""The office's accounts page (find accounts; create an expert's or office user's account; deactivate or
reactivate one; mail a new set-password link) and the security log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zgcfund.accounts.domain import security_log
from zgcfund.accounts.domain.deactivation import AccountChangeRefused, deactivate_account, reactivate_account
from zgcfund.accounts.domain.queries import accounts_for_office
from zgcfund.accounts.domain.staff import (
    SET_PASSWORD_DAYS,
    StaffAccountRefused,
    awaits_password,
    create_staff_account,
    resend_set_password_link,
)
from zgcfund.accounts.interfaces.forms import (
    AccountFilterForm,
    AccountStatusForm,
    SecurityLogFilterForm,
    StaffAccountForm,
)
from zgcfund.accounts.models import User
from zgcfund.accounts.views.access import allowed, office_required
from zgcfund.audit.models import AuditEvent, SecurityEvent

PER_PAGE = 50


def _page(request, items):
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


@office_required
@require_GET
def accounts(request):
    form = AccountFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page, query = _page(request, accounts_for_office(**{k: v or "" for k, v in filters.items()}))
    return render(request, "office/accounts.html", {"form": form, "page": page, "query": query})


@office_required
@require_http_methods(["GET", "POST"])
def account_new(request):
    """Create an expert's or an office user's account; its owner is mailed a link to set a password."""
    form = StaffAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = create_staff_account(request.user, data["role"], data["email"], data["full_name"],
                                           data.get("phone") or "", absolute_url=request.build_absolute_uri,
                                           request=request)
        except StaffAccountRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            done = {"email": outcome.user.email, "days": SET_PASSWORD_DAYS}
            if outcome.sent is False:
                messages.warning(request, _("已新建账户 %(email)s，但邮件未能发出，请稍后在本页重新发送设置密码链接。") % done)
            else:
                messages.success(request, _("已新建账户 %(email)s，设置密码的链接已发送至该邮箱，%(days)s天内有效。") % done)
            return redirect("office:account_detail", pk=outcome.user.pk)
    return render(request, "office/account_new.html", {"form": form, "days": SET_PASSWORD_DAYS})


@office_required
@require_POST
def account_send_link(request, pk: int):
    """Mail a new set-password link to an account that has no password yet."""
    account = get_object_or_404(User, pk=pk)
    try:
        outcome = resend_set_password_link(account, request.user, absolute_url=request.build_absolute_uri,
                                           request=request)
    except StaffAccountRefused as exc:
        messages.error(request, exc.message)
    else:
        if outcome.sent is False:
            messages.error(request, _("设置密码链接未能发出（邮件服务器出错），请稍后重试。"))
        else:
            messages.success(request, _("已向 %(email)s 重新发送设置密码链接，%(days)s天内有效；此前发送的链接已失效。") % {
                "email": outcome.user.email, "days": SET_PASSWORD_DAYS})
    return redirect("office:account_detail", pk=account.pk)


@office_required
@require_http_methods(["GET", "POST"])
def account_detail(request, pk: int):
    account = get_object_or_404(User.objects.select_related("membership__organization"), pk=pk)
    action = "deactivate" if account.is_active else "reactivate"
    form = AccountStatusForm(request.POST if request.method == "POST" else None, initial={"action": action})
    if request.method == "POST" and form.is_valid():
        change = deactivate_account if form.cleaned_data["action"] == "deactivate" else reactivate_account
        try:
            account = change(account, request.user, reason=form.cleaned_data["reason"], request=request)
        except AccountChangeRefused as exc:
            form.add_error(None, exc.message)
        else:
            done = _("已停用账户 %(email)s，其登录会话已全部结束。") if not account.is_active else _("已恢复账户 %(email)s。")
            messages.success(request, done % {"email": account.email})
            return redirect("office:account_detail", pk=account.pk)
    context = {
        "account": account, "form": form, "action": action,
        "can_change": allowed(request.user, "accounts.change_account", account),
        "awaits_password": awaits_password(account), "days": SET_PASSWORD_DAYS,
        "events": AuditEvent.objects.filter(object_type="User", object_id=str(account.pk)).select_related("actor")[:20],
        "security_events": SecurityEvent.objects.filter(Q(user=account) | Q(identity__iexact=account.email))
        .select_related("user")[:20],
    }
    return render(request, "office/account_detail.html", context)


@office_required
@require_GET
def security_log_page(request):
    form = SecurityLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page, query = _page(request, security_log.search(**{k: v for k, v in filters.items() if v}))
    return render(request, "office/security_log.html", {"form": form, "page": page, "query": query,
                                                        "retention_days": security_log.retention_days()})
