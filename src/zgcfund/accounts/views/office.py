"""The office's review of registered organizations (mounted under /office/)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zgcfund.accounts.domain.credit import check_credit_code
from zgcfund.accounts.domain.eligibility import eligibility_checklist
from zgcfund.accounts.domain.queries import members_of, organizations_for
from zgcfund.accounts.domain.review import ReviewRefused, review_organization, send_review_notice
from zgcfund.accounts.interfaces.forms import ReviewForm
from zgcfund.accounts.models.organization import OrganizationStatus
from zgcfund.accounts.views.access import office_required
from zgcfund.audit.models import AuditEvent

FILTERS = ("pending", "approved", "rejected", "all")


@office_required
def organizations(request):
    status = request.GET.get("status", "pending")
    if status not in FILTERS:
        status = "pending"
    orgs = organizations_for(request.user).select_related("reviewed_by")
    counts = dict(orgs.values_list("status").annotate(n=Count("pk")).order_by())
    shown = orgs if status == "all" else orgs.filter(status=status)
    if status == "pending":
        shown = shown.order_by("created_at")  # oldest first: first come, first reviewed
    tabs = [(key, label, counts.get(key, 0) if key != "all" else sum(counts.values()))
            for key, label in (("pending", _("待审核")), ("approved", _("已通过")), ("rejected", _("未通过")),
                               ("all", _("全部")))]
    return render(request, "office/organizations.html", {"orgs": shown, "status": status, "tabs": tabs})


@office_required
@require_http_methods(["GET", "POST"])
def organization_detail(request, pk: int):
    org = get_object_or_404(organizations_for(request.user).select_related("reviewed_by"), pk=pk)
    checklist = eligibility_checklist(org)
    form = ReviewForm(request.POST if request.method == "POST" else None, organization=org,
                      eligibility_problems=checklist.problems)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            org = review_organization(org, request.user, approve=d["decision"] == "approve", note=d.get("note", ""),
                                      override_reason=d.get("override_reason", ""),
                                      eligibility_reason=d.get("eligibility_reason", ""))
        except ReviewRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            sent = send_review_notice(org, request.build_absolute_uri(reverse("accounts:organization")))
            done = _("已通过“%(name)s”的注册审核。") if org.is_approved else _("已将“%(name)s”的注册审核结果设为不予通过。")
            messages.success(request, done % {"name": org.name})
            if not sent:
                messages.warning(request, _("审核结果已保存，但通知邮件未能发出，请另行告知联系人 %(email)s。")
                                 % {"email": org.contact_email})
            return redirect(f"{reverse('office:organizations')}?status={OrganizationStatus.PENDING}")
    context = {"org": org, "form": form, "check": check_credit_code(org.credit_code, org.registration_type),
               "checklist": checklist,
               "members": members_of(org),
               "events": AuditEvent.objects.filter(organization=org, action__startswith="organization.")
               .select_related("actor")[:20]}
    return render(request, "office/organization_detail.html", context)
