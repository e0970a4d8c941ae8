"""Reporting during the implementation period (issue 13 § Reporting during the period): report rounds with due
dates, extensions (also after the due date; the latest counts), the overdue list, the organization's delivery
figures (checked with the clause's field specs), extra work, evidence, submitting (frozen; late marked), the
office's return (comment required; reopens) and acceptance, permissions, reminders once per due date."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from tests.implementation.test_contracts import plan, sign

from zgcfund.applications.domain import workflow
from zgcfund.audit.models import AuditEvent
from zgcfund.files.types import EvidenceRejected
from zgcfund.implementation.domain import reminders
from zgcfund.implementation.domain import reports as domain
from zgcfund.implementation.domain.reports import ReportInvalid, ReportRefused
from zgcfund.implementation.models import Commitment, ReportRound, ReportStatus, RoundKind

pytestmark = pytest.mark.django_db

def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PNG = _png()
DUE = dt.date(2025, 12, 20)


@pytest.fixture
def contracted(awaiting, office_user):
    """甲 and 乙 under contract; 甲's commitments R2 (K3.1) and R3 (P5)."""
    first, second, _selection = awaiting
    contract = sign(first, office_user)
    sign(second, office_user, amount="10", tranches=plan("10"))
    first.refresh_from_db()
    second.refresh_from_db()
    return first, second, contract


@pytest.fixture
def report_round(contracted, office_user):
    return domain.save_round(contracted[0].programme_code, office_user, name="K1.3 2025年1—11月营收表",
                             kind=RoundKind.K13_2025, due_on=DUE, asks="上传营收表")


def at(settings, day: dt.date) -> None:
    settings.ZGCFUND_CLOCK_DATE = day.isoformat()


def member(app):
    return app.organization.memberships.first().user


def commitments(contract):
    return {c.record_key: c for c in contract.commitments.all()}


