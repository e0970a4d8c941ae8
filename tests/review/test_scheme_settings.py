"""The office's switches and dates in the scheme editor (open points of 2025-clauses.md): edited as
checkboxes and a date input, saved as a new programme-file version like the numbers (reason, audit),
and the evaluation under the new version follows them. Official conditions stay read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zgcfund.applications.domain.document import assess
from zgcfund.applications.domain.editing import save_record
from zgcfund.audit.models import AuditEvent
from zgcfund.core.scheme import scheme_values
from zgcfund.programmes.domain.loading import parsed
from zgcfund.programmes.models import ApplicationWindow, ProgrammeYear

pytestmark = pytest.mark.django_db

P1_DRAFTING = {"phase": "prior", "date": "2025-05-01", "title": "人工智能术语国家标准", "type": "national",
               "status": "drafting", "number": "20250001-T-469", "publisher": "国家市场监督管理总局"}


def _post(client, row, changes, **extra):
    """The editor's form as a browser posts it: every field, a switch as hidden "false" (+ "true" if checked)."""
    programme = parsed(row)
    data: dict = {}
    for key, value in scheme_values(programme).items():
        p = programme.parameters.get(key.removeprefix("param.")) if key.startswith("param.") else None
        data[key] = ["false", "true"] if p is not None and p.unit == "switch" and value == "true" else (
            ["false"] if p is not None and p.unit == "switch" else value)
    for key, value in changes.items():
        data[key] = ["false", "true"] if value is True else (["false"] if value is False else value)
    return client.post(reverse("office:scheme_edit", args=[row.code]), {**data, "based_on": row.sha256, **extra})


def test_editor_shows_switches_as_checkboxes_the_date_as_a_date_input_with_notes(client, office_user, loaded):
    client.force_login(office_user)
    html = client.get(reverse("office:scheme_edit", args=[loaded.code])).content.decode()
    assert 'type="checkbox" id="f-param.p1_drafting_counts" name="param.p1_drafting_counts" value="true"' in html
    assert '<input type="hidden" name="param.k54_uncompleted_counts" value="false">' in html
    assert 'name="param.prior_until_window_close"' in html
    assert 'name="param.application_window_closes" value="2025-12-31" type="date"' in html
    # each setting's note: why it is the office's to decide, and its default
    assert "文件P1基本条件要求“发布”，支撑材料又列“在编标准”，前后不一；由项目办公室决定。默认否" in html
    assert "默认否：前期绩效只计已结项的研究。" in html
    assert "仅在“前期工作绩效截至申报窗口截止日”为“是”时使用" in html
    # no application window yet: no hint
    assert 'data-testid="window-close-hint"' not in html
    # official conditions (e.g. the W-PRIOR start date) stay read-only: no input for them
    assert 'name="param.prior_start"' not in html and 'data-condition="prior_start"' in html


def test_application_window_closing_date_is_a_hint_and_not_written(client, office_user, loaded):
    from zgcfund.programmes.domain.scheme import BEIJING

    ApplicationWindow.objects.create(code=loaded.code, opens_at=dt.datetime(2025, 9, 1, 9, 0, tzinfo=BEIJING),
                                     closes_at=dt.datetime(2025, 10, 31, 17, 0, tzinfo=BEIJING))
    client.force_login(office_user)
    html = client.get(reverse("office:scheme_edit", args=[loaded.code])).content.decode()
    assert 'data-testid="window-close-hint"' in html
    assert "已设置的申报时间截止于 2025-10-31 17:00（北京时间），即截止日 2025-10-31。" in html
    assert "与此处填写的日期不同" in html
    assert 'name="param.application_window_closes" value="2025-12-31"' in html  # not overwritten
    assert ProgrammeYear.objects.filter(code=loaded.code).count() == 1


def test_window_closing_at_midnight_hints_the_day_before(loaded):
    from zgcfund.programmes.domain.scheme import BEIJING, window_close_hint

    ApplicationWindow.objects.create(code=loaded.code, opens_at=dt.datetime(2025, 9, 1, tzinfo=BEIJING),
                                     closes_at=dt.datetime(2025, 11, 1, tzinfo=BEIJING))
    hint = window_close_hint(loaded.code, "2025-10-31")
    assert hint.last_day == dt.date(2025, 10, 31) and not hint.differs


