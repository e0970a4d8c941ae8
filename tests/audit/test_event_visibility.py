"""Who reads which activity entry: the applicant its own actions and the outcomes told to it, never the
experts' names, assignments, reviews or objectors; an expert only its own entries; the office all.
The history page, the predicate and the query agree; every ``record_event`` call says who may read it."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from tests.review.conftest import office_client, seed  # noqa: F401  (fixtures)
from tests.review.test_expert import full_review, passed  # noqa: F401  (fixture)
from tests.review.test_selection_web import confirmed, four  # noqa: F401  (fixtures)

import zgcfund
from zgcfund.accounts.models import Membership
from zgcfund.accounts.models.user import Role
from zgcfund.audit.domain import record_event
from zgcfund.audit.domain.queries import events_visible_to
from zgcfund.audit.models import AuditEvent, Visibility
from zgcfund.audit.rules import can_view_event
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import scoring
from zgcfund.review.domain import selection as selection_domain
from zgcfund.review.models import Assignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def sun(make_user):
    return make_user("sun@zgc.example", role=Role.EXPERT, full_name="孙评审")


@pytest.fixture
def zheng(make_user):
    return make_user("zheng@zgc.example", role=Role.EXPERT, full_name="郑评审")


@pytest.fixture
def reviewed(passed, sun, zheng, office_user):  # noqa: F811
    """Both experts assigned; 孙评审 submitted, 郑评审 saved a draft."""
    assigning.assign(passed, [sun, zheng], office_user)
    for expert, submit in ((sun, True), (zheng, False)):
        assignment = Assignment.objects.get(application=passed, expert=expert)
        scoring.save_review(assignment, expert, full_review(assignment), submit=submit)
    return passed


def history(client, user, application):
    client.force_login(user)
    return client.get(reverse("applications:history", args=[application.pk]))


def test_applicant_history_names_no_expert_assignment_or_review(client, reviewed, applicant):
    response = history(client, applicant, reviewed)
    page = response.content.decode()
    assert response.status_code == 200
    assert "提交申报书" in page and "形式审查通过" in page and "新增记录" in page  # its own actions and outcomes
    for hidden in ("孙评审", "郑评审", "分配评审专家", "提交评审意见", "保存评审草稿"):
        assert hidden not in page, hidden


def test_assigned_expert_sees_only_its_own_entries(client, reviewed, sun):
    # the live application's history is not the expert's (issue 11): it reads its own entries elsewhere
    assert history(client, sun, reviewed).status_code == 404
    summaries = [e.summary for e in events_visible_to(sun, reviewed)]
    assert "评审专家孙评审提交评审意见" in "".join(summaries)
    joined = "".join(summaries)
    assert "郑评审" not in joined  # the other expert stays anonymous (no name, no submission order)
    assert "分配评审专家" not in joined and "提交申报书" not in joined


def test_office_sees_every_entry(client, reviewed, office_user):
    page = history(client, office_user, reviewed).content.decode()
    for shown in ("孙评审", "郑评审", "分配评审专家", "提交评审意见", "保存评审草稿", "提交申报书", "形式审查通过"):
        assert shown in page, shown


def test_another_organization_gets_404(client, reviewed, other_applicant, zheng, make_user):
    assert history(client, other_applicant, reviewed).status_code == 404
    stranger = make_user("stranger@zgc.example", role=Role.EXPERT, full_name="钱评审")  # not assigned
    assert history(client, stranger, reviewed).status_code == 404


@pytest.mark.any_hour
def test_objector_is_not_named_to_the_objected_organization(client, four, office_client, office_user, loaded):  # noqa: F811
    objected = four[0]
    selection = selection_domain.publish(confirmed(office_client, loaded, office_user), office_user, 7)
    selection_domain.record_objection(selection, office_user, application_id=objected.pk,
                                      received_on=selection.notice_ends_on, submitter_name="张异议",
                                      submitter_unit="", content="材料不实")
    member = Membership.objects.get(organization=objected.organization).user
    page = history(client, member, objected).content.decode()
    assert "张异议" not in page and "公示异议" not in page
    assert "张异议" in history(client, office_user, objected).content.decode()


def test_predicate_and_query_agree_for_everyone(reviewed, applicant, other_applicant, sun, zheng, office_user,
                                                make_user, org):
    record_event("evidence.upload", "组织可见", actor=applicant, application=reviewed,
                 visibility=Visibility.ORGANIZATION)
    gone = make_user("gone@ai-assoc.example", organization=org, full_name="已停用")
    gone.is_active = False
    gone.save()
    events = list(AuditEvent.objects.all())
    assert {e.visibility for e in events} == {Visibility.OFFICE, Visibility.ORGANIZATION}
    for user in (applicant, other_applicant, sun, zheng, office_user, gone):
        visible = set(events_visible_to(user).values_list("pk", flat=True))
        assert visible == {e.pk for e in events if can_view_event(user, e)}, user.email
        assert visible == {e.pk for e in events if user.has_perm("audit.view_event", e)}, user.email
    assert not events_visible_to(gone).exists() and not events_visible_to(other_applicant).exists()
    assert set(events_visible_to(sun).values_list("actor", flat=True)) == {sun.pk}


def test_downloads_are_not_in_the_applicant_history(client, reviewed, applicant):
    client.force_login(applicant)
    client.get(reverse("applications:export_json", args=[reviewed.pk]))
    assert AuditEvent.objects.filter(action="application.export", actor=applicant).exists()
    assert "导出申报数据" not in history(client, applicant, reviewed).content.decode()


def test_backfill_opens_old_applicant_entries_only(reviewed):
    AuditEvent._base_manager.update(visibility=Visibility.OFFICE)  # as 0002 left every old row (fixture bypass)
    migration = importlib.import_module("zgcfund.audit.migrations.0003_event_visibility_backfill")
    migration.open_to_organization(apps, None)
    opened = set(AuditEvent.objects.filter(visibility=Visibility.ORGANIZATION).values_list("action", flat=True))
    assert {"record.create", "application.submit", "formal.passed", "evidence.upload"} <= opened
    assert not opened & {"review.assign", "review.submit", "review.save", "application.export"}


def test_every_record_event_call_declares_its_visibility():
    missing = []
    for path in Path(zgcfund.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record_event"
                    and not any(k.arg == "visibility" for k in node.keywords)):
                missing.append(f"{path.name}:{node.lineno}")
    assert not missing, f"record_event without visibility=: {missing}"
