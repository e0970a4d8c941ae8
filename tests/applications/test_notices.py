"""企业注册前信息报送 (K3.2/K3.3): lodging stamps the Beijing date and a unique number; records link
to their own organization's notices only and take the notice date from the stamp; a typed date is
self-declared; the working-day rule counts from it; the office lists all notices, no one else."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from zgcfund.applications.domain.document import assess, build_document
from zgcfund.applications.domain.editing import RecordInvalid, import_document, save_record
from zgcfund.applications.domain.notices import NoticeRefused, earliest_registration, lodge_notice
from zgcfund.applications.models import Record, RegistrationNotice
from zgcfund.audit.models import AuditEvent, Visibility
from zgcfund.core.errors import InvalidDocument
from zgcfund.core.workdays import working_days_between
from zgcfund.programmes.domain import clock

pytestmark = pytest.mark.django_db

FACTS = {"enterprise_name": "北京澄湃智算科技有限公司", "registered_in": "北京市海淀区", "registered_capital": "1000",
         "foreign": False, "business_scope": "技术开发、技术咨询、技术服务"}
# 2025-03-02 18:30 UTC is 2025-03-03 02:30 in Beijing: the notice date is the Beijing one
RECEIVED = dt.datetime(2025, 3, 2, 18, 30, tzinfo=dt.UTC)
K32 = {"phase": "prior", "date": "2025-03-20", "title": "服务新注册企业", "registered_in": "北京市海淀区",
       "registered_capital": 1000, "foreign": False, "business_scope": "技术开发",
       "enterprise": {"name": "北京澄湃智算科技有限公司", "credit_code": "91110108MA0WN4L9XE"},
       "registered_on": "2025-03-20"}


def notice_of(org, number="ZC-2025-000900", received_at=RECEIVED, **facts):
    values = {**FACTS, "registered_capital": 1000, **facts}
    return RegistrationNotice.objects.create(organization=org, programme_code="zgc-social-org-2025", number=number,
                                             received_at=received_at, **values)


@pytest.fixture
def expert(make_user):
    from zgcfund.accounts.models.user import Role

    return make_user("expert@zgc.example", role=Role.EXPERT, full_name="钱专家")


# --- lodging ---------------------------------------------------------------------------------------

@pytest.mark.any_hour
def test_lodging_stamps_todays_beijing_date_a_unique_number_and_an_audit_event(loaded, org, applicant):
    first = lodge_notice(org, applicant, loaded.code, FACTS)
    second = lodge_notice(org, applicant, loaded.code, {**FACTS, "enterprise_name": "北京另一家科技有限公司"})
    today = clock.today()  # the programme clock (a demo installation may simulate a date)
    assert first.received_on == second.received_on == today
    assert re.fullmatch(rf"ZC-{today.year}-\d{{6}}", first.number) and first.number != second.number
    assert first.lodged_by == applicant and first.registered_capital == 1000
    event = AuditEvent.objects.get(action="notice.lodge", object_id=str(first.pk))
    assert event.organization == org and event.visibility == Visibility.ORGANIZATION
    assert first.number in event.summary


def test_an_unapproved_organization_cannot_lodge(loaded, make_org, make_user, client):
    pending = make_org("北京待审核协会", approved=False)
    user = make_user("p@pending.example", organization=pending)
    with pytest.raises(NoticeRefused, match="尚未通过项目办公室审核"):
        lodge_notice(pending, user, loaded.code, FACTS)
    client.force_login(user)
    response = client.post(reverse("applications:notices"), {**FACTS, "foreign": "false"})
    assert response.status_code == 422 and "尚未通过项目办公室审核" in response.content.decode()
    assert not RegistrationNotice.objects.exists()


def test_a_user_of_another_organization_cannot_lodge_for_it(loaded, org, other_applicant):
    with pytest.raises(PermissionDenied):
        lodge_notice(org, other_applicant, loaded.code, FACTS)
    assert not RegistrationNotice.objects.exists()


def test_missing_fact_names_the_field_and_nothing_is_written(loaded, org, applicant):
    with pytest.raises(NoticeRefused) as exc:
        lodge_notice(org, applicant, loaded.code, {**FACTS, "business_scope": "  "})
    assert exc.value.field == "business_scope" and "业务范围" in exc.value.message
    assert not RegistrationNotice.objects.exists()


@pytest.mark.any_hour
def test_lodging_page_shows_number_date_and_earliest_registration(client, loaded, org, applicant):
    client.force_login(applicant)
    response = client.post(reverse("applications:notices"), {**FACTS, "foreign": "false"})
    notice = RegistrationNotice.objects.get()
    assert response.status_code == 302 and notice.number in response.url
    html = client.get(response.url).content.decode()
    today = clock.today()  # the programme clock (a demo installation may simulate a date)
    assert notice.number in html and f"系统登记送达日期 {today.isoformat()}" in html
    earliest = earliest_registration(today, 10)
    if earliest is not None:  # beyond the official calendar's last year no date is promised
        assert f"最早可于 {earliest.isoformat()} 注册" in html


def test_form_error_names_the_field_and_keeps_the_input(client, loaded, applicant):
    client.force_login(applicant)
    response = client.post(reverse("applications:notices"), {**FACTS, "registered_capital": "五百", "foreign": "false"})
    html = response.content.decode()
    assert response.status_code == 422 and "注册资金（万元）" in html and "北京澄湃智算科技有限公司" in html
    assert not RegistrationNotice.objects.exists()


def test_earliest_registration_leaves_ten_working_days_between():
    # notice on Monday 2025-03-03: 10 working days strictly between → Tuesday 2025-03-18
    assert earliest_registration(dt.date(2025, 3, 3), 10) == dt.date(2025, 3, 18)
    assert working_days_between(dt.date(2025, 3, 3), dt.date(2025, 3, 18)) == 10
    assert working_days_between(dt.date(2025, 3, 3), dt.date(2025, 3, 17)) == 9


def test_another_organization_neither_sees_a_notice(client, loaded, org, other_applicant):
    notice = notice_of(org)
    client.force_login(other_applicant)
    html = client.get(reverse("applications:notices") + f"?lodged={notice.number}").content.decode()
    assert notice.number not in html and notice.enterprise_name not in html


# --- linking records -------------------------------------------------------------------------------

def test_linking_takes_the_stamped_date_and_fills_empty_facts(application, applicant, open_window, org):
    notice = notice_of(org)
    data = {**K32, "notice_ref": notice.number.lower(), "notified_on": "2025-03-15", "registered_in": None}
    record = save_record(application, applicant, "K3.2", {k: v for k, v in data.items() if v is not None})
    assert record.fields["notified_on"] == "2025-03-03"  # the Beijing date of the stamp, not the typed one
    assert record.fields["notice_date_self_declared"] is False
    assert record.fields["notice_ref"] == notice.number and record.fields["registered_in"] == "北京市海淀区"


def test_a_typed_date_without_notice_is_self_declared(application, applicant, open_window):
    record = save_record(application, applicant, "K3.2", {**K32, "notified_on": "2025-03-03",
                                                           "notice_date_self_declared": False})
    assert record.fields["notice_date_self_declared"] is True
    clause = assess(application).prior["clauses"]["K3.2"]
    assert [d["record"] for d in clause["self_declared"]] == [record.key]


def test_a_notice_of_another_organization_or_unknown_is_refused(application, applicant, open_window, other_org):
    foreign = notice_of(other_org)
    for ref in (foreign.number, "ZC-2025-999999"):
        with pytest.raises(RecordInvalid) as exc:
            save_record(application, applicant, "K3.2", {**K32, "notice_ref": ref})
        [problem] = exc.value.problems
        assert problem.path == "notice_ref" and "注册前信息报送编号" in problem.message and ref in problem.message
    assert not Record.objects.exists()


def test_import_cannot_claim_a_notice_of_another_organization(application, applicant, open_window, other_org):
    foreign = notice_of(other_org)
    doc = build_document(application)
    doc["records"].append({"id": "K3.2-001", "clause": "K3.2", **K32, "notice_ref": foreign.number})
    with pytest.raises(InvalidDocument) as exc:
        import_document(application, applicant, doc)
    assert any(p.path == "records[0].notice_ref" and foreign.number in p.message for p in exc.value.problems)
    assert not Record.objects.exists()


def test_import_takes_the_notice_date_and_marks_typed_dates(application, applicant, open_window, org):
    notice = notice_of(org)
    doc = build_document(application)
    doc["records"] += [
        {"id": "K3.2-001", "clause": "K3.2", **K32, "notice_ref": notice.number, "notified_on": "2025-01-02",
         "notice_date_self_declared": True},
        {"id": "K3.2-002", "clause": "K3.2", **K32, "enterprise": {"name": "北京睿源医疗器械有限公司",
                                                                  "credit_code": "91110114MA0DQFJD97"},
         "notified_on": "2025-03-03", "notice_date_self_declared": False}]
    import_document(application, applicant, doc)
    linked, typed = (application.records.get(key=k).fields for k in ("K3.2-001", "K3.2-002"))
    assert linked["notified_on"] == "2025-03-03" and linked["notice_date_self_declared"] is False
    assert typed["notice_date_self_declared"] is True


# --- the working-day rule --------------------------------------------------------------------------

def test_working_day_rule_counts_from_the_stamp_and_panel_shows_the_count(client, application, applicant,
                                                                         open_window, org):
    early, late = notice_of(org), notice_of(org, "ZC-2025-000901", enterprise_name="北京睿源医疗器械有限公司")
    ok = save_record(application, applicant, "K3.2", {**K32, "notice_ref": early.number})  # registered 2025-03-20
    short = save_record(application, applicant, "K3.2", {
        **K32, "notice_ref": late.number, "registered_on": "2025-03-10", "date": "2025-03-10",
        "enterprise": {"name": "北京睿源医疗器械有限公司", "credit_code": "91110114MA0DQFJD97"}})
    clause = assess(application).prior["clauses"]["K3.2"]
    assert clause["counted"] == [ok.key]
    days = working_days_between(dt.date(2025, 3, 3), dt.date(2025, 3, 10))
    [rejected] = [r for r in clause["rejected"] if r["record"] == short.key]
    assert days == 4 and f"仅 {days} 个工作日" in rejected["message"]
    client.force_login(applicant)
    panel = client.get(reverse("applications:panel", args=[application.pk])).content.decode()
    lead = working_days_between(dt.date(2025, 3, 3), dt.date(2025, 3, 20))
    assert lead >= 10 and f"提前 {lead} 个工作日" in panel.split('data-testid="panel-lead-K3.2"', 1)[1]


# --- the record form -------------------------------------------------------------------------------

def test_record_form_offers_own_notices_and_hides_the_flag(client, application, applicant, open_window, org, other_org):
    mine, theirs = notice_of(org), notice_of(other_org, "ZC-2025-000777", enterprise_name="北京别家科技有限公司")
    client.force_login(applicant)
    html = client.get(reverse("applications:clause", args=[application.pk, "K3.2"])).content.decode()
    assert "不关联（自报日期）" in html and f"{mine.number} {mine.enterprise_name} 2025-03-03" in html
    assert theirs.number not in html
    assert 'name="notice_date_self_declared"' not in html
    assert "在线报送注册前信息" in html and reverse("applications:notices") in html


def test_posting_the_form_with_a_notice_prefills_and_stamps(client, application, applicant, open_window, org):
    notice = notice_of(org)
    client.force_login(applicant)
    data = {"phase": "prior", "date": "2025-03-20", "title": "服务新注册企业", "notice_ref": notice.number,
            "enterprise__credit_code": "91110108MA0WN4L9XE", "registered_on": "2025-03-20"}
    response = client.post(reverse("applications:record_new", args=[application.pk, "K3.2"]), data)
    assert response.status_code == 302, response.content.decode()
    fields = Record.objects.get().fields
    assert fields["enterprise"]["name"] == notice.enterprise_name and fields["registered_capital"] == 1000
    assert fields["notified_on"] == "2025-03-03" and fields["notice_date_self_declared"] is False
    page = client.get(reverse("applications:clause", args=[application.pk, "K3.2"])).content.decode()
    assert "2025-03-03（系统登记）" in page


def test_posting_another_organizations_notice_is_refused(client, application, applicant, open_window, other_org):
    theirs = notice_of(other_org)
    client.force_login(applicant)
    response = client.post(reverse("applications:record_new", args=[application.pk, "K3.2"]),
                           {"phase": "prior", "date": "2025-03-20", "title": "x", "notice_ref": theirs.number,
                            "enterprise__name": "北京澄湃智算科技有限公司", "registered_in": "北京市海淀区",
                            "registered_capital": "1000", "business_scope": "技术开发"})
    assert response.status_code == 422 and not Record.objects.exists()


# --- the office --------------------------------------------------------------------------------------

def test_office_list_is_office_only_and_filters(client, loaded, org, other_org, applicant, expert, office_user):
    mine = notice_of(org)
    theirs = notice_of(other_org, "ZC-2025-000901", enterprise_name="北京别家科技有限公司")
    url = reverse("office:notices")
    for user in (applicant, expert):
        client.force_login(user)
        assert client.get(url).status_code in (403, 404)
    client.force_login(office_user)
    html = client.get(url).content.decode()
    assert mine.number in html and theirs.number in html
    html = client.get(url, {"organization": other_org.pk}).content.decode()
    assert theirs.number in html and mine.number not in html
    html = client.get(url, {"q": "别家"}).content.decode()
    assert theirs.number in html and mine.number not in html
    assert client.get(reverse("applications:notices")).status_code == 404  # the applicants' page is not the office's


def test_formal_review_shows_self_declared_and_linked_dates(client, application, applicant, open_window, org,
                                                            office_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from zgcfund.applications.domain.evidence import store_commitment_scan
    from zgcfund.applications.domain.submission import content_version, submit_application

    buf = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buf, "PNG")
    notice = notice_of(org)
    linked = save_record(application, applicant, "K3.2", {**K32, "notice_ref": notice.number})
    typed = save_record(application, applicant, "K3.2", {
        **K32, "notified_on": "2025-03-03",
        "enterprise": {"name": "北京睿源医疗器械有限公司", "credit_code": "91110114MA0DQFJD97"}})
    application.refresh_from_db()
    commitment = store_commitment_scan(application, applicant, SimpleUploadedFile("承诺书.png", buf.getvalue()))
    application.refresh_from_db()
    submit_application(application, applicant, commitment_accepted=True, commitment=commitment,
                       opened_version=content_version(application))
    client.force_login(office_user)
    html = client.get(reverse("office:formal_review", args=[application.pk])).content.decode()
    linked_cell = html.split(f'data-testid="notice-{linked.key}"', 1)[1].split("</div>", 1)[0]
    typed_cell = html.split(f'data-testid="notice-{typed.key}"', 1)[1].split("</div>", 1)[0]
    assert notice.number in linked_cell and "2025-03-03" in linked_cell and "自报" not in linked_cell
    assert "自报日期，待核实" in typed_cell


def test_excel_list_import_cannot_claim_a_notice_of_another_organization(application, applicant, open_window,
                                                                         org, other_org):
    from zgcfund.applications.domain.lists import APPEND, ListInvalid, ListRow, import_list

    mine, theirs = notice_of(org), notice_of(other_org, "ZC-2025-000901")
    with pytest.raises(ListInvalid) as exc:
        import_list(application, applicant, "K3.2", [ListRow(2, {**K32, "notice_ref": theirs.number})], APPEND)
    assert [(p.line, p.path) for p in exc.value.problems] == [(2, "notice_ref")]
    import_list(application, applicant, "K3.2", [ListRow(2, {**K32, "notice_ref": mine.number})], APPEND)
    fields = Record.objects.get().fields
    assert fields["notified_on"] == "2025-03-03" and fields["notice_date_self_declared"] is False


def test_lodging_is_rate_limited_per_organization_and_keeps_the_input(client, loaded, org, applicant, monkeypatch):
    from zgcfund.accounts.domain import ratelimit

    monkeypatch.setattr(ratelimit, "NOTICE", ratelimit.Limit("notice", 1, 3600))
    client.force_login(applicant)
    assert client.post(reverse("applications:notices"), {**FACTS, "foreign": "false"}).status_code == 302
    response = client.post(reverse("applications:notices"),
                           {**FACTS, "enterprise_name": "北京第二家科技有限公司", "foreign": "false"})
    html = response.content.decode()
    assert response.status_code == 429 and "操作过于频繁" in html and "北京第二家科技有限公司" in html
    assert RegistrationNotice.objects.count() == 1