def test_office_saves_a_switch_and_a_date_as_a_new_version_and_the_evaluation_follows(
        client, office_user, loaded, application, applicant):
    save_record(application, applicant, "P1", P1_DRAFTING)
    application.refresh_from_db()
    before = assess(application, programme=parsed(loaded)).prior["clauses"]["P1"]
    assert before["status"] == "not_met" and [r["message"] for r in before["rejected"]] == ["标准尚未发布"]

    client.force_login(office_user)
    preview = _post(client, loaded, {"param.p1_drafting_counts": True}, action="preview")
    assert preview.status_code == 200
    assert "遴选时在编标准（未发布）计入P1（2025-01-01 起）：否 → 是" in preview.content.decode()

    response = _post(client, loaded, {"param.p1_drafting_counts": True, "param.application_window_closes": "2025-10-31"},
                     action="save", version="2025-office-2", reason="办公室决定：在编标准计入P1")
    assert response.status_code == 302
    v2 = ProgrammeYear.objects.get(code=loaded.code, is_current=True)
    assert v2.version == 2 and v2.scoring_version == "2025-office-2"
    programme = parsed(v2)
    assert programme.parameters["p1_drafting_counts"].values[-1][1] is True
    assert programme.parameters["application_window_closes"].values[-1][1] == dt.date(2025, 10, 31)
    assert programme.parameters["k54_uncompleted_counts"].values[-1][1] is False  # unchecked: unchanged
    assert parsed(loaded).parameters["p1_drafting_counts"].values[-1][1] is False  # v1 as it was
    assert "values: {2025-01-01: true}" in v2.source_text and "values: {2025-01-01: 2025-10-31}" in v2.source_text

    event = AuditEvent.objects.get(action="programme.scheme")
    assert event.actor == office_user and "办公室决定：在编标准计入P1" in event.summary
    assert event.changes["reason"] == "办公室决定：在编标准计入P1"
    assert [(c["key"], c["old"], c["new"]) for c in event.changes["changes"]] == [
        ("param.application_window_closes", "2025-12-31", "2025-10-31"), ("param.p1_drafting_counts", "false", "true")]

    after = assess(application, programme=programme).prior["clauses"]["P1"]
    assert after["status"] == "met" and after["rejected"] == [] and len(after["counted"]) == 1

    page = client.get(reverse("office:programme_version", args=[loaded.code, 2])).content.decode()
    assert "遴选时在编标准（未发布）计入P1" in page

    # switched off again: a third version, the drafting standard no longer counts
    off = _post(client, v2, {"param.p1_drafting_counts": False}, action="save", version="2025-office-3",
                reason="恢复默认")
    assert off.status_code == 302
    v3 = ProgrammeYear.objects.get(code=loaded.code, is_current=True)
    assert parsed(v3).parameters["p1_drafting_counts"].values[-1][1] is False
    assert assess(application, programme=parsed(v3)).prior["clauses"]["P1"]["status"] == "not_met"


def test_a_non_office_user_cannot_change_a_setting(client, applicant, loaded):
    client.force_login(applicant)
    response = _post(client, loaded, {"param.p1_drafting_counts": True}, action="save", version="v2", reason="想要")
    assert response.status_code in (302, 403, 404)
    assert ProgrammeYear.objects.filter(code=loaded.code).count() == 1
    assert not AuditEvent.objects.filter(action="programme.scheme").exists()
    client.logout()
    anonymous = _post(client, loaded, {"param.p1_drafting_counts": True}, action="save", version="v2", reason="想要")
    assert anonymous.status_code in (302, 403)
    assert ProgrammeYear.objects.filter(code=loaded.code).count() == 1


def test_an_invalid_date_is_named_in_chinese_and_the_rest_of_the_input_kept(client, office_user, loaded):
    client.force_login(office_user)
    response = _post(client, loaded, {"param.application_window_closes": "2025-02-30", "param.p1_drafting_counts": True,
                                      "P1.base": "7"}, action="save", version="2025-office-2", reason="调整")
    assert response.status_code == 422
    html = response.content.decode()
    assert ("申报窗口截止日（项目办公室录入）（2025-01-01 起）：“2025-02-30”不是有效日期"
            "（格式 YYYY-MM-DD，如 2025-10-31）。") in html
    assert 'name="param.application_window_closes" value="2025-02-30" type="text" aria-invalid="true"' in html
    assert 'name="P1.base" value="7"' in html
    assert 'name="param.p1_drafting_counts" value="true" checked' in html
    assert 'value="2025-office-2"' in html and "调整</textarea>" in html
    assert ProgrammeYear.objects.filter(code=loaded.code).count() == 1


def test_an_official_date_cannot_be_changed_in_the_scheme_editor(client, office_user, loaded):
    client.force_login(office_user)
    response = _post(client, loaded, {"param.prior_start": "2024-07-01", "param.p1_drafting_counts": True},
                     action="save", version="2025-office-2", reason="调整")
    assert response.status_code == 422 and "是文件规定的条件，不能在评分方案中修改" in response.content.decode()
    assert ProgrammeYear.objects.filter(code=loaded.code).count() == 1
