"""The office's accounts page (find accounts; deactivate or reactivate one) and the security log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zgcfund.accounts.domain import security_log
from zgcfund.accounts.domain.deactivation import AccountChangeRefused, deactivate_account, reactivate_account
from zgcfund.accounts.domain.queries import accounts_for_office
from zgcfund.accounts.interfaces.forms import AccountFilterForm, AccountStatusForm, SecurityLogFilterForm
from zgcfund.accounts.models import User
from zgcfund.accounts.rules import can_change_account
from zgcfund.accounts.views.access import office_required
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
        "account": account, "form": form, "action": action, "can_change": can_change_account(request.user, account),
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