def png(name="活动照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def deliver_all(contract, user):
    c = commitments(contract)
    domain.update_commitment_delivery(c["R2"], user, reported_status="delivered",
                                      delivered={"park": "海淀园", "participants": 130},
                                      delivered_on=dt.date(2025, 12, 1))
    domain.update_commitment_delivery(c["R3"], user, reported_status="not_delivered", delivered={},
                                      delivered_on=None, note="研究延期至2026年")


# --- rounds and due dates -------------------------------------------------------------------------------------

def test_round_is_set_by_the_office_only(contracted, office_user):
    app = contracted[0]
    with pytest.raises(ReportRefused):
        domain.save_round(app.programme_code, member(app), name="进度", kind="progress", due_on=DUE)
    with pytest.raises(ReportInvalid) as exc:
        domain.save_round(app.programme_code, office_user, name="", kind="nonsense", due_on=None)
    assert set(exc.value.errors) == {"name", "kind", "due_on"}
    row = domain.save_round(app.programme_code, office_user, name="进度报告", kind="progress", due_on=DUE)
    domain.save_round(app.programme_code, office_user, name="进度报告（修订）", kind="progress",
                      due_on=DUE + dt.timedelta(days=5), report_round=row)
    row.refresh_from_db()
    assert (row.name, row.due_on) == ("进度报告（修订）", DUE + dt.timedelta(days=5))
    assert AuditEvent.objects.filter(action__in=["report.round_create", "report.round_edit"]).count() == 2


def test_extension_also_after_the_due_date_and_the_latest_counts(contracted, report_round, office_user, settings,
                                                                 mailoutbox, django_capture_on_commit_callbacks):
    first, second, _contract = contracted
    at(settings, DUE + dt.timedelta(days=3))
    assert domain.is_overdue(report_round, first) and domain.is_overdue(report_round, second)
    assert {(o.application.pk, o.days, o.round.pk) for o in domain.overdue(first.programme_code)} == {
        (first.pk, 3, report_round.pk), (second.pk, 3, report_round.pk)}
    with pytest.raises(ReportInvalid) as exc:
        domain.extend(report_round, first, office_user, due_on=DUE + dt.timedelta(days=10), reason=" ")
    assert "reason" in exc.value.errors
    with pytest.raises(ReportRefused):
        domain.extend(report_round, first, member(first), due_on=DUE + dt.timedelta(days=10), reason="疫情")
    with django_capture_on_commit_callbacks(execute=True):
        domain.extend(report_round, first, office_user, due_on=DUE + dt.timedelta(days=10), reason="财务审计未完成")
    domain.extend(report_round, first, office_user, due_on=DUE + dt.timedelta(days=5), reason="改为五天")
    assert domain.due_on(report_round, first) == DUE + dt.timedelta(days=5)  # the latest counts
    assert domain.due_on(report_round, second) == DUE
    assert not domain.is_overdue(report_round, first)
    assert [o.application.pk for o in domain.overdue(first.programme_code)] == [second.pk]
    assert any("延期" in m.subject and "财务审计未完成" in m.body for m in mailoutbox)
    # later the extended date passes too
    at(settings, DUE + dt.timedelta(days=7))
    late = {o.application.pk: o.days for o in domain.overdue(first.programme_code)}
    assert late == {first.pk: 2, second.pk: 7}


def test_overdue_ends_when_submitted_even_late(contracted, report_round, settings):
    first = contracted[0]
    at(settings, DUE + dt.timedelta(days=1))
    report = domain.report_for(report_round, contracted[2])
    assert domain.is_overdue(report_round, first)  # a draft is not a report
    submission = domain.submit_report(report, member(first))
    assert submission.late and "逾期" in AuditEvent.objects.get(action="report.submit").summary
    assert not domain.is_overdue(report_round, first)
    assert [o.application.pk for o in domain.overdue(first.programme_code)] == [contracted[1].pk]


def test_on_time_submission_is_not_late(contracted, report_round, settings):
    at(settings, DUE)
    submission = domain.submit_report(domain.report_for(report_round, contracted[2]), member(contracted[0]))
    assert not submission.late


# --- the organization's delivery ---------------------------------------------------------------------------------

def test_delivery_figures_are_checked_with_the_clause_fields(contracted):
    first, _second, contract = contracted
    c = commitments(contract)
    user = member(first)
    with pytest.raises(ReportInvalid) as exc:
        domain.update_commitment_delivery(c["R2"], user, reported_status="delivered",
                                          delivered={"participants": -3}, delivered_on=dt.date(2025, 12, 1))
    assert "park" in exc.value.errors and "participants" in exc.value.errors
    assert "园区" in exc.value.errors["park"]
    with pytest.raises(ReportInvalid) as exc:
        domain.update_commitment_delivery(c["R2"], user, reported_status="partly_delivered",
                                          delivered={"participants": 40}, delivered_on=dt.date(2025, 12, 1))
    assert set(exc.value.errors) == {"note"}  # partly delivered needs a note, not every required figure
    domain.update_commitment_delivery(c["R2"], user, reported_status="partly_delivered",
                                      delivered={"participants": 40}, delivered_on=dt.date(2025, 12, 1),
                                      note="场地受限")
    row = Commitment.objects.get(pk=c["R2"].pk)
    assert (row.reported_status, row.delivered, row.delivery_note) == ("partly_delivered", {"participants": 40}, "场地受限")
    assert row.status == "pending"  # the office's verification is untouched
    with pytest.raises(ReportInvalid) as exc:
        domain.update_commitment_delivery(c["R3"], user, reported_status="not_delivered", delivered={},
                                          delivered_on=None, note="")
    assert "note" in exc.value.errors


def test_other_organization_and_office_cannot_report(contracted, office_user):
    _first, second, contract = contracted
    c = commitments(contract)
    for who in (member(second), office_user):
        with pytest.raises(ReportRefused):
            domain.update_commitment_delivery(c["R2"], who, reported_status="delivered",
                                              delivered={"park": "海淀园"}, delivered_on=dt.date(2025, 12, 1))


def test_extra_work(contracted):
    first, _second, contract = contracted
    user = member(first)
    with pytest.raises(ReportInvalid) as exc:
        domain.add_extra_work(contract, user, clause="K3.1", title="", date=None, fields={})
    assert {"title", "date"} <= set(exc.value.errors)
    with pytest.raises(ReportInvalid) as exc:
        domain.add_extra_work(contract, user, clause="K3.1", title="新增沙龙", date=dt.date(2025, 11, 5), fields={})
    assert "park" in exc.value.errors
    one = domain.add_extra_work(contract, user, clause="K3.1", title="新增沙龙", date=dt.date(2025, 11, 5),
                                fields={"park": "丰台园", "participants": 30})
    two = domain.add_extra_work(contract, user, clause="P5", title="补充研究", date=dt.date(2025, 11, 6),
                                fields={"type": "commissioned"})
    assert (one.record_key, two.record_key, one.origin) == ("X-1", "X-2", "extra")
    assert one.delivered == {"park": "丰台园", "participants": 30} and one.reported_status == "delivered"
    domain.delete_extra_work(one, user)
    assert domain.next_extra_key(contract) == "X-3"  # keys are not reused
    with pytest.raises(ReportRefused):
        domain.delete_extra_work(commitments(contract)["R2"], user)


def test_evidence_is_checked_by_content(contracted):
    first, _second, contract = contracted
    c = commitments(contract)["R2"]
    user = member(first)
    with pytest.raises(EvidenceRejected):
        domain.store_evidence(c, user, SimpleUploadedFile("照片.png", b"MZ\x90\x00 not an image at all"), kind="photos")
    with pytest.raises(ReportInvalid):
        domain.store_evidence(c, user, png(), kind="licence")  # not a kind of K3.1
    row = domain.store_evidence(c, user, png(), kind="photos")
    assert (row.kind, row.size, row.content_type) == ("photos", len(PNG), "image/png")
    with pytest.raises(EvidenceRejected, match="相同文件"):
        domain.store_evidence(c, user, png("again.png"), kind="photos")
    domain.delete_evidence(row, user)
    assert not c.evidence.exists()


# --- submit, return, accept ------------------------------------------------------------------------------------

def test_submit_freezes_return_reopens_accept(contracted, report_round, office_user, settings, mailoutbox,
                                              django_capture_on_commit_callbacks):
    first, _second, contract = contracted
    user = member(first)
    at(settings, DUE - dt.timedelta(days=2))
    deliver_all(contract, user)
    r2 = commitments(contract)["R2"]
    domain.store_evidence(r2, user, png(), kind="photos")
    domain.add_extra_work(contract, user, clause="K3.1", title="新增沙龙", date=dt.date(2025, 11, 5),
                          fields={"park": "丰台园"})
    report = domain.report_for(report_round, contract)
    with django_capture_on_commit_callbacks(execute=True):
        submission = domain.submit_report(report, user, summary="按计划实施")
    assert report.status == ReportStatus.SUBMITTED and submission.number == 1 and not submission.late
    doc = submission.document
    frozen = {c["record_key"]: c for c in doc["commitments"]}
    assert frozen["R2"]["delivered"] == {"park": "海淀园", "participants": 130}
    assert frozen["R2"]["evidence"][0]["name"] == "活动照片.png" and len(frozen["R2"]["evidence"][0]["sha256"]) == 64
    assert frozen["R3"]["reported_status"] == "not_delivered" and frozen["R3"]["note"] == "研究延期至2026年"
    assert [x["record_key"] for x in doc["extra_work"]] == ["X-1"] and doc["summary"] == "按计划实施"
    assert submission.programme_sha256 == contract.programme_sha256
    assert any("提交了实施期报告" in m.subject for m in mailoutbox)  # to the office
    # under review: no edits, no second submission
    with pytest.raises(ReportRefused, match="待项目办公室审核"):
        domain.update_commitment_delivery(r2, user, reported_status="delivered", delivered={"park": "丰台园"},
                                          delivered_on=dt.date(2025, 12, 2))
    with pytest.raises(ReportRefused):
        domain.submit_report(report, user)
    # the office: a return needs a comment; only the office reviews
    with pytest.raises(ReportInvalid) as exc:
        domain.return_report(submission, office_user, comment="  ", per_commitment_comments={"R2": "照片不清楚"})
    assert "comment" in exc.value.errors
    with pytest.raises(ReportRefused):
        domain.accept_report(submission, user)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review = domain.return_report(submission, office_user, comment="请补充材料",
                                      per_commitment_comments={"R2": "照片不清楚", "R3": "", "ZZ": "no such"})
    assert review.commitment_comments == {"R2": "照片不清楚"}
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and domain.latest_review(report) == review
    mail = next(m for m in mailoutbox if "退回" in m.subject)
    assert "照片不清楚" in mail.body and "请补充材料" in mail.body
    # reopened: the organization fixes; the frozen document stays as it was
    domain.update_commitment_delivery(r2, user, reported_status="delivered", delivered={"park": "丰台园"},
                                      delivered_on=dt.date(2025, 12, 2))
    submission.refresh_from_db()
    assert {c["record_key"]: c for c in submission.document["commitments"]}["R2"]["delivered"]["park"] == "海淀园"
    second = domain.submit_report(report, user)
    assert second.number == 2
    assert {c["record_key"]: c for c in second.document["commitments"]}["R2"]["delivered"] == {"park": "丰台园"}
    with pytest.raises(ReportRefused):
        domain.return_report(submission, office_user, comment="旧的提交")  # not the latest
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        domain.accept_report(second, office_user)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert any("审核通过" in m.subject for m in mailoutbox)
    with pytest.raises(ReportRefused, match="已通过审核"):
        domain.submit_report(report, user)
    # accepted: the next round's delivery may be edited again
    domain.update_commitment_delivery(r2, user, reported_status="delivered", delivered={"park": "丰台园"},
                                      delivered_on=dt.date(2025, 12, 3))
    assert set(AuditEvent.objects.filter(application=first, action__startswith="report.").values_list(
        "action", flat=True)) >= {"report.submit", "report.return", "report.accept", "report.delivery"}


def test_only_while_contracted_implementing_or_reporting(contracted, report_round, office_user):
    first, _second, contract = contracted
    user = member(first)
    domain.start_implementation(first, office_user)
    assert first.status == workflow.IMPLEMENTING
    with pytest.raises(ReportRefused, match="实施期总结报告"):
        domain.request_report(first, office_user)
    domain.save_round(first.programme_code, office_user, name="实施期总结报告", kind=RoundKind.FINAL,
                      due_on=dt.date(2026, 6, 30))
    domain.request_report(first, office_user)
    first.refresh_from_db()
    assert first.status == workflow.REPORTING
    deliver_all(contract, user)  # still allowed while reporting
    workflow.transition(first, "accept", office_user)
    contract.application.refresh_from_db()
    with pytest.raises(ReportRefused, match="不在实施期"):
        deliver_all(contract, user)


def test_system_starts_implementation_after_signing(contracted, settings):
    first = contracted[0]
    at(settings, contracted[2].signed_on)
    assert domain.start_due_implementations() == 0
    at(settings, contracted[2].signed_on + dt.timedelta(days=1))
    assert domain.start_due_implementations() == 2
    first.refresh_from_db()
    assert first.status == workflow.IMPLEMENTING


# --- reminders --------------------------------------------------------------------------------------------------

def test_reminders_once_per_due_date(contracted, report_round, office_user, settings, mailoutbox):
    first, second, contract = contracted
    at(settings, DUE - dt.timedelta(days=8))
    assert reminders.send_report_reminders(7) == 0
    at(settings, DUE - dt.timedelta(days=7))
    domain.submit_report(domain.report_for(report_round, contract), member(first))  # 甲 has reported
    assert reminders.send_report_reminders(7) == 1
    assert any("将于 2025-12-20 截止" in m.subject for m in mailoutbox)
    assert reminders.send_report_reminders(7) == 0  # once
    domain.extend(report_round, second, office_user, due_on=DUE + dt.timedelta(days=3), reason="申请延期")
    assert reminders.send_report_reminders(7) == 0  # 12-23 is more than 7 days away
    at(settings, DUE - dt.timedelta(days=4))
    assert reminders.send_report_reminders(7) == 1  # the new due date reminds again
    at(settings, DUE + dt.timedelta(days=1))
    out = io.StringIO()
    call_command("remind", "--report-days", "7", stdout=out)
    assert "已提醒 0 家单位提交实施期报告" in out.getvalue()  # 乙 was reminded of 12-23 already
    at(settings, DUE + dt.timedelta(days=4))
    assert reminders.send_report_reminders(7) == 0  # past the due date: overdue, not reminded


# --- pages ----------------------------------------------------------------------------------------------------

def test_pages_permissions(contracted, report_round, client, office_user, make_user):
    from zgcfund.accounts.models.user import Role

    first, second, contract = contracted
    c = commitments(contract)["R2"]
    report_url = reverse("implementation:report", args=[first.pk, report_round.pk])
    home = reverse("implementation:reports", args=[first.pk])
    delivery = reverse("implementation:delivery", args=[first.pk, c.pk])
    client.force_login(member(first))
    assert client.get(home).status_code == 200
    page = client.get(report_url)
    assert page.status_code == 200 and "大模型应用对接会" in page.content.decode()
    client.force_login(member(second))
    assert client.get(report_url).status_code == 404
    assert client.post(delivery, {"round": report_round.pk, "reported_status": "delivered"}).status_code == 404
    client.force_login(make_user("e@zgc.example", role=Role.EXPERT, full_name="专家"))
    assert client.get(report_url).status_code == 404
    assert client.get(reverse("office:report_rounds")).status_code == 403
    client.force_login(office_user)
    assert client.get(reverse("office:report_round", args=[report_round.pk])).status_code == 200


def test_delivery_form_keeps_input_on_422(contracted, report_round, client):
    first, _second, contract = contracted
    c = commitments(contract)["R2"]
    client.force_login(member(first))
    response = client.post(reverse("implementation:delivery", args=[first.pk, c.pk]), {
        "round": report_round.pk, "reported_status": "partly_delivered", "delivered_on": "2025-12-01",
        "f_participants": "77", "note": ""})
    assert response.status_code == 422
    text = response.content.decode()
    assert "完成情况说明" in text and 'value="77"' in text
    response = client.post(reverse("implementation:delivery", args=[first.pk, c.pk]), {
        "round": report_round.pk, "reported_status": "delivered", "delivered_on": "2025-12-01",
        "f_park": "海淀园", "f_participants": "77", "note": ""})
    assert response.status_code == 302
    assert Commitment.objects.get(pk=c.pk).delivered == {"park": "海淀园", "participants": 77}


def test_extension_form_needs_a_reason_and_keeps_input(contracted, report_round, client, office_user, settings):
    first = contracted[0]
    at(settings, DUE + dt.timedelta(days=2))
    client.force_login(office_user)
    url = reverse("office:report_extend", args=[report_round.pk, first.pk])
    response = client.post(url, {"due_on": "2026-01-10", "reason": ""})
    assert response.status_code == 422 and 'value="2026-01-10"' in response.content.decode()
    assert client.post(url, {"due_on": "2026-01-10", "reason": "审计延迟"}).status_code == 302
    assert domain.due_on(report_round, first) == dt.date(2026, 1, 10)
    dashboard = client.get(reverse("office:dashboard")).content.decode()
    assert "逾期未报" in dashboard and contracted[1].organization.name in dashboard
    assert first.organization.name not in dashboard.split("逾期未报")[1].split("</section>")[0]


def test_round_must_belong_to_the_programme(contracted, office_user):
    other = ReportRound.objects.create(programme_code="OTHER", name="别的", kind="progress", due_on=DUE,
                                       created_by=office_user)
    with pytest.raises(ReportRefused):
        domain.report_for(other, contracted[2])


def test_delivery_evidence_download_is_the_organization_and_the_office(contracted, client, office_user):
    first, second, contract = contracted
    row = domain.store_evidence(commitments(contract)["R2"], member(first), png(), kind="photos")
    url = reverse("implementation:evidence_download", args=[first.pk, row.pk])
    for who, code in ((member(first), 200), (office_user, 200), (member(second), 404)):
        client.force_login(who)
        response = client.get(url)
        assert response.status_code == code
        if code == 200:
            assert b"".join(response.streaming_content) == PNG
    # another organization's application number with this file: not found either
    client.force_login(member(second))
    assert client.get(reverse("implementation:evidence_download", args=[second.pk, row.pk])).status_code == 404


def test_extra_work_form_keeps_input_on_422(contracted, report_round, client):
    first, _second, contract = contracted
    client.force_login(member(first))
    page = client.get(reverse("implementation:report", args=[first.pk, report_round.pk]), {"extra_clause": "K3.1"})
    assert 'name="f_park"' in page.content.decode()
    url = reverse("implementation:extra_work", args=[first.pk, report_round.pk])
    response = client.post(url, {"clause": "K3.1", "title": "新增沙龙", "date": "2025-11-05", "f_participants": "30"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "园区" in text and 'value="新增沙龙"' in text and 'value="30"' in text
    response = client.post(url, {"clause": "K3.1", "title": "新增沙龙", "date": "2025-11-05", "f_park": "丰台园",
                                 "f_participants": "30"})
    assert response.status_code == 302
    assert commitments(contract)["X-1"].delivered == {"park": "丰台园", "participants": 30}


def test_office_round_form_and_phase_buttons(contracted, client, office_user):
    first, _second, _contract = contracted
    client.force_login(office_user)
    response = client.post(reverse("office:report_round_new"), {"name": "实施期总结报告", "kind": "final",
                                                                 "due_on": "2026-13-01", "asks": "总结"})
    assert response.status_code == 422 and 'value="实施期总结报告"' in response.content.decode()
    response = client.post(reverse("office:report_round_new"), {"name": "实施期总结报告", "kind": "final",
                                                                 "due_on": "2026-06-30", "asks": "总结"})
    assert response.status_code == 302 and ReportRound.objects.get(kind="final").due_on == dt.date(2026, 6, 30)
    assert "实施期总结报告" in client.get(reverse("office:report_rounds")).content.decode()
    client.post(reverse("office:start_implementation", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == workflow.IMPLEMENTING
    client.post(reverse("office:request_report", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == workflow.REPORTING
    client.force_login(member(first))
    assert client.post(reverse("office:start_implementation", args=[first.pk])).status_code == 403


def test_status_page_links_the_reports(contracted, client):
    first = contracted[0]
    client.force_login(member(first))
    page = client.get(reverse("applications:status", args=[first.pk])).content.decode()
    assert reverse("implementation:reports", args=[first.pk]) in page


def test_k13_round_report_page_shows_the_revenue_tables_and_growth(contracted, report_round, client):
    first, _second, _contract = contracted
    client.force_login(member(first))
    html = client.get(reverse("implementation:report", args=[first.pk, report_round.pk])).content.decode()
    assert 'data-testid="revenue-tables"' in html and reverse("revenue:page", args=[first.pk]) in html
    assert 'data-testid="revenue-summary"' in html


def test_evidence_reported_shows_on_the_acceptance_page(contracted, office_user, client):
    first, _second, contract = contracted
    c = commitments(contract)["R2"]
    domain.store_evidence(c, member(first), png("园区活动照片.png"), kind="")
    client.force_login(office_user)
    html = client.get(reverse("office:acceptance", args=[first.pk])).content.decode()
    evidence = c.evidence.get()
    assert "园区活动照片.png" in html
    assert reverse("implementation:evidence_download", args=[first.pk, evidence.pk]) in html
