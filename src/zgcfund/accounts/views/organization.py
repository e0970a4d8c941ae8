"""The organization page, its edit form, members and invitations (the organization's own users only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zgcfund.accounts.domain import invitations as invitation_service
from zgcfund.accounts.domain.credit import check_credit_code
from zgcfund.accounts.domain.deactivation import remove_member
from zgcfund.accounts.domain.eligibility import DECLARATION_TEXT
from zgcfund.accounts.domain.organizations import (
    OrganizationEditRefused,
    update_eligibility_profile,
    update_organization,
)
from zgcfund.accounts.domain.queries import invitations_of, members_of, open_invitations_of
from zgcfund.accounts.interfaces.forms import (
    AcceptInvitationForm,
    EligibilityProfileForm,
    InvitationForm,
    OrganizationEditForm,
)
from zgcfund.accounts.models import Organization
from zgcfund.accounts.views.access import allowed, own_organization
from zgcfund.audit.domain.downloads import record_download
from zgcfund.audit.domain.security import SecurityEventKind, record_security_event


@login_required
def organization(request):
    if allowed(request.user, "accounts.access_office"):
        return redirect("office:organizations")
    org = own_organization(request)
    context = {"org": org, "is_admin": allowed(request.user, "accounts.manage_members", org),
               "check": check_credit_code(org.credit_code, org.registration_type)}
    return render(request, "accounts/organization.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organization_profile(request):
    """The eligibility profile (资格材料) the office checks before approving: the organization's admin only."""
    org = _admin_org(request)
    form = EligibilityProfileForm(request.POST if request.method == "POST" else None,
                                  request.FILES if request.method == "POST" else None, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            update_eligibility_profile(org, request.user, form.cleaned_data,
                                       certificate=form.cleaned_data.get("certificate"))
        except OrganizationEditRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("资格材料已保存。"))
            return redirect("accounts:organization")
    return render(request, "accounts/organization_profile.html",
                  {"org": org, "form": form, "declaration": DECLARATION_TEXT})


@login_required
@require_http_methods(["GET", "HEAD"])
def organization_certificate(request, pk: int):
    """The registration certificate scan: the organization's own members and the office only (others 404)."""
    user = request.user
    org = get_object_or_404(Organization.objects.exclude(certificate=""), pk=pk)
    if not allowed(user, "accounts.view_organization", org):
        raise Http404
    try:
        handle = org.certificate.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=org.certificate_content_type or "application/octet-stream",
                            as_attachment=request.GET.get("download") == "1",
                            filename=org.certificate_name or "certificate")
    if request.method == "GET" and getattr(user, "is_office", False):
        record_download(request, "download.certificate",
                        _("下载“%(name)s”的登记证书扫描件") % {"name": org.name}, organization=org, obj=org)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request):
    org = own_organization(request)
    if not allowed(request.user, "accounts.change_organization", org):
        raise PermissionDenied
    form = OrganizationEditForm(request.POST if request.method == "POST" else None, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            was_rejected = org.status == "rejected"
            org = update_organization(org, request.user, form.cleaned_data)
        except OrganizationEditRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("单位信息已保存，已重新提交项目办公室审核。") if was_rejected else _("单位信息已保存。"))
            return redirect("accounts:organization")
    check = form.credit_check
    if check is None and "credit_code" in form.fields:
        code = form.data.get("credit_code") if form.is_bound else org.credit_code
        check = check_credit_code("".join((code or "").split()), form.data.get("registration_type")
                                  if form.is_bound else org.registration_type) if code else None
    data = form.data if form.is_bound else {}
    context = {"org": org, "form": form, "check": check,
               "override_checked": bool(data.get("credit_code_override")) if form.is_bound
               else org.credit_code_check_failed,
               "override_note": data.get("credit_code_applicant_note", "") if form.is_bound
               else org.credit_code_applicant_note,
               "note_errors": form.errors.get("credit_code_applicant_note") if form.is_bound else None}
    return render(request, "accounts/organization_edit.html", context)


def _admin_org(request):
    org = own_organization(request)
    if not allowed(request.user, "accounts.manage_members", org):
        raise PermissionDenied
    return org


@login_required
@require_http_methods(["GET", "POST"])
def members(request):
    """Member list, open invitations and the invitation form (the organization's admin only)."""
    org = _admin_org(request)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = invitation_service.invite(org, request.user, form.cleaned_data["email"])
        except invitation_service.InvitationRefused as exc:
            if exc.code == "rate_limited":
                record_security_event(SecurityEventKind.RATE_LIMITED, request, identity=form.cleaned_data["email"],
                                      detail=f"invitation refused: organization {org.pk} over its limit")
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            url = request.build_absolute_uri(reverse("accounts:invitation_accept", args=[token]))
            if invitation_service.send_invitation(invitation, url):
                messages.success(request, _("已向 %(email)s 发送邀请邮件，链接7天内有效。") % {"email": invitation.email})
            else:
                messages.warning(request, _("邀请已创建，但邮件未能发出。请撤销后重新邀请，或联系项目办公室。"))
            return redirect("accounts:members")
    context = {"org": org, "form": form, "members": members_of(org), "open_invitations": open_invitations_of(org),
               "can_invite": org.is_approved,
               "past_invitations": invitations_of(org).exclude(pk__in=open_invitations_of(org).values("pk"))[:20]}
    return render(request, "accounts/members.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request, pk: int):
    """Confirm, then remove a member of the admin's own organization (its account is deactivated)."""
    org = _admin_org(request)
    member = get_object_or_404(members_of(org), pk=pk)
    if not allowed(request.user, "accounts.remove_member", member):
        raise PermissionDenied
    if request.method == "POST":
        user = remove_member(member, request.user, request=request)
        messages.success(request, _("已将 %(name)s（%(email)s）移出本单位，其账户已停用。")
                         % {"name": user.full_name, "email": user.email})
        return redirect("accounts:members")
    return render(request, "accounts/member_remove.html", {"org": org, "member": member})


@login_required
@require_POST
def invitation_revoke(request, pk: int):
    org = _admin_org(request)
    invitation = get_object_or_404(invitations_of(org), pk=pk)
    try:
        invitation_service.revoke_invitation(invitation, request.user)
    except invitation_service.InvitationRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销对 %(email)s 的邀请。") % {"email": invitation.email})
    return redirect("accounts:members")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation = invitation_service.find_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "signed_in": True})
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_service.accept_invitation(token, full_name=form.cleaned_data["full_name"],
                                                        password=form.cleaned_data["password1"],
                                                        privacy_accepted=form.cleaned_data["privacy_accepted"])
        except invitation_service.InvitationRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("欢迎加入“%(org)s”。") % {"org": invitation.organization.name})
            return redirect("dashboard")
    return render(request, "accounts/invitation_accept.html",
                  {"invitation": invitation, "form": form})
