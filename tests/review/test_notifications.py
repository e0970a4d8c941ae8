"""Everyone knows where they stand (issue 12): every step that concerns someone sends an e-mail and writes
an inbox notice, after the transaction commits, to exactly the people concerned.

Applicant notices go to the organization's active members (mail and inbox) and its contact e-mail (mail
only); they never name an expert. An expert's assignment mail goes to that expert only and names no other
expert. An objection tells the organization concerned (never the objector) and the office staff. Nothing
is sent when the change rolls back; a failing mail server does not undo the change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from tests.review.test_expert import K31, K31_B, passed_application, png
from tests.review.test_ranking_web import same

from zgcfund import cli
from zgcfund.accounts.models import InboxNotice
from zgcfund.accounts.models.organization import MemberRole
from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain import workflow
from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.domain.evidence import store_commitment_scan
from zgcfund.applications.domain.submission import content_version, submit_application, withdraw_application
from zgcfund.programmes.domain import clock
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import plan as plans
from zgcfund.review.domain import selection as selecting
from zgcfund.review.domain.formal import decide
from zgcfund.review.domain.reminders import send_due_reminders
from zgcfund.review.models import Assignment

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def inbox_of(user) -> list[InboxNotice]:
    return list(InboxNotice.objects.filter(user=user).order_by("created_at", "pk"))


@pytest.fixture
def team(make_user, org, applicant):
    """The organization's people: its admin (``applicant``), an editor, a deactivated member."""
    editor = make_user("editor@ai-assoc.example", organization=org, member_role=MemberRole.EDITOR, full_name="钱填报")
    gone = make_user("gone@ai-assoc.example", organization=org, member_role=MemberRole.EDITOR, full_name="孙离职")
    gone.is_active = False
    gone.save()
    return {"admin": applicant, "editor": editor, "gone": gone}


@pytest.fixture
def ready(application, applicant, open_window):
    """An application with one counted K3.1 record and the sealed commitment, not yet submitted."""
    save_record(application, applicant, "K3.1", K31)
    application.refresh_from_db()
    commitment = store_commitment_scan(application, applicant, png(name="承诺书.png"))
    application.refresh_from_db()
    return application, commitment


def submit(application, user, commitment):
    from unittest import mock

    from zgcfund.applications.domain import submission

    with mock.patch.object(submission, "_render_pdf", lambda *args, **kwargs: b"%PDF-1.4\n%stand-in\n"):
        submit_application(application, user, commitment_accepted=True, commitment=commitment,
                           opened_version=content_version(application))
    application.refresh_from_db()


def organization_addresses(org, team) -> set[str]:
    return {team["admin"].email, team["editor"].email, org.contact_email}


# --- submission, formal review, withdrawal --------------------------------------------------------------

def test_submission_is_confirmed_to_every_active_member_and_the_contact(ready, team, org, office_user, other_applicant,
                                                                        django_capture_on_commit_callbacks):
    application, commitment = ready
    with django_capture_on_commit_callbacks(execute=True):
        submit(application, team["admin"], commitment)
    assert {m.to[0] for m in mail.outbox} == organization_addresses(org, team)
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees the others' addresses
    message = mails_to(org.contact_email)[0]
    assert "申报书已提交（第 1 次提交）" in message.subject
    assert "北京市中关村人工智能产业协会" in message.body and "形式审查" in message.body
    assert f"/applications/{application.pk}/status/" in message.body
    # inbox: the active members only (the contact address is no account; the deactivated member gets nothing)
    for who in ("admin", "editor"):
        [notice] = inbox_of(team[who])
        assert notice.key == "application.submitted" and notice.read_at is None
        assert notice.title == message.subject and notice.link == f"/applications/{application.pk}/status/"
    assert inbox_of(team["gone"]) == [] and not mails_to(team["gone"].email)
    assert inbox_of(office_user) == [] and inbox_of(other_applicant) == []
    assert "王管理" not in message.body  # no person is named (not even who submitted)


