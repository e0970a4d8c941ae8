"""Programme set-up by the office (issue 4): scheme edits as new programme-file versions with a
what-if first, recompute of the ranking under the new version (engine scores re-scored, experts'
scores rescaled, stored scores untouched), earlier versions viewable, uploads, the selection plan."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain.editing import application_for, save_record
from zgcfund.applications.domain.evidence import store_commitment_scan
from zgcfund.applications.domain.submission import content_version, submit_application
from zgcfund.audit.models import AuditEvent
from zgcfund.core.scheme import scheme_values
from zgcfund.programmes.models import ProgrammeYear
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import scoring
from zgcfund.review.domain.formal import decide
from zgcfund.review.domain.ranking import build_ranking
from zgcfund.review.domain.rescoring import stored_evaluation
from zgcfund.review.domain.selection import confirm, save_draft
from zgcfund.review.models import ClauseScore, RankingEvaluation, SelectionPlan

pytestmark = pytest.mark.django_db

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
K31_B = {**K31, "date": "2025-04-12", "title": "大模型应用沙龙", "participants": 70}
P5 = {"phase": "prior", "date": "2025-05-30", "title": "中关村人工智能产业发展研究", "type": "commissioned", "completed": True}
P7 = {"phase": "prior", "date": "2025-07-12", "title": "中关村人工智能开发者大会", "type": "brand_event", "years_held": 3,
      "participants": 400}


def _png(name):
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue())


@pytest.fixture
def experts(make_user):
    return [make_user(f"setup-expert{i}@zgc.example", role=Role.EXPERT, full_name=f"专家{i}") for i in range(3)]


@pytest.fixture
def scored(make_org, make_user, office_user, experts, open_window):
    """Two applications (K3.1, P5, P7), passed formal review, scored by three experts: 甲 strong on
    K3.1 (12/14) and weak on P5 (2), 乙 the other way (K3.1 6, P5 9), both P7 5: 乙 ranks first (20 to 19)."""
    def build(name, k31, p5):
        org = make_org(name)
        user = make_user(f"{org.credit_code}@example.org", organization=org)
        app = application_for(org, user)
        save_record(app, user, "K3.1", K31)
        save_record(app, user, "K3.1", K31_B)
        save_record(app, user, "P5", P5)
        save_record(app, user, "P7", P7)
        app.refresh_from_db()
        commitment = store_commitment_scan(app, user, _png("承诺书.png"))
        app.refresh_from_db()
        submit_application(app, user, commitment_accepted=True, commitment=commitment, opened_version=content_version(app))
        app.refresh_from_db()
        decide(app, office_user, "passed", "", {})
        assigning.assign(app, experts, office_user)
        for a in app.assignments.all():
            scoring.save_review(a, a.expert, scoring.ReviewInput(scores={"K3.1": k31, "P5": p5, "P7": "5"}), submit=True)
        return app
    return build("甲协会", "12", "2"), build("乙协会", "6", "9")


def _post_scheme(client, code, row, changes, **extra):
    data = {**scheme_values_of(row), **changes, "based_on": row.sha256, **extra}
    return client.post(reverse("office:scheme_edit", args=[code]), data)


def scheme_values_of(row):
    from zgcfund.programmes.domain.loading import parsed
    return scheme_values(parsed(row))


def test_scores_keep_the_programme_version_they_were_given_under(scored, loaded):
    a, _b = scored
    for assignment in a.assignments.all():
        assert assignment.scored_under == loaded
        maxima = {s.clause: s.max_score for s in assignment.scores.all()}
        assert maxima == {"K3.1": Decimal(14), "P5": Decimal(10), "P7": Decimal(10)}


def test_what_if_shows_who_moves_and_saves_nothing(client, office_user, scored, loaded):
    a, b = scored
    before = build_ranking(loaded.code).ranking.by_id()
    assert (before[b.pk].rank, before[a.pk].rank) == (1, 2)
    client.force_login(office_user)
    page = _post_scheme(client, loaded.code, loaded, {"K3.1.base": "22"}, action="preview")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="what-if"' in html
    moved = {m.application_id: m for m in page.context["whatif"].moved}
    assert (moved[a.pk].old_rank, moved[a.pk].new_rank, moved[a.pk].movement) == (2, 1, 1)
    assert (moved[b.pk].old_rank, moved[b.pk].new_rank, moved[b.pk].movement) == (1, 2, -1)
    # 甲: K3.1 12/14 → 24/28, + P5 2 + P7 5 = 31
    assert moved[a.pk].new_total == Decimal("31.00")
    assert ProgrammeYear.objects.filter(code=loaded.code).count() == 1
    assert not RankingEvaluation.objects.exclude(programme_year=loaded).exists()


def test_saving_a_scheme_edit_creates_version_2_and_recomputes_the_ranking(client, office_user, scored, loaded):
    a, b = scored
    stored_scores = sorted(ClauseScore.objects.values_list("pk", "score", "max_score"))
    client.force_login(office_user)
    response = _post_scheme(client, loaded.code, loaded, {"K3.1.base": "22"}, action="save", version="2025-office-2",
                            reason="加大园区活动权重")
    v2 = ProgrammeYear.objects.get(code=loaded.code, is_current=True)
    assert response.status_code == 302 and response.url == reverse("office:programme_version", args=[loaded.code, 2])
    assert v2.version == 2 and v2.scoring_version == "2025-office-2" and v2.sha256 != loaded.sha256
    loaded.refresh_from_db()
    assert not loaded.is_current and ProgrammeYear.objects.filter(pk=loaded.pk, sha256=loaded.sha256).exists()
    ranking = build_ranking(loaded.code)
    assert ranking.programme_year == v2
    rows = ranking.ranking.by_id()
    assert (rows[a.pk].rank, rows[b.pk].rank) == (1, 2)
    assert rows[a.pk].row.total == Decimal("31.00")
    # the engine's reference score, re-scored under v2 (K3.1 base 22, P5 5, P7 5 + 1), kept per version
    kept = RankingEvaluation.objects.get(submission__application=a, programme_year=v2)
    assert kept.source == "rescored" and kept.total == Decimal(33)
    full = stored_evaluation(kept.submission, v2)
    assert full["programme_sha256"] == v2.sha256 and full["scoring_version"] == "2025-office-2"
    assert full["score"]["total"] == 33
    assert ranking.details[a.pk].engine_total == Decimal(33)
    # what experts gave is not rewritten
    assert sorted(ClauseScore.objects.values_list("pk", "score", "max_score")) == stored_scores
    event = AuditEvent.objects.get(action="programme.scheme")
    assert event.actor == office_user and "加大园区活动权重" in event.summary
    assert event.changes["changes"] == [{"key": "K3.1.base", "clause": "K3.1", "label": "K3.1 基础分", "old": "8", "new": "22"}]
    # both versions viewable, v2 names what changed from v1
    page = client.get(reverse("office:programme_version", args=[loaded.code, 2])).content.decode()
    assert "K3.1 基础分" in page and "2025-office-2" in page
    v1_page = client.get(reverse("office:programme_version", args=[loaded.code, 1]))
    assert v1_page.status_code == 200 and loaded.sha256 in v1_page.content.decode()


def test_a_confirmed_selection_keeps_the_version_it_was_computed_under(client, office_user, scored, loaded):
    _a, b = scored
    selection = confirm(save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user), office_user)
    assert selection.result["selected"][0]["application_id"] == b.pk
    client.force_login(office_user)
    _post_scheme(client, loaded.code, loaded, {"K3.1.base": "22"}, action="save", version="v2", reason="调整")
    selection.refresh_from_db()
    assert selection.programme_year == loaded and selection.programme_sha256 == loaded.sha256
    assert selection.result["selected"][0]["application_id"] == b.pk  # not rewritten by the new ranking
    assert selection.ranking_settings["method"] == "mean"


def test_K1_3_growth_rate_is_set_in_the_ui_as_a_new_version(client, office_user, loaded):
    client.force_login(office_user)
    response = _post_scheme(client, loaded.code, loaded, {"param.industry_growth_rate": "0.045"}, action="save",
                            version="2025-office-2", reason="统计局公布1-11月行业增速4.5%")
    assert response.status_code == 302
    v2 = ProgrammeYear.objects.get(code=loaded.code, is_current=True)
    assert "values: {2025-01-01: 0.045}" in v2.source_text
    page = client.get(reverse("office:programme_version", args=[loaded.code, 2])).content.decode()
    assert "科技服务业2025年1-11月营收增速" in page


def test_bad_scheme_values_are_named_and_the_input_kept(client, office_user, loaded):
    client.force_login(office_user)
    response = _post_scheme(client, loaded.code, loaded, {"K1.1.base": "-3", "P1.base": "7"}, action="save",
                            version="", reason="")
    assert response.status_code == 422
    html = response.content.decode()
    assert "K1.1 基础分：不能为负数。" in html and "评分方案版本：请填写新版本号。" in html and "修改理由：请填写" in html
    assert 'name="P1.base" value="7"' in html  # the rest of the input is kept
    assert ProgrammeYear.objects.filter(code=loaded.code).count() == 1


def test_a_stale_edit_is_refused(client, office_user, loaded):
    client.force_login(office_user)
    _post_scheme(client, loaded.code, loaded, {"P1.base": "6"}, action="save", version="v2", reason="一")
    response = _post_scheme(client, loaded.code, loaded, {"P2.base": "6"}, action="save", version="v3", reason="二")
    assert response.status_code == 422 and "已有新版本" in response.content.decode()
    assert ProgrammeYear.objects.filter(code=loaded.code).count() == 2


def test_upload_a_programme_file(client, office_user, loaded, programme):
    client.force_login(office_user)
    bad = client.post(reverse("office:programmes"), {"programme_file": SimpleUploadedFile("p.yaml", b"code: [")})
    assert bad.status_code == 422 and "项目文件无效" in bad.content.decode()
    binary = client.post(reverse("office:programmes"), {"programme_file": SimpleUploadedFile("p.yaml", b"\xff\xfe\x00")})
    assert "UTF-8" in binary.content.decode()
    same = client.post(reverse("office:programmes"), {"programme_file": SimpleUploadedFile(
        "p.yaml", programme.source_text.encode())}, follow=True)
    assert "内容相同" in same.content.decode()
    changed = programme.source_text.replace("version: 2025-default-1", "version: 2025-default-9")
    client.post(reverse("office:programmes"), {"programme_file": SimpleUploadedFile("p.yaml", changed.encode())})
    assert ProgrammeYear.objects.get(code=loaded.code, is_current=True).scoring_version == "2025-default-9"
    assert AuditEvent.objects.filter(action="programme.load").count() == 1


def test_selection_plan_sets_the_selection_defaults_and_the_aggregation(client, office_user, scored, loaded):
    a, _b = scored
    client.force_login(office_user)
    bad = client.post(reverse("office:selection_plan", args=[loaded.code]),
                      {"method": "by_count", "n": "0", "agg_method": "mean", "min_experts": "x", "trim_min_experts": "5",
                       "clause_spread_threshold": "5", "total_spread_threshold": "15"})
    assert bad.status_code == 422
    assert "入选数量" in bad.content.decode() and "最少专家人数" in bad.content.decode()
    ok = client.post(reverse("office:selection_plan", args=[loaded.code]),
                     {"method": "by_count", "n": "1", "agg_method": "mean", "min_experts": "4", "trim_min_experts": "5",
                      "clause_spread_threshold": "5", "total_spread_threshold": "15"})
    assert ok.status_code == 302
    plan = SelectionPlan.objects.get(code=loaded.code)
    assert plan.selection_spec == {"method": "by_count", "n": 1} and plan.ranking_settings["min_experts"] == 4
    # four experts now required: three submitted is not enough to rank
    assert build_ranking(loaded.code).ranking.by_id()[a.pk].rank is None
    page = client.get(reverse("office:selection", args=[loaded.code]))
    assert page.context["spec"] == {"method": "by_count", "n": 1}
    assert AuditEvent.objects.filter(action="programme.plan", actor=office_user).exists()


@pytest.mark.parametrize("name", ["office:programmes", "office:programme", "office:scheme_edit", "office:selection_plan",
                                  "office:programme_version", "office:programme_source"])
def test_set_up_pages_are_office_only(client, applicant, loaded, name):
    args = {"office:programmes": [], "office:programme_version": [loaded.code, 1],
            "office:programme_source": [loaded.code, 1]}.get(name, [loaded.code])
    client.force_login(applicant)
    assert client.get(reverse(name, args=args)).status_code in (403, 404)


def test_review_report_names_the_version_and_shows_the_engine_under_it(client, office_user, scored, loaded):
    from zgcfund.review.interfaces.report import render_report_html

    a, _b = scored
    before = render_report_html(a)
    assert "项目文件第 1 版" in before and "（前期工作绩效，提交时）" in before
    client.force_login(office_user)
    _post_scheme(client, loaded.code, loaded, {"K3.1.base": "22"}, action="save", version="v2", reason="调整")
    after = render_report_html(a)
    assert "项目文件第 2 版" in after and "按第 2 版项目文件重新计算" in after
    assert "合计 <strong>33</strong>" in after  # K3.1 22 + P5 5 + P7 6 under v2
