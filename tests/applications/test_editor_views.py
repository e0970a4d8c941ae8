"""Applicant editor pages: forms generated from the programme file, engine-checked saves, the live
panel, optimistic locking, and access (another organization's user gets 404 on every view)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.models import Record

pytestmark = pytest.mark.django_db

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}


@pytest.fixture
def client_a(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def record(application, applicant, open_window):
    return save_record(application, applicant, "K3.1", K31)


def url(name, *args):
    return reverse(f"applications:{name}", args=args)


def test_dashboard_starts_the_application(client_a, loaded, org):
    page = client_a.get(reverse("dashboard"))
    assert "开始填报申报书" in page.content.decode()
    response = client_a.post(reverse("dashboard"))
    app = org.applications.get()
    assert response.url == url("overview", app.pk)
    assert app.programme_year == loaded


def test_overview_lists_every_clause_and_the_panel(client_a, application, open_window):
    html = client_a.get(url("overview", application.pk)).content.decode()
    for cid in ("K1.1", "K3.1", "K5.4", "P1", "P7"):
        assert f'data-testid="panel-clause-{cid}"' in html
    assert "X-P-TWO" in html  # no P clause met yet: the gate is named


def test_panel_says_the_score_is_a_reference_and_experts_decide(client_a, application, open_window):
    html = client_a.get(url("overview", application.pk)).content.decode()
    note = html.split('data-testid="panel-score-note">', 1)[1].split("</p>", 1)[0]
    assert "不是遴选依据" in note and "排序以评审专家的评分为准" in note
    assert "“基本条件”和申报门槛来自正式文件" in note and "分值是项目办公室的评分方案" in note
    assert "遴选排序依据" not in html
    client_a.cookies["django_language"] = "en"
    english = client_a.get(url("overview", application.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "not the basis for selection" in english


def test_clause_page_shows_basic_condition_and_generated_fields(client_a, application, open_window):
    html = client_a.get(url("clause", application.pk, "K1.1")).content.decode()
    assert "在2025年度中开展不少于50家企业" in html or "50家" in html
    assert 'name="enterprise__name"' in html and 'name="enterprise__credit_code"' in html
    assert 'name="sti_service"' in html


def test_k31_add_record_by_htmx_updates_records_and_triggers_panel(client_a, application, open_window):
    data = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": "85"}
    response = client_a.post(url("record_new", application.pk, "K3.1"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "evaluation-changed"
    assert "人工智能产业对接会" in response.content.decode()
    assert Record.objects.get(application=application).fields == {"park": "海淀园", "participants": 85}
    panel = client_a.get(url("panel", application.pk)).content.decode()
    assert 'data-testid="panel-clause-K3.1" data-status="not_met"' in panel  # 1 event < 2 required


def test_k31_participants_below_zero_is_a_field_error_and_nothing_saved(client_a, application, open_window):
    data = {"phase": "prior", "date": "2025-03-02", "title": "对接会", "park": "海淀园", "participants": "-1"}
    response = client_a.post(url("record_new", application.pk, "K3.1"), data)
    assert response.status_code == 422
    assert application.records.count() == 0
    assert "参加人数" in response.content.decode()


def test_P3_conference_location_and_online_required_on_the_form(client_a, application, open_window):
    """P3: a conference is held 在京或境外, 线下或线上 — both must be stated; other P3 types need neither."""
    page = client_a.get(url("record_new", application.pk, "P3")).content.decode()
    assert "类型为“国际性会议”时必填" in page
    data = {"phase": "prior", "date": "2025-03-02", "title": "国际人工智能大会", "type": "intl_conference",
            "participants": "120", "foreign_speakers": "3", "nonprofit": "true"}
    response = client_a.post(url("record_new", application.pk, "P3"), data)
    assert response.status_code == 422 and application.records.count() == 0
    form = response.context["form"]
    assert "类型为“国际性会议”时必填" in " ".join(form.errors["location"])
    assert "类型为“国际性会议”时必填" in " ".join(form.errors["online"])
    response = client_a.post(url("record_new", application.pk, "P3"), {**data, "location": "beijing", "online": "false"})
    assert response.status_code in (200, 302) and application.records.count() == 1
    title = {"phase": "prior", "date": "2025-03-02", "title": "国际合作称号", "type": "intl_title"}
    client_a.post(url("record_new", application.pk, "P3"), title)
    assert application.records.count() == 2


def test_bad_credit_code_is_reported_on_the_code_field(client_a, application, open_window):
    data = {"phase": "prior", "date": "2025-03-02", "title": "企业调研", "enterprise__name": "某公司",
            "enterprise__credit_code": "91110108MA0000000X", "sti_service": "true"}
    response = client_a.post(url("record_new", application.pk, "K1.1"), data)
    assert response.status_code == 422
    form = response.context["form"]
    assert "统一社会信用代码无效" in " ".join(form.errors["enterprise__credit_code"])


def test_edit_with_stale_version_keeps_the_users_input_and_shows_the_current(client_a, application, applicant, record):
    save_record(application, applicant, "K3.1", {**K31, "participants": 90}, record=record, expected_version=1)
    data = {"phase": "prior", "date": "2025-03-02", "title": "我的新标题", "park": "海淀园", "participants": "70",
            "version": "1"}
    response = client_a.post(url("record_edit", application.pk, record.pk), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "我的新标题" in html and 'data-testid="conflict"' in html and "90" in html
    record.refresh_from_db()
    assert record.fields["participants"] == 90 and record.title == K31["title"]
    data["version"] = "2"
    assert client_a.post(url("record_edit", application.pk, record.pk), data).status_code == 302
    record.refresh_from_db()
    assert record.title == "我的新标题"


def test_delete_record(client_a, application, record):
    response = client_a.post(url("record_delete", application.pk, record.pk), {"version": record.version})
    assert response.status_code == 302
    assert not Record.objects.filter(pk=record.pk).exists()


def test_x_k1_two_choice_form(client_a, application, open_window):
    response = client_a.post(url("choices", application.pk, "K1"),
                             {"chosen": ["K1.1", "K1.3"], "lock_version": application.lock_version})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.choices == {"K1": ["K1.1", "K1.3"]}
    client_a.post(url("choices", application.pk, "K1"),
                  {"chosen": ["K1.1", "K1.2", "K1.3"], "lock_version": application.lock_version})
    application.refresh_from_db()
    assert application.choices == {"K1": ["K1.1", "K1.3"]}


def test_export_then_import_round_trip(client_a, application, record):
    exported = client_a.get(url("export_json", application.pk))
    doc = json.loads(exported.content)
    assert doc["format"] == "zgc-application/1" and doc["records"][0]["id"] == record.key
    from django.core.files.uploadedfile import SimpleUploadedFile
    upload = SimpleUploadedFile("a.json", exported.content, content_type="application/json")
    assert client_a.post(url("import_json", application.pk), {"file": upload}).status_code == 302
    again = json.loads(client_a.get(url("export_json", application.pk)).content)
    assert again == doc


@pytest.mark.parametrize("content, message", [
    (b"", "空的"),
    (b"{not json", "不是有效的 JSON"),
    (b"\xff\xfe\x00garbage", "UTF-8"),
])
def test_import_bad_files_say_why_and_keep_the_records(client_a, application, record, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile
    response = client_a.post(url("import_json", application.pk), {"file": SimpleUploadedFile("x.json", content)})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert application.records.count() == 1


def test_import_with_unknown_field_names_the_path(client_a, application, record):
    from django.core.files.uploadedfile import SimpleUploadedFile
    doc = json.loads(client_a.get(url("export_json", application.pk)).content)
    doc["records"][0]["participantz"] = 3
    response = client_a.post(url("import_json", application.pk),
                             {"file": SimpleUploadedFile("x.json", json.dumps(doc).encode())})
    assert response.status_code == 422
    assert "records[0].participantz" in response.content.decode()


def test_history_shows_who_changed_what(client_a, application, record):
    html = client_a.get(url("history", application.pk)).content.decode()
    assert "新增记录" in html and "王管理" in html


# --- access: another organization's user gets 404 on every view ----------------------------------

def _views(application, record):
    pk = application.pk
    return [
        ("get", url("overview", pk)), ("get", url("clause", pk, "K3.1")), ("get", url("record_new", pk, "K3.1")),
        ("post", url("record_new", pk, "K3.1")), ("get", url("record_edit", pk, record.pk)),
        ("post", url("record_edit", pk, record.pk)), ("post", url("record_delete", pk, record.pk)),
        ("post", url("choices", pk, "K1")), ("get", url("panel", pk)), ("get", url("history", pk)),
        ("get", url("export_json", pk)), ("get", url("import_json", pk)), ("post", url("import_json", pk)),
        ("get", url("submit", pk)), ("post", url("submit", pk)), ("get", url("status", pk)),
        ("get", url("submission_pdf", pk, 1)), ("get", url("draft_pdf", pk)),
    ]


def test_another_organizations_user_gets_404_everywhere(client, application, record, other_applicant):
    client.force_login(other_applicant)
    for method, path in _views(application, record):
        response = getattr(client, method)(path)
        assert response.status_code == 404, (method, path, response.status_code)
    assert Record.objects.filter(pk=record.pk).exists()


def test_anonymous_user_is_sent_to_login(client, application, record):
    for method, path in _views(application, record):
        response = getattr(client, method)(path)
        assert response.status_code == 302 and "/accounts/login/" in response.url, (method, path)


def test_record_of_another_application_cannot_be_reached_through_mine(client, application, record, make_org, make_user,
                                                                      open_window):
    from zgcfund.applications.domain.editing import application_for
    org2 = make_org("第二协会")
    user2 = make_user("u2@example.org", organization=org2)
    app2 = application_for(org2, user2)
    client.force_login(user2)
    assert client.get(url("record_edit", app2.pk, record.pk)).status_code == 404
    assert client.post(url("record_delete", app2.pk, record.pk)).status_code == 404


def test_office_can_view_but_not_edit(client, application, record, office_user):
    client.force_login(office_user)
    assert client.get(url("overview", application.pk)).status_code == 200
    response = client.post(url("record_delete", application.pk, record.pk))
    assert Record.objects.filter(pk=record.pk).exists()
    assert response.status_code == 302


def test_after_login_each_role_lands_on_its_own_start_page(client, office_user, make_user):
    from zgcfund.accounts.models.user import Role

    expert = make_user("expert@example.org", role=Role.EXPERT)
    client.force_login(expert)
    assert client.get(reverse("dashboard")).url == reverse("expert:tasks")
    client.force_login(office_user)
    assert client.get(reverse("dashboard")).url == reverse("office:dashboard")
