"""An application's decision history (office only): every decision — return, verify, score, select,
publish, objection — with who, when and why, in time order, filterable by kind."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from tests.review.test_exports import K31, scored
from tests.review.test_ranking_web import same

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.domain.evidence import store_commitment_scan
from zgcfund.applications.domain.submission import content_version, submit_application
from zgcfund.programmes.domain import clock
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import conflicts as conflicts_domain
from zgcfund.review.domain import selection as selecting
from zgcfund.review.domain.formal import decide
from zgcfund.review.domain.history import history_for
from zgcfund.review.interfaces import forms
from zgcfund.review.models import Selection

pytestmark = [pytest.mark.django_db, pytest.mark.any_hour]  # dates are Beijing dates at any hour


def scan(color: str) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (60, 80), color).save(buf, "PNG")
    return SimpleUploadedFile("承诺书.png", buf.getvalue())


def submit(app, user, color="white"):
    app.refresh_from_db()
    commitment = store_commitment_scan(app, user, scan(color))
    app.refresh_from_db()
    submit_application(app, user, commitment_accepted=True, commitment=commitment, opened_version=content_version(app))
    app.refresh_from_db()


@pytest.fixture
def experts(make_user):
    return [make_user(f"expert{n}@zgc.example", role=Role.EXPERT, full_name=f"专家{n}") for n in (1, 2, 3, 4)]


@pytest.fixture
def reviewed(application, applicant, office_user, open_window, experts, org):
    """Submitted, returned with comments, corrected and resubmitted, passed; four experts assigned,
    the fourth declares a conflict (withdrawn), three submit (专家2 rejects a record)."""
    save_record(application, applicant, "K3.1", K31)
    save_record(application, applicant, "K3.1", {**K31, "date": "2025-04-12", "title": "大模型应用沙龙"})
    submit(application, applicant)
    decide(application, office_user, "returned", "请补充活动照片", {"K3.1-002": "缺少签到表"})
    record = application.records.get(key="K3.1-002")
    save_record(application, applicant, "K3.1", {**K31, "date": "2025-04-12", "title": "大模型应用沙龙（补充签到表）"},
                record=record, expected_version=record.version)
    submit(application, applicant, "gray")
    decide(application, office_user, "passed", "材料齐全", {})
    assigning.assign(application, experts, office_user)
    conflicts_domain.declare_conflict(experts[3], org, "曾任该协会理事")
    scored(experts[0], application, "9.50", "活动扎实")
    scored(experts[1], application, "8.35", "规模一般", reject="与 K3.1-001 为同一活动")
    scored(experts[2], application, "9", "")
    application.refresh_from_db()
    return application


def test_formal_review_decisions_with_who_and_why(reviewed, office_user):
    entries = history_for(reviewed)
    assert [e.at for e in entries] == sorted(e.at for e in entries)  # time order
    formal = [e for e in entries if e.kind == "formal"]
    assert [e.action for e in formal] == ["formal.returned", "formal.passed"]  # each decision once
    returned = formal[0]
    assert returned.label == "形式审查退回修改" and returned.actor == "赵办公室" and returned.role == "项目办公室"
    assert "第 1 次提交" in returned.summary
    assert returned.details == ("总体意见：请补充活动照片", "K3.1-002（K3.1）：缺少签到表")
    assert "第 2 次提交" in formal[1].summary and formal[1].details == ("总体意见：材料齐全",)
    submits = [e for e in entries if e.action == "application.submit"]
    assert len(submits) == 2 and submits[0].actor == "王管理" and submits[0].role == "申报单位用户"
    assert submits[0].details and submits[0].details[0].startswith("系统评估（提交时）")
    assert entries.index(submits[0]) < entries.index(returned) < entries.index(submits[1]) < entries.index(formal[1])


def test_expert_review_assignment_conflict_and_submitted_verdicts(reviewed):
    entries = [e for e in history_for(reviewed) if e.kind == "expert"]
    # the first assignment moves the application into expert review (workflow.start_review)
    assert [e.action for e in entries][:2] == ["review.assign", "review.start"]
    assert entries[1].label == "开始专家评审" and entries[1].summary == "进入专家评审"
    expert = [e for e in entries if e.action != "review.start"]
    assert [e.action for e in expert] == ["review.assign"] * 4 + ["review.conflict", "review.unassign"] + ["review.submit"] * 3
    conflict = expert[4]
    assert conflict.actor == "专家4" and conflict.role == "评审专家" and "曾任该协会理事" in conflict.summary
    assert conflict.details == ("撤回该专家对本单位未提交的评审分配 1 项",)
    assert "专家4" in expert[5].summary and "回避" in expert[5].summary
    by_expert = {e.actor: e for e in expert[6:]}  # office sees the experts' names
    assert set(by_expert) == {"专家1", "专家2", "专家3"}
    rejecting = by_expert["专家2"]
    assert "记录核实：认可 1 条，不认可 1 条" in rejecting.details
    assert "不认可 K3.1-002：与 K3.1-001 为同一活动" in rejecting.details
    assert "评分：K3.1 8.35（合计 8.35）" in rejecting.details and "K3.1 评语：规模一般" in rejecting.details
    assert "记录核实：认可 2 条，不认可 0 条" in by_expert["专家1"].details


def test_history_query_count_is_fixed(reviewed, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        history_for(reviewed)


# --- selection -----------------------------------------------------------------------------------

@pytest.fixture
def published(seed, loaded, office_user):
    """一档 (capped 25 → 20 万元), 二档 10 万元, 三 not selected; confirmed with a reason, published
    7 days, one objection against the first."""
    first = seed.application("一档协会", scores=same("14", "10"))
    second = seed.application("二档协会", scores=same("13", "10"))
    third = seed.application("三档协会", scores=same("5", "5"))
    spec = forms.selection_spec({"method": "by_bands", "band1_name": "一档", "band1_first": "1", "band1_last": "1",
                                     "band1_amount": "25", "band2_name": "二档", "band2_first": "2", "band2_last": "2",
                                     "band2_amount": "10"})
    selection = selecting.save_draft(loaded.code, spec, office_user)
    selection = selecting.confirm(selection, office_user, "经主任办公会研究")
    selection = selecting.publish(selection, office_user, 7)
    selecting.record_objection(selection, office_user, application_id=first.pk, received_on=clock.today(),
                               submitter_name="张三", submitter_unit="", content="活动规模不实",
                               handling="经核实，材料属实，维持原结果")
    return {"first": first, "second": second, "third": third, "selection": selection}


def test_selection_events_phrased_for_the_application(published):
    entries = [e for e in history_for(published["first"]) if e.kind == "selection"]
    assert [e.action for e in entries] == ["selection.draft", "selection.confirm", "selection.publish",
                                           "selection.objection"]
    draft, confirm, publish, objection = entries
    outcome = "入选，第 1 名，一档，20 万元（受单位年度支持上限限制，原金额 25 万元）"
    assert draft.summary == f"保存遴选草稿 #{published['selection'].pk}（按档次）：{outcome}"
    assert confirm.summary == f"确认遴选结果：{outcome}" and confirm.details == ("确认说明：经主任办公会研究",)
    assert confirm.actor == "赵办公室" and confirm.role == "项目办公室"
    end = published["selection"].notice_ends_on.isoformat()
    assert publish.summary == f"发布遴选结果公示：{outcome}" and publish.details == (f"公示期 7 天，至 {end}",)
    assert "张三" in objection.summary
    assert objection.details == ("异议内容：活动规模不实", "处理情况：经核实，材料属实，维持原结果")
    second = [e for e in history_for(published["second"]) if e.action == "selection.confirm"]
    assert second[0].summary == "确认遴选结果：入选，第 2 名，二档，10 万元"
    third = [e for e in history_for(published["third"]) if e.action == "selection.confirm"]
    assert third[0].summary.startswith("确认遴选结果：未入选，第 3 名")
    assert not [e for e in history_for(published["third"]) if e.action == "selection.objection"]


def test_submitted_reviews_without_audit_events_come_from_the_rows(published):
    """Applications seeded through the ORM have no review.submit events: the verdicts and scores of
    submitted assignments are shown at their submission time."""
    submits = [e for e in history_for(published["first"]) if e.action == "review.submit"]
    assert len(submits) == 3 and {e.actor for e in submits} == {"评审0", "评审1", "评审2"}
    assert "评分：K3.1 14.00，P1 10.00（合计 24.00）" in submits[0].details


def test_unaudited_selection_taken_from_the_row(seed, loaded, office_user):
    app = seed.application("甲协会", scores=same("12", "8"))
    outcome = {"application_id": app.pk, "organization_id": app.organization_id, "organization_name": "甲协会",
               "rank": 1, "total": "20", "status": "selected", "band": None, "amount": None, "nominal_amount": None,
               "capped": False, "reason": None}
    selection = Selection.objects.create(code=loaded.code, method="by_count", spec={"method": "by_count", "n": 1},
                                         result={"selected": [outcome], "not_selected": []}, programme_sha256="x",
                                         scoring_version="v", created_by=office_user)
    Selection.objects.create(code=loaded.code, method="by_count", spec={"method": "by_count", "n": 1},
                             result={"selected": [], "not_selected": []}, programme_sha256="x", scoring_version="v",
                             created_by=office_user)  # does not list it: not shown
    [entry] = [e for e in history_for(app) if e.kind == "selection"]
    assert entry.summary == f"保存遴选草稿 #{selection.pk}（按数量）：入选，第 1 名" and entry.actor == "赵办公室"


# --- the page ------------------------------------------------------------------------------------

def history_url(app):
    return reverse("office:application_history", args=[app.pk])


def test_history_page_shows_everything_and_filters_by_kind(client, reviewed, office_user):
    client.force_login(office_user)
    page = client.get(history_url(reviewed))
    body = page.content.decode()
    assert page.status_code == 200
    for text in (reviewed.organization.name, "请补充活动照片", "缺少签到表", "专家2", "与 K3.1-001 为同一活动",
                 "曾任该协会理事", "赵办公室"):
        assert text in body, text
    formal = client.get(history_url(reviewed), {"kind": "formal"}).content.decode()
    assert formal.count('data-testid="entry"') == 2 and 'data-action="review.submit"' not in formal
    expert = client.get(history_url(reviewed), {"kind": "expert"}).content.decode()
    assert expert.count('data-action="review.submit"') == 3 and 'data-action="formal.passed"' not in expert
    filling = client.get(history_url(reviewed), {"kind": "application"}).content.decode()
    assert 'data-action="application.submit"' in filling and 'data-action="formal.passed"' not in filling
    assert client.get(history_url(reviewed), {"kind": "bogus"}).content.decode().count('data-testid="entry"') == \
        body.count('data-testid="entry"')
    assert client.get(reverse("office:application_history", args=[999999])).status_code == 404


def test_history_is_linked_from_the_office_pages_of_one_application(client, reviewed, office_user, seed, loaded):
    client.force_login(office_user)
    url = history_url(reviewed)
    assert url in client.get(reverse("office:formal_review", args=[reviewed.pk])).content.decode()
    assert url in client.get(reverse("office:expert_reviews", args=[reviewed.pk])).content.decode()
    ranked = seed.application("乙协会", scores=same("8", "4"))
    ranking = client.get(reverse("office:ranking", args=[loaded.code])).content.decode()
    assert history_url(ranked) in ranking


def test_history_is_office_only(client, reviewed, applicant, other_applicant, experts):
    url = history_url(reviewed)
    for user in (applicant, other_applicant, experts[0]):  # its own organization, another one, an expert who reviewed it
        client.force_login(user)
        assert client.get(url).status_code == 403, user
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "login" in response.url


def test_history_page_selection_entries(client, published, office_user):
    client.force_login(office_user)
    body = html.unescape(client.get(history_url(published["first"]), {"kind": "selection"}).content.decode())
    assert "确认遴选结果：入选，第 1 名，一档，20 万元" in body and "活动规模不实" in body
    assert len(re.findall(r'data-testid="entry"', body)) == 4
