"""Official conditions vs office numbers (issue 10): the scheme editor edits only the office's numbers,
shows the official conditions read-only and refuses a forged change of one; a change of conditions is a
separate action with a required reason, stored as a flagged version and audited; every result under a
version whose conditions differ from the published text carries a banner."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zgcfund.audit.models import AuditEvent, Visibility
from zgcfund.core.scheme import scheme_values
from zgcfund.programmes.domain.conditions import conditions_notice
from zgcfund.programmes.domain.loading import parsed
from zgcfund.programmes.models import ProgrammeYear

pytestmark = pytest.mark.django_db

BANNER = "本版本的基本条件与正式文件不同："


def _scheme_post(client, row, changes, **extra):
    data = {**scheme_values(parsed(row)), **changes, "based_on": row.sha256, **extra}
    for key in [k for k in data if k.startswith("param.") and parsed(row).parameters[k[6:]].official]:
        data.pop(key)  # the page has no input for an official condition
    data |= {k: v for k, v in changes.items()}
    return client.post(reverse("office:scheme_edit", args=[row.code]), data)


def _change_conditions(client, row, values, reason):
    return client.post(reverse("office:conditions_edit", args=[row.code]),
                       {**values, "reason": reason, "based_on": row.sha256})


def test_editor_edits_office_numbers_and_shows_conditions_read_only(client, office_user, loaded):
    client.force_login(office_user)
    html = client.get(reverse("office:scheme_edit", args=[loaded.code])).content.decode()
    assert 'name="param.industry_growth_rate"' in html  # the office's (K1.3 growth rate)
    assert 'name="param.k11_min_enterprises"' not in html and 'name="param.min_participants"' not in html
    table = html[html.index('data-testid="official-conditions"'):]
    assert 'data-condition="k11_min_enterprises"' in table and "文件规定" in table
    assert "在2025年度中开展不少于50家企业" in table  # the official text's reference
    assert 'data-condition="prior_start"' in table and "2024-08-01" in table  # window dates too


@pytest.mark.parametrize("action", ["save", "preview"])
def test_a_forged_post_changing_a_condition_is_refused(client, office_user, loaded, action):
    client.force_login(office_user)
    response = _scheme_post(client, loaded, {"param.k11_min_enterprises": "40", "K1.1.base": "9"}, action=action,
                            version="2025-office-2", reason="调低门槛")
    assert response.status_code == 422
    html = response.content.decode()
    assert "「调研企业数下限」（K1.1）是文件规定的条件，不能在评分方案中修改" in html
    assert 'data-testid="what-if"' not in html
    assert ProgrammeYear.objects.filter(code=loaded.code).count() == 1
    assert not AuditEvent.objects.filter(action__startswith="programme.").exists()


def test_an_unchanged_condition_in_the_post_is_no_change(client, office_user, loaded):
    client.force_login(office_user)
    response = _scheme_post(client, loaded, {"param.k11_min_enterprises": "50", "K1.1.base": "9"}, action="save",
                            version="2025-office-2", reason="调整分值")
    assert response.status_code == 302
    assert not ProgrammeYear.objects.get(code=loaded.code, is_current=True).changes_conditions


def test_the_separate_action_with_a_reason_creates_a_flagged_audited_version(client, office_user, loaded):
    client.force_login(office_user)
    page = client.get(reverse("office:conditions_edit", args=[loaded.code]))
    assert page.status_code == 200 and 'name="k11_min_enterprises" value="50"' in page.content.decode()
    response = _change_conditions(client, loaded, {"k11_min_enterprises": "40", "prior_start": "2024-07-01"},
                                  "上级主管部门通知：调研企业数下限调整为40家")
    v2 = ProgrammeYear.objects.get(code=loaded.code, is_current=True)
    assert response.status_code == 302 and response.url == reverse("office:programme_version", args=[loaded.code, 2])
    assert v2.version == 2 and v2.changes_conditions
    assert v2.conditions_reason == "上级主管部门通知：调研企业数下限调整为40家"
    assert v2.scoring_version == loaded.scoring_version  # the scheme is not touched
    programme = parsed(v2)
    assert programme.parameters["k11_min_enterprises"].values[-1][1] == 40
    assert programme.parameters["prior_start"].values[-1][1].isoformat() == "2024-07-01"
    event = AuditEvent.objects.get(action="programme.conditions")
    assert event.actor == office_user and event.visibility == Visibility.OFFICE
    assert "调研企业数下限调整为40家" in event.summary
    assert {c["name"]: (c["old"], c["new"]) for c in event.changes["conditions"]} == {
        "k11_min_enterprises": ("50", "40"), "prior_start": ("2024-08-01", "2024-07-01")}
    version_page = client.get(response.url).content.decode()
    assert 'data-testid="changes-conditions"' in version_page and BANNER in version_page


def test_without_a_reason_it_is_refused_and_the_typed_values_kept(client, office_user, loaded):
    client.force_login(office_user)
    response = _change_conditions(client, loaded, {"k11_min_enterprises": "40", "k31_min_events": "3"}, "  ")
    assert response.status_code == 422
    html = response.content.decode()
    assert "变更理由：请填写" in html
    assert 'name="k11_min_enterprises" value="40"' in html and 'name="k31_min_events" value="3"' in html
    bad = _change_conditions(client, loaded, {"k11_min_enterprises": "四十"}, "理由")
    assert bad.status_code == 422 and "不是数字" in bad.content.decode()
    assert ProgrammeYear.objects.filter(code=loaded.code).count() == 1
    assert not AuditEvent.objects.filter(action="programme.conditions").exists()


def test_the_banner_shows_under_a_flagged_version_and_not_under_an_unflagged_one(client, office_user, loaded):
    client.force_login(office_user)
    ranking = reverse("office:ranking", args=[loaded.code])
    assert BANNER not in client.get(ranking).content.decode()
    _scheme_post(client, loaded, {"K1.1.base": "9"}, action="save", version="2025-office-2", reason="调整分值")
    v2 = ProgrammeYear.objects.get(code=loaded.code, is_current=True)
    assert v2.version == 2 and conditions_notice(v2) is None
    assert BANNER not in client.get(ranking).content.decode()
    _change_conditions(client, v2, {"min_participants": "50"}, "主管部门同意每场活动不低于50人")
    v3 = ProgrammeYear.objects.get(code=loaded.code, is_current=True)
    html = client.get(ranking).content.decode()
    assert 'data-testid="conditions-banner"' in html and BANNER in html
    banner = html[html.index('data-testid="conditions-banner"'):]
    banner = banner[:banner.index("</div>")]
    assert "每场活动参加人数下限" in banner and "60" in banner and "50" in banner
    assert "主管部门同意每场活动不低于50人" in banner
    # a later scheme edit keeps the changed conditions: the banner stays, with the reason
    _scheme_post(client, v3, {"K1.1.base": "10"}, action="save", version="2025-office-4", reason="再调分值")
    v4 = ProgrammeYear.objects.get(code=loaded.code, is_current=True)
    assert not v4.changes_conditions and conditions_notice(v4).reason == "主管部门同意每场活动不低于50人"
    assert "主管部门同意每场活动不低于50人" in client.get(ranking).content.decode()
    assert BANNER in client.get(reverse("office:selection", args=[loaded.code])).content.decode()


def test_the_banner_shows_in_the_applicants_live_panel(client, office_user, applicant, application, loaded):
    client.force_login(applicant)
    panel = reverse("applications:panel", args=[application.pk])
    assert BANNER not in client.get(panel).content.decode()
    from zgcfund.programmes.domain.conditions import change_conditions
    v2 = change_conditions(loaded, {"k31_min_events": "3"}, reason="测试", by=office_user).row
    application.programme_year = v2
    application.save(update_fields=["programme_year"])
    assert BANNER in client.get(panel).content.decode()


def test_an_upload_changing_conditions_needs_a_reason_and_is_flagged(client, office_user, loaded, programme):
    client.force_login(office_user)
    changed = programme.source_text.replace("values: {2025-01-01: 60}", "values: {2025-01-01: 50}", 1)
    assert changed != programme.source_text
    refused = client.post(reverse("office:programmes"), {"programme_file": SimpleUploadedFile("p.yaml", changed.encode())})
    assert refused.status_code == 422
    assert "该文件变更了文件规定的条件：每场活动参加人数下限（K3.1）" in refused.content.decode()
    assert ProgrammeYear.objects.filter(code=loaded.code).count() == 1
    client.post(reverse("office:programmes"), {"programme_file": SimpleUploadedFile("p.yaml", changed.encode()),
                                               "conditions_reason": "正式文件修订"})
    v2 = ProgrammeYear.objects.get(code=loaded.code, is_current=True)
    assert v2.changes_conditions and v2.conditions_reason == "正式文件修订"
    assert AuditEvent.objects.get(action="programme.conditions").changes["source"] == "upload"


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_applicant_cannot_open_the_change_conditions_page(client, applicant, loaded, method):
    client.force_login(applicant)
    url = reverse("office:conditions_edit", args=[loaded.code])
    response = getattr(client, method)(url, {"k11_min_enterprises": "1", "reason": "x", "based_on": loaded.sha256}
                                       if method == "post" else None)
    assert response.status_code in (403, 404)
    assert ProgrammeYear.objects.filter(code=loaded.code).count() == 1
