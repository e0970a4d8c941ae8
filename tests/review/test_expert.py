"""Expert review: assignment by hand and in bulk, conflicts of interest, the expert's scoped view,
record verification changing the expert's engine view, scoring, submitting, no anchoring."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain.editing import application_for, save_record
from zgcfund.applications.domain.evidence import store_commitment_scan, store_evidence
from zgcfund.applications.domain.submission import content_version, submit_application
from zgcfund.audit.models import AuditEvent
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import conflicts as conflicts_domain
from zgcfund.review.domain import scoring
from zgcfund.review.domain.formal import decide
from zgcfund.review.models import Assignment, ClauseScore, ConflictOfInterest

pytestmark = pytest.mark.django_db

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
K31_B = {**K31, "date": "2025-04-12", "title": "大模型应用沙龙", "participants": 70}


def png(color="white", name="图.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (60, 80), color).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue())


def passed_application(org, user, office_user, *, evidence=False):
    """An application with two K3.1 events (K3.1 needs 2), submitted and through formal review."""
    app = application_for(org, user)
    first = save_record(app, user, "K3.1", K31)
    save_record(app, user, "K3.1", K31_B)
    if evidence:
        store_evidence(app, user, first, png("red", "活动照片.png"))
    app.refresh_from_db()
    commitment = store_commitment_scan(app, user, png(name="承诺书.png"))
    app.refresh_from_db()
    submit_application(app, user, commitment_accepted=True, commitment=commitment, opened_version=content_version(app))
    app.refresh_from_db()
    decide(app, office_user, "passed", "", {})
    app.refresh_from_db()
    return app


@pytest.fixture
def passed(org, applicant, office_user, open_window):
    return passed_application(org, applicant, office_user, evidence=True)


@pytest.fixture
def other_passed(other_org, other_applicant, office_user, open_window):
    return passed_application(other_org, other_applicant, office_user)


@pytest.fixture
def make_expert(make_user):
    def make(n):
        return make_user(f"expert{n}@zgc.example", role=Role.EXPERT, full_name=f"专家{n}")
    return make


@pytest.fixture
def expert(make_expert):
    return make_expert(1)


@pytest.fixture
def expert2(make_expert):
    return make_expert(2)


def assignment_of(application, expert):
    return Assignment.objects.get(application=application, expert=expert)


def full_review(assignment) -> scoring.ReviewInput:
    return scoring.ReviewInput(verdicts={"K3.1-001": "accept", "K3.1-002": "accept"}, scores={"K3.1": "9.5"},
                              comments={"K3.1": "活动扎实"})


# --- assignment -------------------------------------------------------------------------------

def test_assign_by_hand_records_the_latest_submission_and_is_audited(passed, expert, office_user):
    [a] = assigning.assign(passed, [expert], office_user)
    assert a.submission == passed.submissions.get(number=1) and a.assigned_by == office_user
    assert AuditEvent.objects.filter(application=passed, action="review.assign").exists()
    with pytest.raises(assigning.ReviewRefused, match="已分配"):
        assigning.assign(passed, [expert], office_user)


def test_only_experts_and_only_applications_awaiting_review(passed, other_org, other_applicant, expert, applicant,
                                                             office_user):
    with pytest.raises(assigning.ReviewRefused, match="不是评审专家"):
        assigning.assign(passed, [applicant], office_user)
    draft = application_for(other_org, other_applicant)
    with pytest.raises(assigning.ReviewRefused, match="不在待专家评审阶段"):
        assigning.assign(draft, [expert], office_user)


def test_conflict_of_interest_blocks_assignment_naming_expert_and_organization(passed, expert, expert2, office_user):
    ConflictOfInterest.objects.create(expert=expert, organization=passed.organization, reason="曾任该会理事")
    with pytest.raises(assigning.ReviewRefused) as exc:
        assigning.assign(passed, [expert2, expert], office_user)
    assert "专家1" in exc.value.message and passed.organization.name in exc.value.message
    assert not Assignment.objects.filter(application=passed).exists()  # all or nothing


def test_bulk_gives_every_application_n_experts_balancing_load_and_skipping_conflicts(
        passed, other_passed, make_expert, office_user):
    experts = [make_expert(n) for n in range(1, 5)]
    ConflictOfInterest.objects.create(expert=experts[0], organization=passed.organization, reason="亲属任职")
    result = assigning.assign_bulk(passed.programme_code, 2, office_user)
    assert len(result.created) == 4 and result.short == []
    for app in (passed, other_passed):
        assert app.assignments.count() == 2
    assert not Assignment.objects.filter(application=passed, expert=experts[0]).exists()
    loads = sorted(Assignment.objects.filter(expert=e).count() for e in experts)
    assert loads == [1, 1, 1, 1]
    # running again adds nothing; raising N tops up without duplicates
    assert assigning.assign_bulk(passed.programme_code, 2, office_user).created == []
    result = assigning.assign_bulk(passed.programme_code, 4, office_user)
    assert [(app.pk, n) for app, n in result.short] == [(passed.pk, 3)]
    assert other_passed.assignments.count() == 4
    assert AuditEvent.objects.filter(action="review.assign_bulk").count() == 3


def test_office_assignment_pages(client, passed, expert, expert2, office_user):
    client.force_login(office_user)
    page = client.get(reverse("office:assign", args=[passed.programme_code]))
    assert page.status_code == 200 and passed.organization.name in page.content.decode()
    response = client.post(reverse("office:assign", args=[passed.programme_code]), {"per_application": "x"})
    assert response.status_code == 422 and "整数" in response.content.decode()
    response = client.post(reverse("office:assign_application", args=[passed.pk]), {"experts": [expert.pk]})
    assert response.status_code == 302 and assignment_of(passed, expert)
    response = client.post(reverse("office:assign", args=[passed.programme_code]), {"per_application": "3"}, follow=True)
    assert "只有 2 位可分配的专家" in response.content.decode()
    a = assignment_of(passed, expert2)
    client.post(reverse("office:unassign", args=[a.pk]))
    assert not Assignment.objects.filter(pk=a.pk).exists()
    assert AuditEvent.objects.filter(action="review.unassign", application=passed).exists()


def test_unassign_refused_after_the_expert_submitted(passed, expert, office_user):
    [a] = assigning.assign(passed, [expert], office_user)
    scoring.save_review(a, expert, full_review(a), submit=True)
    with pytest.raises(assigning.ReviewRefused, match="已提交"):
        assigning.unassign(a, office_user)


def test_removing_the_last_expert_returns_the_application_to_awaiting_review(passed, expert, expert2, office_user):
    first, second = assigning.assign(passed, [expert, expert2], office_user)
    passed.refresh_from_db()
    assert passed.status == "under_review"
    assigning.unassign(first, office_user)
    passed.refresh_from_db()
    assert passed.status == "under_review"  # one expert still holds it
    assigning.unassign(second, office_user)
    passed.refresh_from_db()
    assert passed.status == "formal_passed"
    stop = AuditEvent.objects.get(action="review.stop")
    assert stop.actor == office_user and "专家" not in stop.summary.replace("专家评审", "")


def test_an_expert_withdrawing_for_a_conflict_leaves_the_move_to_the_system(passed, expert, office_user):
    assigning.assign(passed, [expert], office_user)
    conflicts_domain.declare_conflict(expert, passed.organization, "曾任该会理事")
    passed.refresh_from_db()
    assert passed.status == "formal_passed"
    assert AuditEvent.objects.get(action="review.stop").actor is None


def test_office_pages_are_office_only(client, passed, expert, applicant):
    urls = [reverse("office:assign_home"), reverse("office:assign", args=[passed.programme_code]),
            reverse("office:assign_application", args=[passed.pk]), reverse("office:expert_reviews", args=[passed.pk])]
    for user in (expert, applicant):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, url
    client.logout()
    for url in [*urls, reverse("expert:tasks"), reverse("expert:conflicts")]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"], url


# --- conflicts --------------------------------------------------------------------------------

def test_declaring_a_conflict_withdraws_an_open_assignment(client, passed, expert, office_user):
    assigning.assign(passed, [expert], office_user)
    client.force_login(expert)
    response = client.post(reverse("expert:conflicts"), {"organization": passed.organization.pk, "reason": ""})
    assert response.status_code == 422 and "回避理由" in response.content.decode()
    assert Assignment.objects.filter(expert=expert).exists()
    response = client.post(reverse("expert:conflicts"), {"organization": passed.organization.pk, "reason": "曾任该会理事"})
    assert response.status_code == 302
    assert not Assignment.objects.filter(expert=expert).exists()
    assert ConflictOfInterest.objects.filter(expert=expert, organization=passed.organization).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"review.conflict", "review.unassign"} <= actions


def test_declaring_a_conflict_after_submitting_is_refused(passed, expert, office_user):
    [a] = assigning.assign(passed, [expert], office_user)
    scoring.save_review(a, expert, full_review(a), submit=True)
    with pytest.raises(assigning.ReviewRefused, match="联系项目办公室"):
        conflicts_domain.declare_conflict(expert, passed.organization, "曾任该会理事")
    assert Assignment.objects.filter(pk=a.pk).exists() and not ConflictOfInterest.objects.exists()


def test_conflict_choices_are_organizations_under_review(client, passed, application, expert, other_org):
    client.force_login(expert)
    page = client.get(reverse("expert:conflicts"))
    assert list(page.context["organizations"]) == [passed.organization]
    response = client.post(reverse("expert:conflicts"), {"organization": other_org.pk, "reason": "x"})
    assert response.status_code == 422


# --- scope ------------------------------------------------------------------------------------

def test_expert_sees_only_their_own_assignments(client, passed, other_passed, expert, expert2, office_user):
    [mine] = assigning.assign(passed, [expert], office_user)
    [theirs] = assigning.assign(other_passed, [expert2], office_user)
    client.force_login(expert)
    tasks = client.get(reverse("expert:tasks")).content.decode()
    assert passed.organization.name in tasks and other_passed.organization.name not in tasks
    assert client.get(reverse("expert:review", args=[mine.pk])).status_code == 200
    assert client.get(reverse("expert:review", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("expert:review", args=[theirs.pk]), {"score-K3.1": "1"}).status_code == 404


def test_expert_sees_evidence_of_assigned_applications_only(client, passed, expert, expert2, office_user, applicant):
    evidence = passed.evidence_files.get(kind="record")
    assigning.assign(passed, [expert], office_user)
    url = reverse("applications:evidence_download", args=[evidence.pk])
    client.force_login(expert2)
    assert client.get(url).status_code == 404
    assert client.get(reverse("applications:overview", args=[passed.pk])).status_code == 404
    client.force_login(expert)
    assert client.get(url).status_code == 200
    page = client.get(reverse("expert:review", args=[assignment_of(passed, expert).pk])).content.decode()
    assert url in page and "活动照片.png" in page and "海淀园" in page


def test_expert_reads_the_frozen_submission_not_the_live_application(client, passed, expert, expert2, office_user):
    [assignment] = assigning.assign(passed, [expert], office_user)
    live = [reverse("applications:overview", args=[passed.pk]),
            reverse("applications:clause", args=[passed.pk, "K3.1"]),
            reverse("applications:export_json", args=[passed.pk]),
            reverse("applications:history", args=[passed.pk]),
            reverse("applications:draft_pdf", args=[passed.pk]),
            reverse("applications:status", args=[passed.pk])]
    frozen = [reverse("applications:submission_pdf", args=[passed.pk, assignment.submission.number]),
              reverse("expert:review", args=[assignment.pk])]
    client.force_login(expert)
    for url in live:
        assert client.get(url).status_code in (403, 404), url
    for url in frozen:
        assert client.get(url).status_code == 200, url
    client.force_login(expert2)  # not assigned
    for url in live + frozen:
        assert client.get(url).status_code == 404, url


def test_applicant_pages_do_not_open_to_experts_for_editing(client, passed, expert, office_user):
    assigning.assign(passed, [expert], office_user)
    client.force_login(expert)
    record = passed.records.first()
    evidence = passed.evidence_files.get(kind="record")
    response = client.post(reverse("applications:evidence_delete", args=[evidence.pk]))
    assert response.status_code == 403
    assert passed.records.get(pk=record.pk).fields == record.fields


# --- review -----------------------------------------------------------------------------------

def test_K3_1_rejected_event_is_not_met_for_that_expert_only(client, passed, expert, expert2, office_user):
    assigning.assign(passed, [expert, expert2], office_user)
    a1, a2 = assignment_of(passed, expert), assignment_of(passed, expert2)
    client.force_login(expert)
    response = client.post(reverse("expert:review", args=[a1.pk]),
                           {"action": "save", "verdict-K3.1-002": "reject", "reason-K3.1-002": ""})
    assert response.status_code == 422 and "不认可时请填写理由" in response.content.decode()
    assert not a1.verdicts.exists()
    response = client.post(reverse("expert:review", args=[a1.pk]),
                           {"action": "save", "verdict-K3.1-002": "reject", "reason-K3.1-002": "签到表人数不足"})
    assert response.status_code == 302
    assert scoring.expert_assessment(a1).prior["clauses"]["K3.1"]["status"] == "not_met"
    assert scoring.expert_assessment(a2).prior["clauses"]["K3.1"]["status"] == "met"
    page = client.get(reverse("expert:review", args=[a1.pk])).content.decode()
    assert 'data-testid="clause-K3.1" data-status="not_met"' in page and "评审核实未通过" in page


@pytest.mark.parametrize(("text", "message"), [("15", "0 至 14"), ("-1", "0 至 14"), ("9.555", "两位小数"),
                                               ("abc", "不是数字"), ("NaN", "不是数字")])
def test_K3_1_score_must_be_within_the_schemes_range(passed, expert, office_user, text, message):
    [a] = assigning.assign(passed, [expert], office_user)
    with pytest.raises(assigning.ReviewInvalid) as exc:
        scoring.save_review(a, expert, scoring.ReviewInput(scores={"K3.1": text}))
    assert message in exc.value.errors["score-K3.1"]
    assert not ClauseScore.objects.exists()


def test_draft_saves_many_times_then_submit_requires_every_declared_clause_and_locks(client, passed, expert, office_user):
    [a] = assigning.assign(passed, [expert], office_user)
    scoring.save_review(a, expert, scoring.ReviewInput(scores={"K3.1": "7"}))
    scoring.save_review(a, expert, scoring.ReviewInput(scores={"K3.1": "8.25"}, comments={"K3.1": "较好"}))
    assert a.scores.get().score == Decimal("8.25") and not a.is_submitted
    with pytest.raises(assigning.ReviewInvalid) as exc:
        scoring.save_review(a, expert, scoring.ReviewInput(), submit=True)
    assert "提交前请为该条款评分" in exc.value.errors["score-K3.1"]
    assert a.scores.get().score == Decimal("8.25")  # the failed submit lost nothing
    with pytest.raises(assigning.ReviewInvalid) as exc:
        scoring.save_review(a, expert, scoring.ReviewInput(scores={"K3.1": "8", "P1": "3"}), submit=True)
    assert "不应评分" in exc.value.errors["score-P1"]

    client.force_login(expert)
    response = client.post(reverse("expert:review", args=[a.pk]),
                           {"action": "submit", "score-K3.1": "8.5", "comment-K3.1": "好"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.is_submitted and a.verdicts.filter(accepted=True).count() == 2  # unmarked records recorded as accepted
    response = client.post(reverse("expert:review", args=[a.pk]), {"action": "save", "score-K3.1": "1"})
    assert response.status_code == 422 and "不能再修改" in response.content.decode()
    assert a.scores.get().score == Decimal("8.50")
    assert AuditEvent.objects.filter(action="review.submit", application=passed).exists()


def test_no_anchoring_before_submitting_then_others_submitted_scores(client, passed, expert, expert2, office_user):
    assigning.assign(passed, [expert, expert2], office_user)
    a1, a2 = assignment_of(passed, expert), assignment_of(passed, expert2)
    scoring.save_review(a2, expert2, scoring.ReviewInput(verdicts={"K3.1-001": "reject"}, reasons={"K3.1-001": "照片不符"},
                                                        scores={"K3.1": "3.75"}, comments={"K3.1": "独家评语"}), submit=True)
    client.force_login(expert)
    page = client.get(reverse("expert:review", args=[a1.pk]))
    html = page.content.decode()
    assert "3.75" not in html and "独家评语" not in html and "照片不符" not in html
    assert page.context["others"] == [] and 'data-testid="other-reviews"' not in html
    scoring.save_review(a1, expert, full_review(a1), submit=True)
    html = client.get(reverse("expert:review", args=[a1.pk])).content.decode()
    assert "3.75" in html and "独家评语" in html and "照片不符" in html


def test_others_drafts_stay_hidden_even_after_submitting(client, passed, expert, expert2, office_user):
    assigning.assign(passed, [expert, expert2], office_user)
    a1, a2 = assignment_of(passed, expert), assignment_of(passed, expert2)
    scoring.save_review(a2, expert2, scoring.ReviewInput(scores={"K3.1": "3.75"}, comments={"K3.1": "草稿评语"}))
    scoring.save_review(a1, expert, full_review(a1), submit=True)
    client.force_login(expert)
    html = client.get(reverse("expert:review", args=[a1.pk])).content.decode()
    assert "草稿评语" not in html and "其他专家尚未提交" in html


def test_office_sees_every_experts_scores_and_verdicts(client, passed, expert, expert2, office_user):
    assigning.assign(passed, [expert, expert2], office_user)
    a1, a2 = assignment_of(passed, expert), assignment_of(passed, expert2)
    scoring.save_review(a1, expert, full_review(a1), submit=True)
    scoring.save_review(a2, expert2, scoring.ReviewInput(verdicts={"K3.1-002": "reject"}, reasons={"K3.1-002": "人数存疑"},
                                                        scores={"K3.1": "4"}, comments={"K3.1": "草稿中"}))
    client.force_login(office_user)
    html = client.get(reverse("office:expert_reviews", args=[passed.pk])).content.decode()
    assert "9.50" in html and "活动扎实" in html and "4.00" in html and "草稿中" in html and "人数存疑" in html
    assert "已提交" in html and "未提交" in html


def test_non_experts_get_403_on_expert_pages(client, passed, applicant, office_user, expert):
    [a] = assigning.assign(passed, [expert], office_user)
    for user in (applicant, office_user):
        client.force_login(user)
        for url in (reverse("expert:tasks"), reverse("expert:conflicts"), reverse("expert:review", args=[a.pk])):
            assert client.get(url).status_code == 403, url


def test_expert_link_in_the_user_bar(client, expert):
    client.force_login(expert)
    html = client.get(reverse("expert:tasks")).content.decode()
    assert reverse("expert:tasks") in html and "评审任务" in html
