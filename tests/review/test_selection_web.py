"""Selection: preview by count (tie at the cut reported), by budget, by bands with the per-organization
cap; draft, confirm (immutable), publish (public page only afterwards), objections (real name or
unit), the xlsx export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from tests.review.decision_helpers import approve_pending
from tests.review.test_ranking_web import same

from zgcfund.audit.models import AuditEvent
from zgcfund.review.domain import selection as domain
from zgcfund.review.interfaces import forms
from zgcfund.review.models import Objection, Selection

pytestmark = [pytest.mark.django_db, pytest.mark.any_hour]  # dates are Beijing dates at any hour


@pytest.fixture
def four(seed):
    """甲 > 乙 = 丙 (full tie, same submission time) > 丁."""
    return [seed.application("甲协会", scores=same("12", "8")),
            seed.application("乙协会", scores=same("10", "5")),
            seed.application("丙协会", scores=same("10", "5")),
            seed.application("丁协会", scores=same("3", "3"), minutes=9)]


def url(loaded):
    return reverse("office:selection", args=[loaded.code])


def test_by_count_tie_at_cut_is_reported_and_blocks_confirmation(four, office_client, office_user, loaded):
    a, b, c, _ = four
    page = office_client.get(url(loaded), {"method": "by_count", "n": "2"})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-code="tie_at_cut"' in html and "跨线并列" in html
    assert f"selected-{a.pk}" in html and f"not-selected-{b.pk}" in html
    office_client.post(url(loaded), {"action": "save", "method": "by_count", "n": "2"})
    draft = Selection.objects.get()
    assert draft.result["tie_at_cut"]["application_ids"] == [b.pk, c.pk]
    office_client.post(reverse("office:selection_confirm", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.confirmed_at is None
    # the office decides the tie, then confirms
    office_client.post(url(loaded), {"action": "save", "method": "by_count", "n": "2", "tie_decision": [str(c.pk)]})
    decided = Selection.objects.latest("pk")
    assert [o["application_id"] for o in decided.result["selected"]] == [a.pk, c.pk]


def test_by_budget(four, office_client, loaded):
    a = four[0]
    spec = {"method": "by_budget", "budget": "25", "amount_per_application": "10"}
    html = office_client.get(url(loaded), spec).content.decode()
    assert f"selected-{a.pk}" in html and "tie_at_cut" in html  # 10 left for the tied pair of 10 each


def test_by_bands_with_per_organization_cap(seed, office_client, loaded):
    """One application per organization per programme: a band amount above the 20 万元 cap is cut to it."""
    first = seed.application("一档协会", scores=same("14", "10"))
    second = seed.application("二档协会", scores=same("13", "10"))
    third = seed.application("三档协会", scores=same("5", "5"))
    spec = {"method": "by_bands", "band1_name": "一档", "band1_first": "1", "band1_last": "1", "band1_amount": "25",
            "band2_name": "二档", "band2_first": "2", "band2_last": "2", "band2_amount": "10"}
    result = domain.preview(loaded.code, forms.selection_spec(spec)).to_dict()
    amounts = {o["application_id"]: (o["band"], o["amount"]) for o in result["selected"]}
    assert amounts == {first.pk: ("一档", "20"), second.pk: ("二档", "10")}
    assert [o["application_id"] for o in result["not_selected"]] == [third.pk]
    assert any(w["code"] == "cap_applied" for w in result["warnings"])
    html = office_client.get(url(loaded), spec).content.decode()
    assert "受单位年度支持上限 20 万元限制" in html


def test_bad_form_input_names_the_field(four, office_client, loaded):
    page = office_client.get(url(loaded), {"method": "by_budget", "budget": "abc", "amount_per_application": "-1"})
    html = page.content.decode()
    assert page.status_code == 422 and "总预算" in html and "每项支持金额" in html
    assert not Selection.objects.exists()


def confirmed(office_client, loaded, office_user):
    office_client.post(url(loaded), {"action": "save", "method": "by_count", "n": "1"})
    draft = Selection.objects.get()
    office_client.post(reverse("office:selection_confirm", args=[draft.pk]), {"reason": "经主任办公会研究"})
    approve_pending("selection", draft)  # the collective decision's second office approval
    draft.refresh_from_db()
    return draft


def test_confirm_records_who_and_makes_it_immutable(four, office_client, office_user, loaded):
    selection = confirmed(office_client, loaded, office_user)
    assert selection.confirmed_by == office_user and selection.confirmed_at is not None
    assert AuditEvent.objects.filter(action="selection.confirm", actor=office_user).exists()
    selection.spec = {"method": "by_count", "n": 3}
    with pytest.raises(ValueError):
        selection.save()
    with pytest.raises(domain.SelectionRefused):
        domain.confirm(selection, office_user)


def test_confirm_refused_when_ranking_changed(four, seed, office_client, office_user, loaded):
    office_client.post(url(loaded), {"action": "save", "method": "by_count", "n": "1"})
    draft = Selection.objects.get()
    seed.application("后来者协会", scores=same("14", "10"))
    with pytest.raises(domain.SelectionRefused, match="变化"):
        domain.confirm(draft, office_user)


def test_public_page_only_after_publication(four, office_client, office_user, loaded):
    public = reverse("public:notice", args=[loaded.code])
    selection = confirmed(office_client, loaded, office_user)
    office_client.logout()
    assert office_client.get(public).status_code == 404
    office_client.force_login(office_user)
    office_client.post(reverse("office:selection_publish", args=[selection.pk]), {"notice_days": "7"})
    selection.refresh_from_db()
    assert selection.published_at is not None
    assert (selection.notice_ends_on - timezone.localdate(selection.published_at)).days == 7
    office_client.logout()
    page = office_client.get(public)
    html = page.content.decode()
    assert page.status_code == 200 and "甲协会" in html and "乙协会" not in html
    end = selection.notice_ends_on
    assert f"{end.year}年{end.month}月{end.day}日" in html  # the notice's last day, as Chinese notices write dates
    assert "中关村科技园区管理委员会" in html and "匿名异议" in html


def test_export_is_xlsx_with_the_selected_rows(four, office_client, office_user, loaded):
    selection = confirmed(office_client, loaded, office_user)
    domain.publish(selection, office_user, 7)
    office_client.logout()
    response = office_client.get(reverse("public:export_xlsx", args=[loaded.code]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows == [(1, 1, "甲协会", None, None)]
    csv_text = office_client.get(reverse("public:export_csv", args=[loaded.code])).content.decode("utf-8-sig")
    assert "甲协会" in csv_text and "乙协会" not in csv_text


def test_objection_requires_a_real_name_or_unit(four, office_client, office_user, loaded):
    a = four[0]
    selection = confirmed(office_client, loaded, office_user)
    selection = domain.publish(selection, office_user, 7)
    target = reverse("office:selection_objection", args=[selection.pk])
    day = selection.notice_ends_on.isoformat()
    anonymous = office_client.post(target, {"application": a.pk, "received_on": day, "content": "材料不实"})
    assert anonymous.status_code == 422 and "匿名异议不予受理" in anonymous.content.decode()
    assert not Objection.objects.exists()
    late = office_client.post(target, {"application": a.pk, "received_on": "2030-01-01", "submitter_name": "张三",
                                       "content": "材料不实"})
    assert late.status_code == 422 and not Objection.objects.exists()
    ok = office_client.post(target, {"application": a.pk, "received_on": day, "submitter_unit": "某某协会（盖章）",
                                     "content": "材料不实"})
    assert ok.status_code == 302
    assert Objection.objects.get().application == a
    assert AuditEvent.objects.filter(action="selection.objection").exists()


def test_objection_refused_before_publication(four, office_client, office_user, loaded):
    selection = confirmed(office_client, loaded, office_user)
    with pytest.raises(domain.SelectionRefused):
        domain.record_objection(selection, office_user, application_id=four[0].pk, received_on=dt.date(2025, 9, 20),
                                submitter_name="张三", submitter_unit="", content="x")


def test_selection_pages_office_only(four, client, applicant, office_client, office_user, loaded):
    selection = confirmed(office_client, loaded, office_user)
    office_client.logout()
    client.force_login(applicant)
    for name, args, method in (("office:selection", [loaded.code], "get"), ("office:selection_detail", [selection.pk], "get"),
                               ("office:selection_confirm", [selection.pk], "post"),
                               ("office:selection_publish", [selection.pk], "post"),
                               ("office:selection_objection", [selection.pk], "post")):
        assert getattr(client, method)(reverse(name, args=args)).status_code == 403
    selection.refresh_from_db()
    assert selection.published_at is None


# --- the workflow at publication and at the end of the notice period -------------------------------

def statuses(apps):
    return [type(a).objects.get(pk=a.pk).status for a in apps]


def test_publication_moves_each_listed_application_by_its_declared_transition(four, office_client, office_user,
                                                                              loaded):
    selection = confirmed(office_client, loaded, office_user)
    assert statuses(four) == ["formal_passed"] * 4  # confirming tells the applicants nothing yet
    response = office_client.post(reverse("office:selection_publish", args=[selection.pk]), {"notice_days": "7"})
    assert response.status_code == 302
    assert statuses(four) == ["selected", "not_selected", "not_selected", "not_selected"]
    selected = AuditEvent.objects.get(action="selection.selected")
    assert selected.application_id == four[0].pk and selected.visibility == "organization"
    assert AuditEvent.objects.filter(action="selection.not_selected").count() == 3


def test_publication_skips_an_application_withdrawn_after_confirmation(four, office_client, office_user, loaded):
    from zgcfund.applications.domain import workflow

    selection = confirmed(office_client, loaded, office_user)
    workflow.transition(four[3], "withdraw", four[3].submissions.get().submitted_by, reason="不再申报")
    domain.publish(selection, office_user, 7)
    assert statuses(four) == ["selected", "not_selected", "not_selected", "withdrawn"]
    assert AuditEvent.objects.get(action="selection.publish").changes["skipped"] == [four[3].pk]


def test_notice_days_must_be_a_whole_number_in_range(four, office_client, office_user, loaded):
    selection = confirmed(office_client, loaded, office_user)
    for bad in ("", "abc", "0", "61", "9" * 40):
        office_client.post(reverse("office:selection_publish", args=[selection.pk]), {"notice_days": bad})
        selection.refresh_from_db()
        assert selection.published_at is None, bad
    assert statuses(four) == ["formal_passed"] * 4


def test_end_of_notice_only_after_the_last_day_then_selected_await_the_contract(four, office_client, office_user,
                                                                                loaded, settings):
    selection = domain.publish(confirmed(office_client, loaded, office_user), office_user, 7)
    end = reverse("office:selection_end_notice", args=[selection.pk])
    detail = office_client.get(reverse("office:selection_detail", args=[selection.pk])).content.decode()
    assert 'data-testid="end-notice-form"' not in detail
    office_client.post(end)
    assert statuses(four)[0] == "selected"
    with pytest.raises(domain.SelectionRefused, match="期满后"):
        domain.end_notice(selection, office_user)
    settings.ZGCFUND_CLOCK_DATE = selection.notice_ends_on.isoformat()  # the last day is still in the period
    with pytest.raises(domain.SelectionRefused):
        domain.end_notice(selection, office_user)
    settings.ZGCFUND_CLOCK_DATE = (selection.notice_ends_on + dt.timedelta(days=1)).isoformat()
    detail = office_client.get(reverse("office:selection_detail", args=[selection.pk])).content.decode()
    assert 'data-testid="end-notice-form"' in detail
    assert office_client.post(end).status_code == 302
    assert statuses(four) == ["published", "not_selected", "not_selected", "not_selected"]
    assert AuditEvent.objects.filter(action="selection.notice_ended", application=four[0]).count() == 1
    assert domain.end_notice(selection, None) == 0  # nothing left to move; the system may call it again
    detail = office_client.get(reverse("office:selection_detail", args=[selection.pk])).content.decode()
    assert 'data-testid="end-notice-form"' not in detail