def test_return_carries_the_general_and_the_record_comments(submitted_application, team, org, office_user,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decide(submitted_application, office_user, "returned", "请补充活动签到表。", {"K3.1-001": "现场照片不清晰，请重新上传。"})
    assert {m.to[0] for m in mail.outbox} == organization_addresses(org, team)
    message = mails_to(team["editor"].email)[0]
    assert "退回修改" in message.subject
    assert "请补充活动签到表。" in message.body
    assert "记录 K3.1-001（“人工智能产业对接会”）：现场照片不清晰，请重新上传。" in message.body
    assert f"/applications/{submitted_application.pk}/" in message.body
    assert "赵办公室" not in message.body and office_user.email not in message.body  # not who decided
    [notice] = inbox_of(team["editor"])
    assert notice.key == "application.returned" and "现场照片不清晰" in notice.body
    assert notice.link == f"/applications/{submitted_application.pk}/"
    assert inbox_of(office_user) == []


def test_passing_formal_review_tells_the_organization_what_comes_next(submitted_application, team, org, office_user,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decide(submitted_application, office_user, "passed", "", {})
    assert {m.to[0] for m in mail.outbox} == organization_addresses(org, team)
    message = mails_to(team["admin"].email)[0]
    assert "通过形式审查" in message.subject and "专家评审" in message.body
    assert [n.key for n in inbox_of(team["admin"])] == ["application.formal_passed"]


def test_withdrawal_is_confirmed_with_the_reason(submitted_application, team, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_application(submitted_application, team["editor"], "本年度不再申报", confirmed=True)
    assert {m.to[0] for m in mail.outbox} == organization_addresses(org, team)
    message = mails_to(org.contact_email)[0]
    assert "已撤回" in message.subject and "本年度不再申报" in message.body and "钱填报" not in message.body
    assert [n.key for n in inbox_of(team["admin"])] == ["application.withdrawn"]


def test_contact_address_of_a_member_gets_one_mail(submitted_application, org, applicant, office_user,
                                                   django_capture_on_commit_callbacks):
    org.contact_email = applicant.email.upper()
    org.save()
    with django_capture_on_commit_callbacks(execute=True):
        decide(submitted_application, office_user, "passed", "", {})
    assert [m.to for m in mail.outbox] == [[applicant.email]]


# --- commit, rollback, a broken mail server ---------------------------------------------------------------

def test_nothing_is_sent_when_the_change_rolls_back(submitted_application, team, office_user,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            decide(submitted_application, office_user, "returned", "请补充。", {})
            raise RuntimeError("something later failed")
    assert callbacks == [] and mail.outbox == [] and not InboxNotice.objects.exists()
    submitted_application.refresh_from_db()
    assert submitted_application.status == workflow.SUBMITTED


def test_nothing_is_sent_before_the_commit(submitted_application, office_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decide(submitted_application, office_user, "passed", "", {})
    assert len(callbacks) == 1 and mail.outbox == [] and not InboxNotice.objects.exists()


def test_a_failing_mail_server_does_not_undo_the_change(submitted_application, team, office_user, settings,
                                                        django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        review = decide(submitted_application, office_user, "returned", "请补充。", {})
    submitted_application.refresh_from_db()
    assert review.pk and submitted_application.status == workflow.RETURNED
    assert mail.outbox == []
    assert [n.key for n in inbox_of(team["admin"])] == ["application.returned"]  # the inbox still has it


def test_a_failing_sender_never_raises_into_the_request(submitted_application, office_user, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    from zgcfund.accounts.domain import inbox

    def broken(*args, **kwargs):
        raise RuntimeError("template missing")
    monkeypatch.setattr(inbox, "deliver", broken)
    with django_capture_on_commit_callbacks(execute=True):
        decide(submitted_application, office_user, "passed", "", {})
    submitted_application.refresh_from_db()
    assert submitted_application.status == workflow.FORMAL_PASSED


# --- experts ---------------------------------------------------------------------------------------------

@pytest.fixture
def passed(org, applicant, office_user, open_window):
    return passed_application(org, applicant, office_user)


@pytest.fixture
def experts(make_user):
    return [make_user(f"expert{n}@zgc.example", role=Role.EXPERT, full_name=f"专家{n}号") for n in (1, 2)]


def test_an_assignment_is_mailed_to_its_expert_only(passed, experts, org, team, office_user,
                                                    django_capture_on_commit_callbacks):
    first, second = experts
    with django_capture_on_commit_callbacks(execute=True):
        assigning.assign(passed, experts, office_user)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.email for e in experts)  # start_review tells nobody else
    for expert, other in ((first, second), (second, first)):
        [message] = mails_to(expert.email)
        assert "北京市中关村人工智能产业协会" in message.subject
        assert other.full_name not in message.body and other.email not in message.body
        assert expert.full_name not in message.body  # no names at all
        assignment = Assignment.objects.get(application=passed, expert=expert)
        [notice] = inbox_of(expert)
        assert notice.key == "review.assigned" and notice.link == f"/expert/reviews/{assignment.pk}/"
    assert inbox_of(team["admin"]) == [] and not mails_to(org.contact_email)


def test_no_applicant_mail_ever_names_an_expert(ready, team, org, experts, office_user, loaded,
                                                django_capture_on_commit_callbacks):
    """The whole road from submission to the end of the notice period, as the organization receives it."""
    application, commitment = ready
    save_record(application, team["admin"], "K3.1", K31_B)
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        submit(application, team["admin"], commitment)
        decide(application, office_user, "passed", "", {})
        assigning.assign(application, experts, office_user)
        for assignment in Assignment.objects.filter(application=application):
            assigning.unassign(assignment, office_user)
        withdraw_application(application, team["admin"], "不再申报", confirmed=True)
    applicant_mails = [m for m in mail.outbox if m.to[0] in organization_addresses(org, team)]
    assert len(applicant_mails) == 3 * 3  # submitted, formal_passed, withdrawn; to three addresses each
    for message in applicant_mails:
        for expert in experts:
            assert expert.full_name not in message.subject + message.body
            assert expert.email not in message.subject + message.body
        assert "专家" not in message.subject
    bodies = " ".join(n.body + n.title for n in InboxNotice.objects.filter(user__in=[team["admin"], team["editor"]]))
    assert all(e.full_name not in bodies and e.email not in bodies for e in experts)


def test_review_due_date_is_named_and_reminded_once(passed, experts, office_user, loaded, settings,
                                                    django_capture_on_commit_callbacks):
    due = clock.today() + dt.timedelta(days=5)
    plans.set_review_due(loaded.code, due, office_user)
    with django_capture_on_commit_callbacks(execute=True):
        assigning.assign(passed, experts, office_user)
    assert all(f"请于 {due.isoformat()} 前提交评审意见" in m.body for m in mail.outbox)
    Assignment.objects.filter(expert=experts[1]).update(submitted_at=clock.now())  # the second has submitted
    mail.outbox.clear()
    assert send_due_reminders(days=3) == 0  # five days before: too early
    settings.ZGCFUND_CLOCK_DATE = (due - dt.timedelta(days=2)).isoformat()
    call_command("remind", "--days", "3")
    [message] = mail.outbox
    assert message.to == [experts[0].email] and due.isoformat() in message.subject
    assert "北京市中关村人工智能产业协会" in message.body and experts[1].full_name not in message.body
    assert [n.key for n in inbox_of(experts[0])] == ["review.assigned", "review.due"]
    assert send_due_reminders(days=3) == 0  # once per due date
    plans.set_review_due(loaded.code, due + dt.timedelta(days=1), office_user)  # a moved date reminds again
    assert cli.main(["remind", "--days", "3"]) == 0
    assert len(mail.outbox) == 2


def test_the_expert_task_list_shows_the_due_date_and_marks_it_passed(client, passed, experts, office_user, loaded,
                                                                      settings):
    due = clock.today() + dt.timedelta(days=5)
    plans.set_review_due(loaded.code, due, office_user)
    _first, second = assigning.assign(passed, experts, office_user)
    Assignment.objects.filter(pk=second.pk).update(submitted_at=clock.now())
    client.force_login(experts[0])
    page = client.get(reverse("expert:tasks")).content.decode()
    assert due.isoformat() in page and "已过截止日" not in page
    settings.ZGCFUND_CLOCK_DATE = (due + dt.timedelta(days=1)).isoformat()
    page = client.get(reverse("expert:tasks")).content.decode()
    assert "已过截止日" in page  # its own review, not submitted
    client.force_login(experts[1])
    assert "已过截止日" not in client.get(reverse("expert:tasks")).content.decode()  # submitted in time


def test_no_reminder_without_a_due_date(passed, experts, office_user):
    assigning.assign(passed, experts, office_user)
    assert send_due_reminders(days=30) == 0 and mail.outbox == []


def test_the_office_sets_and_clears_the_due_date_on_the_assignment_page(client, office_user, loaded, settings):
    client.force_login(office_user)
    target = f"/office/assign/{loaded.code}/due/"
    page = client.post(target, {"review_due_on": "2025-10-10"}, follow=True).content.decode()
    assert "2025-10-10" in page and plans.plan_for(loaded.code).review_due_on == dt.date(2025, 10, 10)
    page = client.post(target, {"review_due_on": "2025-09-01"}, follow=True).content.decode()
    assert "不能早于今天" in page and plans.plan_for(loaded.code).review_due_on == dt.date(2025, 10, 10)
    page = client.post(target, {"review_due_on": "十月"}, follow=True).content.decode()
    assert "请填写日期" in page
    client.post(target, {"clear": "1"})
    assert plans.plan_for(loaded.code).review_due_on is None


# --- selection, notice period, objections ------------------------------------------------------------------

@pytest.fixture
def two(seed):
    return [seed.application("甲协会", scores=same("12", "8")), seed.application("乙协会", scores=same("3", "3"))]


def published_selection(loaded, office_user, capture=None):
    draft = selecting.save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user)
    selection = selecting.confirm(draft, office_user)
    if capture is None:
        return selecting.publish(selection, office_user, 7)
    with capture(execute=True):
        return selecting.publish(selection, office_user, 7)


def test_publication_tells_each_organization_its_outcome_and_what_comes_next(two, loaded, office_user, seed, settings,
                                                                             django_capture_on_commit_callbacks):
    chosen, other = two
    selection = published_selection(loaded, office_user, django_capture_on_commit_callbacks)
    end = selection.notice_ends_on.isoformat()
    yes = mails_to(chosen.organization.contact_email)[0]
    assert "已入选" in yes.subject and f"公示期至 {end}" in yes.body and "签订支持合同" in yes.body
    assert f"/public/{loaded.code}/" in yes.body
    no = mails_to(other.organization.contact_email)[0]
    assert "未入选" in no.subject and f"公示期至 {end}" in no.body and "感谢" in no.body and "异议" in no.body
    member = chosen.organization.memberships.get().user
    assert [n.key for n in inbox_of(member)] == ["application.selected"]
    assert not any(m.to[0] in {e.email for e in seed.experts} for m in mail.outbox)
    for message in mail.outbox:
        assert not any(e.full_name in message.body for e in seed.experts)
    mail.outbox.clear()
    settings.ZGCFUND_CLOCK_DATE = (selection.notice_ends_on + dt.timedelta(days=1)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        selecting.end_notice(selection, None)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, chosen.organization.contact_email])
    assert "公示期满" in mail.outbox[0].subject and "签订支持合同" in mail.outbox[0].body
    assert [n.key for n in inbox_of(member)] == ["application.selected", "application.published"]


def test_an_objection_tells_the_organization_not_who_objected_and_the_office(two, loaded, office_user, make_user,
                                                                              django_capture_on_commit_callbacks):
    colleague = make_user("office2@zgc.example", role=Role.OFFICE, full_name="周办公室")
    chosen, other = two
    selection = published_selection(loaded, office_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        selecting.record_objection(selection, office_user, application_id=chosen.pk, received_on=clock.today(),
                                   submitter_name="吴异议", submitter_unit="北京某某研究会",
                                   content="活动照片与其他单位重复。")
    member = chosen.organization.memberships.get().user
    to_org = mails_to(chosen.organization.contact_email) + mails_to(member.email)
    assert len(to_org) == 2
    for message in to_org:
        assert "异议" in message.subject and "正在按规定核实处理" in message.body
        for secret in ("吴异议", "北京某某研究会", "照片与其他单位重复"):
            assert secret not in message.body and secret not in message.subject
    [notice] = inbox_of(member)
    assert notice.key == "selection.objection" and "吴异议" not in notice.body
    to_office = mails_to(office_user.email) + mails_to(colleague.email)
    assert len(to_office) == 2 and all("甲协会" in m.subject for m in to_office)
    assert [n.link for n in inbox_of(colleague)] == [f"/office/selection/saved/{selection.pk}/"]
    assert "吴异议" not in inbox_of(colleague)[0].body  # no one else's personal data in an inbox
    other_member = other.organization.memberships.get().user
    assert inbox_of(other_member) == [] and not mails_to(other.organization.contact_email)


def test_later_stages_have_senders_for_every_declared_key():
    from zgcfund.applications.domain.notifications import SENDERS

    declared = {key for t in workflow.TRANSITION_LIST for key in t.notify}
    assert declared <= set(SENDERS)


def test_later_stage_notices_render(application, applicant, loaded, django_capture_on_commit_callbacks):
    from zgcfund.applications.domain import notifications

    for key in ("application.contracted", "application.report_due", "application.accepted", "application.failed"):
        assert notifications.dispatch(key, application.pk, None) is True
    assert len(inbox_of(applicant)) == 4 and all(n.title and "您好" in n.body for n in inbox_of(applicant))
