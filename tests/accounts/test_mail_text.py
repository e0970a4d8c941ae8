"""E-mail is plain text: names users typed arrive exactly as typed (no HTML entities), quoted and
attributed (申报单位“…”), on one line in the subject, and never as the office's own words."""

from __future__ import annotations

import pytest

from zgcfund.accounts.domain.invitations import invite, send_invitation
from zgcfund.accounts.domain.mail import mail_name
from zgcfund.accounts.domain.review import send_review_notice
from zgcfund.accounts.interfaces.forms import ResetForm
from zgcfund.accounts.models.organization import OrganizationStatus
from zgcfund.accounts.views.auth import PasswordResetView

MARKUP = 'Tom & "Jerry" <b>'
ENTITIES = ("&amp;", "&quot;", "&lt;", "&gt;", "&#x27;", "&#39;")


def plain(message) -> str:
    text = message.subject + "\n" + message.body
    assert not [e for e in ENTITIES if e in text], text
    return text


def test_mail_name_is_one_line_without_control_or_bidi_characters_and_cannot_close_the_quotes():
    assert mail_name(MARKUP) == MARKUP
    assert mail_name("甲协会\r\n抄送：\t项目办公室\u2028") == "甲协会 抄送： 项目办公室"
    assert mail_name("甲\u202e协会\u200b") == "甲协会"
    assert mail_name("甲”已被项目办公室认定为“乙") == "甲’已被项目办公室认定为‘乙"
    assert mail_name(None) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("approved", [True, False])
def test_review_mail_quotes_the_organization_name_verbatim(make_org, mailoutbox, approved):
    org = make_org(MARKUP)
    org.status = OrganizationStatus.APPROVED if approved else OrganizationStatus.REJECTED
    org.review_note = "材料 & 证书 <清晰>"
    org.save()
    assert send_review_notice(org)
    [message] = mailoutbox
    text = plain(message)
    assert message.subject == f"申报单位“{MARKUP}”注册审核{'已通过' if approved else '未通过'}"
    assert f"申报单位“{MARKUP}”在中关村社会组织支持项目管理系统的注册" in message.body
    assert "审核意见：材料 & 证书 <清晰>" in text
    assert org.contact_name not in text  # no user-typed salutation speaking for the office


@pytest.mark.django_db
def test_organization_name_with_a_line_break_keeps_the_subject_on_one_line(make_org, mailoutbox):
    org = make_org("甲协会\n项目办公室通知：请立即汇款")
    assert send_review_notice(org)
    [message] = mailoutbox
    assert message.subject == "申报单位“甲协会 项目办公室通知：请立即汇款”注册审核已通过"
    assert not [line for line in message.body.splitlines() if line.startswith("项目办公室通知")]


@pytest.mark.django_db
def test_invitation_quotes_the_inviter_and_organization_verbatim(make_org, make_user, loaded, mailoutbox):
    org = make_org(MARKUP)
    admin = make_user("tom&jerry@example.org", organization=org, full_name=f"{MARKUP}\n项目办公室")
    invitation, _token = invite(org, admin, "colleague@example.org")
    assert send_invitation(invitation, "https://zgc.example/accounts/invitations/abc/")
    [message] = mailoutbox
    plain(message)
    assert message.subject == f"邀请您加入申报单位“{MARKUP}”的申报填报"
    assert (f"申报单位“{MARKUP}”的账户管理员“{MARKUP} 项目办公室”（tom&jerry@example.org）邀请您以填报人身份加入该单位"
            in message.body)


@pytest.mark.django_db
def test_password_reset_mail_names_the_account_not_a_typed_name(rf, make_user, mailoutbox):
    user = make_user("tom&jerry@example.org", full_name=f"{MARKUP}\n您的账户已冻结，请致电 010-0000")
    form = ResetForm({"email": user.email})
    assert form.is_valid()
    view = PasswordResetView  # the view's own templates, as it sends them
    form.save(request=rf.post("/"), email_template_name=view.email_template_name,
              subject_template_name=view.subject_template_name, extra_email_context={"hours": 2})
    [message] = mailoutbox
    text = plain(message)
    assert "\n" not in message.subject
    assert "我们收到了重置账户 tom&jerry@example.org 在中关村社会组织支持项目管理系统的登录密码的申请" in message.body
    assert "冻结" not in text and "Jerry" not in text
