"""List clauses (K1.1, K1.3, K3.2, K3.3) on the clause page: a compact table searched, sorted and paged on
the server (every state its own URL, htmx swapping the table alone), the inline add/edit form above it,
the list's own files (clause-level evidence), and the returned application's comments opening their
record (issue 12)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.models import EvidenceFile, Record
from zgcfund.core import creditcode

pytestmark = pytest.mark.django_db

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
ROW = re.compile(r'data-testid="record-(K1\.1-\d+)"')


def k11_code(i: int) -> str:
    return creditcode.make_valid(f"91110108MA{i:06d}")


def k11_records(application, user, n: int = 300) -> list[Record]:
    """``n`` K1.1 surveys, created in bulk: enterprise i is 调研样本科技有限公司{i:03d}, every third a
    科技服务业 enterprise, dated through 2025 from 03-01."""
    rows = [Record(application=application, clause="K1.1", key=f"K1.1-{i:03d}", phase="prior",
                   date=dt.date(2025, 3, 1) + dt.timedelta(days=i % 180), title=f"走访调研样本企业{i:03d}",
                   fields={"enterprise": {"name": f"北京调研样本科技有限公司{i:03d}", "credit_code": k11_code(i)},
                           "sti_service": i % 3 == 0},
                   created_by=user, updated_by=user) for i in range(1, n + 1)]
    return Record.objects.bulk_create(rows)


def png(color="white", name="调研企业名单.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (60, 80), color).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue())


@pytest.fixture(autouse=True)
def _fields_use_test_storage(monkeypatch, _private_files):
    """See test_evidence.py: the FileFields must write to the test's private directory."""
    from django.core.files.storage import storages

    for name in ("file", "thumbnail"):
        monkeypatch.setattr(EvidenceFile._meta.get_field(name), "storage", storages["private"])


@pytest.fixture
def member(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def surveys(application, applicant, open_window):
    return k11_records(application, applicant)


def clause_url(application, clause="K1.1", query=""):
    url = reverse("applications:clause", args=[application.pk, clause])
    return f"{url}?{query}" if query else url


def keys(html: str) -> list[str]:
    return ROW.findall(html)


def htmx(target: str, current: str = "") -> dict:
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target,
            "HTTP_HX_CURRENT_URL": f"http://testserver{current}" if current else "http://testserver/"}


# --- one page of the table ------------------------------------------------------------------------

def test_300_records_show_as_one_page_of_20_with_a_pager(member, application, surveys):
    html = member.get(clause_url(application)).content.decode()
    assert keys(html) == [f"K1.1-{i:03d}" for i in range(1, 21)]
    assert "已填报记录（300 条）" in html
    assert "第 1–20 条，共 300 条" in html
    assert 'data-testid="list-pager"' in html and 'aria-current="page">1<' in html
    assert f'href="{clause_url(application, query="page=15")}"' in html  # the last page
    assert 'data-testid="list-new-form"' in html and 'id="new-record"' in html  # the inline form, collapsed
    assert not re.search(r'<details id="new-record"[^>]*\bopen\b', html)  # collapsed: the list has records
    assert "record-card" not in html  # no cards for a list clause
    assert 'id="list-evidence"' in html  # the list's own files


def test_a_non_list_clause_keeps_its_record_cards(member, application, applicant, open_window):
    save_record(application, applicant, "K3.1", K31)
    html = member.get(clause_url(application, "K3.1")).content.decode()
    assert 'class="record-card card' in html and 'data-testid="record-K3.1-001"' in html
    assert 'id="list-table"' not in html and 'id="list-evidence"' not in html


def test_an_empty_list_opens_the_new_record_form(member, application, open_window):
    html = member.get(clause_url(application)).content.decode()
    assert re.search(r'<details id="new-record"[^>]*\bopen\b', html)
    assert "尚无记录。" in html


def test_paging_goes_to_any_page_and_copes_with_bad_numbers(member, application, surveys):
    html = member.get(clause_url(application, query="page=15")).content.decode()
    assert keys(html) == [f"K1.1-{i:03d}" for i in range(281, 301)]
    assert "第 281–300 条，共 300 条" in html
    assert keys(member.get(clause_url(application, query="page=999")).content.decode())[0] == "K1.1-281"
    assert keys(member.get(clause_url(application, query="page=abc")).content.decode())[0] == "K1.1-001"


# --- search and sort ------------------------------------------------------------------------------

def test_search_narrows_the_table_by_what_is_shown(member, application, surveys):
    html = member.get(clause_url(application, query="q=有限公司123")).content.decode()
    assert keys(html) == ["K1.1-123"]
    assert "（在 300 条中搜索“有限公司123”）" in html
    # by credit code (shown with the enterprise), by key, several words all present
    assert keys(member.get(clause_url(application, query=f"q={k11_code(42)}")).content.decode()) == ["K1.1-042"]
    assert keys(member.get(clause_url(application, query="q=K1.1-29")).content.decode()) == [
        f"K1.1-{i:03d}" for i in range(290, 300)]
    assert keys(member.get(clause_url(application, query="q=样本企业12+有限公司12")).content.decode()) == [
        f"K1.1-{i:03d}" for i in range(120, 130)]
    nothing = member.get(clause_url(application, query="q=天津")).content.decode()
    assert keys(nothing) == [] and "没有与“天津”匹配的记录。" in nothing


def test_search_by_yes_no_value(member, application, surveys):
    html = member.get(clause_url(application, query="q=是")).content.decode()
    assert "共 100 条" in html and keys(html)[:2] == ["K1.1-003", "K1.1-006"]  # 是否科技服务业企业: 是
    found = member.get(clause_url(application, query="q=K1.1-00")).content.decode()
    assert keys(found) == [f"K1.1-{i:03d}" for i in range(1, 10)]


def test_sort_by_a_column_either_way_and_keep_the_search(member, application, surveys):
    html = member.get(clause_url(application, query="sort=title&dir=desc")).content.decode()
    assert keys(html)[:3] == ["K1.1-300", "K1.1-299", "K1.1-298"]
    assert 'aria-sort="descending"' in html
    # the title header now sorts ascending; other headers keep the search
    assert f'href="{clause_url(application, query="sort=title")}"' in html
    searched = member.get(clause_url(application, query="q=有限公司01&sort=date&dir=desc")).content.decode()
    assert set(keys(searched)) == {f"K1.1-{i:03d}" for i in range(10, 20)}
    dates = re.findall(r'list-table__date">([\d-]+)<', searched)
    assert dates == sorted(dates, reverse=True)
    assert 'name="sort" value="date" form="list-search"' in searched  # a new search keeps the sort
    by_sti = member.get(clause_url(application, query="sort=f_sti_service")).content.decode()
    assert all(int(k[-3:]) % 3 != 0 for k in keys(by_sti))  # 否 before 是
    unknown = member.get(clause_url(application, query="sort=fields__password")).content.decode()
    assert keys(unknown)[0] == "K1.1-001"


def test_htmx_gets_the_table_alone_with_a_vary_header(member, application, surveys):
    url = clause_url(application, query="q=有限公司2&page=2")
    response = member.get(url, **htmx("list-table", url))
    html = response.content.decode()
    assert html.lstrip().startswith("<div id=\"list-table\"") and "<html" not in html
    assert keys(html)[0] == "K1.1-220"  # 100 matches (200–299): page 2 starts with the 21st
    assert "HX-Request" in response["Vary"] and "HX-Target" in response["Vary"]
    full = member.get(url)  # the same URL without htmx: the whole page
    assert "<html" in full.content.decode()


def test_a_record_link_opens_the_page_holding_it_with_its_details(member, application, surveys):
    record = Record.objects.get(application=application, key="K1.1-123")
    html = member.get(clause_url(application, query="record=K1.1-123&q=天津")).content.decode()
    assert "K1.1-123" in keys(html) and keys(html)[0] == "K1.1-121"  # page 7; the search that hid it is dropped
    row = html.split(f'id="record-{record.pk}"', 1)[1].split("</tbody>", 1)[0]
    assert row.startswith(' class="list-row is-target"')
    assert "list-row__details" in row and f'id="evidence-{record.pk}"' in row  # fields and evidence, opened
    assert "北京调研样本科技有限公司123" in row


# --- the inline form ------------------------------------------------------------------------------

def test_edit_opens_the_inline_form_prefilled(member, application, surveys):
    record = Record.objects.get(application=application, key="K1.1-007")
    html = member.get(reverse("applications:record_edit", args=[application.pk, record.pk]),
                      **htmx("list-form", clause_url(application, query="page=1"))).content.decode()
    assert 'data-testid="list-edit-form"' in html and "修改记录 K1.1-007" in html
    assert 'value="北京调研样本科技有限公司007"' in html and 'value="走访调研样本企业007"' in html
    assert f'hx-post="{reverse("applications:record_edit", args=[application.pk, record.pk])}"' in html
    assert 'hx-target="#list-form"' in html  # 取消 brings the blank form back
    blank = member.get(reverse("applications:record_new", args=[application.pk, "K1.1"]),
                       **htmx("list-form")).content.decode()
    assert 'data-testid="list-new-form"' in blank


def test_saving_the_inline_form_rerenders_the_table_page_the_user_was_on(member, application, surveys):
    record = Record.objects.get(application=application, key="K1.1-060")
    page = clause_url(application, query="sort=title&dir=desc&page=10")
    response = member.post(reverse("applications:record_edit", args=[application.pk, record.pk]), {
        "phase": "prior", "date": "2025-04-30", "title": "回访调研样本企业060", "version": record.version,
        "enterprise__name": "北京调研样本科技有限公司060", "enterprise__credit_code": k11_code(60),
        "sti_service": "true"}, **htmx("edit-record", page))
    html = response.content.decode()
    assert response.status_code == 200, html[:2000]
    assert response["HX-Retarget"] == "#clause-body"
    assert "已保存记录 K1.1-060" in html
    assert "第 181–200 条，共 300 条" in html and 'aria-current="page">10<' in html
    assert 'data-testid="list-new-form"' in html  # the form above the table is blank again
    record.refresh_from_db()
    assert record.title == "回访调研样本企业060" and record.fields["sti_service"] is True


def test_saving_without_javascript_goes_to_the_page_holding_the_record(member, application, surveys):
    record = Record.objects.get(application=application, key="K1.1-200")
    response = member.post(reverse("applications:record_edit", args=[application.pk, record.pk]), {
        "phase": "prior", "date": "2025-05-01", "title": "走访调研样本企业200", "version": record.version,
        "enterprise__name": "北京调研样本科技有限公司200", "enterprise__credit_code": k11_code(200),
        "sti_service": "false"})
    assert response.status_code == 302
    assert response["Location"] == clause_url(application, query="record=K1.1-200") + f"#record-{record.pk}"
    html = member.get(response["Location"]).content.decode()
    assert "K1.1-200" in keys(html) and "已保存记录 K1.1-200" in html


def test_adding_through_the_inline_form_keeps_the_table(member, application, surveys):
    response = member.post(reverse("applications:record_new", args=[application.pk, "K1.1"]), {
        "phase": "prior", "date": "2025-06-01", "title": "新增调研", "enterprise__name": "北京新调研科技有限公司",
        "enterprise__credit_code": k11_code(999), "sti_service": "true"},
        **htmx("this", clause_url(application, query="q=新调研")))
    html = response.content.decode()
    assert "已新增记录 K1.1-301" in html and keys(html) == ["K1.1-301"]
    assert re.search(r'<details id="new-record"[^>]*\bopen\b', html)  # open for the next record


# --- the list's own files -------------------------------------------------------------------------

def list_evidence_url(application, clause="K1.1"):
    return reverse("applications:list_evidence", args=[application.pk, clause])


def test_a_list_file_belongs_to_the_clause_not_a_record(member, application, surveys):
    from tests.applications.test_evidence import EXE

    response = member.post(list_evidence_url(application), {"files": [png(), SimpleUploadedFile("名单.xlsx", EXE)]},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="list-evidence"' in html
    assert "已上传 1 个文件：调研企业名单.png" in html and "名单.xlsx" in html  # the EXE is refused by content
    stored = EvidenceFile.objects.get(application=application, kind="list")
    assert (stored.clause, stored.record, stored.content_type) == ("K1.1", None, "image/png")
    again = member.post(list_evidence_url(application), {"files": [png()]}, HTTP_HX_REQUEST="true").content.decode()
    assert "K1.1 清单已上传相同文件“调研企业名单.png”" in again
    page = member.get(clause_url(application)).content.decode()
    assert "调研企业名单.png" in page.split('id="list-evidence"', 1)[1]
    # the same file on K1.3's list is another file
    member.post(list_evidence_url(application, "K1.3"), {"files": [png()]}, HTTP_HX_REQUEST="true")
    assert EvidenceFile.objects.filter(kind="list").count() == 2
    # deleted with htmx: the list's partial comes back
    deleted = member.post(reverse("applications:evidence_delete", args=[stored.pk]), HTTP_HX_REQUEST="true")
    assert 'id="list-evidence"' in deleted.content.decode() and "尚未上传清单汇总材料。" in deleted.content.decode()
    assert not EvidenceFile.objects.filter(pk=stored.pk).exists()


def test_list_upload_without_javascript_redirects_to_the_clause(member, application, open_window):
    response = member.post(list_evidence_url(application), {"files": [png()]})
    assert response.status_code == 302 and response["Location"].startswith(clause_url(application))
    file = EvidenceFile.objects.get(kind="list")
    response = member.post(reverse("applications:evidence_delete", args=[file.pk]))
    assert response.status_code == 302 and response["Location"].startswith(clause_url(application))


def test_list_files_only_for_list_clauses_and_the_organizations_users(client, member, application, open_window,
                                                                      other_applicant, office_user):
    assert member.get(list_evidence_url(application, "K3.1")).status_code == 404
    assert member.post(list_evidence_url(application, "K3.1"), {"files": [png()]}).status_code == 404
    client.force_login(office_user)
    assert client.get(list_evidence_url(application)).status_code == 200
    assert client.post(list_evidence_url(application), {"files": [png()]}).status_code == 403
    assert not EvidenceFile.objects.filter(kind="list").exists()


def test_another_organization_gets_404_on_the_table_the_inline_form_and_list_files(client, application, applicant,
                                                                                   other_applicant, surveys):
    from zgcfund.applications.domain.evidence import store_list_evidence

    file = store_list_evidence(application, applicant, "K1.1", png())
    record = surveys[0]
    client.force_login(other_applicant)
    for url, headers in [
        (clause_url(application, query="q=有限公司&sort=title&page=2"), {}),
        (clause_url(application, query="page=2"), htmx("list-table")),
        (reverse("applications:record_edit", args=[application.pk, record.pk]), htmx("list-form")),
        (reverse("applications:record_new", args=[application.pk, "K1.1"]), htmx("list-form")),
        (list_evidence_url(application), {}),
        (reverse("applications:evidence_download", args=[file.pk]), {}),
    ]:
        assert client.get(url, **headers).status_code == 404, url
    assert client.post(list_evidence_url(application), {"files": [png("red")]}).status_code == 404
    assert client.post(reverse("applications:evidence_delete", args=[file.pk])).status_code == 404
    assert EvidenceFile.objects.filter(kind="list").count() == 1


# --- the office's comments open their record -------------------------------------------------------

def test_returned_comments_link_to_the_page_holding_their_record(member, application, applicant, office_user,
                                                                 open_window):
    from zgcfund.applications.domain.evidence import store_commitment_scan
    from zgcfund.applications.domain.submission import content_version, submit_application
    from zgcfund.review.domain.formal import decide

    k11_records(application, applicant, 120)
    save_record(application, applicant, "K3.1", K31)
    application.refresh_from_db()
    commitment = store_commitment_scan(application, applicant, png(name="承诺书.png"))
    application.refresh_from_db()
    submit_application(application, applicant, commitment_accepted=True, commitment=commitment,
                       opened_version=content_version(application))
    application.refresh_from_db()
    decide(application, office_user, "returned", "请核对调研企业", {"K1.1-088": "企业名称与代码不符", "K3.1-001": "缺少签到表"})
    record = Record.objects.get(application=application, key="K1.1-088")
    card = Record.objects.get(application=application, key="K3.1-001")

    overview = member.get(reverse("applications:overview", args=[application.pk])).content.decode()
    link = clause_url(application, query="record=K1.1-088") + f"#record-{record.pk}"
    assert f'href="{link}" data-testid="return-comment-K1.1-088"' in overview
    assert f'href="{clause_url(application, "K3.1", "record=K3.1-001")}#record-{card.pk}"' in overview
    html = member.get(link.split("#")[0]).content.decode()
    assert keys(html)[0] == "K1.1-081"  # page 5
    row = html.split(f'id="record-{record.pk}"', 1)[1].split("</tbody>", 1)[0]
    assert "形式审查意见：企业名称与代码不符" in row and "list-row__details" in row
    page_one = member.get(clause_url(application)).content.decode()
    assert "K1.1-088" not in keys(page_one)
    on_page = member.get(clause_url(application, query="page=5")).content.decode()
    assert "有意见" in on_page.split(f'id="record-{record.pk}"', 1)[1].split("</tbody>", 1)[0]
    cards = member.get(clause_url(application, "K3.1", "record=K3.1-001")).content.decode()
    assert 'class="record-card card is-target"' in cards


def test_deleting_from_the_inline_form_keeps_the_table_page(member, application, surveys):
    record = Record.objects.get(application=application, key="K1.1-045")
    edit = member.get(reverse("applications:record_edit", args=[application.pk, record.pk]),
                      **htmx("list-form")).content.decode()
    delete_url = reverse("applications:record_delete", args=[application.pk, record.pk])
    assert f'hx-post="{delete_url}"' in edit and 'data-testid="delete-record"' in edit
    response = member.post(delete_url, {"version": record.version},
                           **htmx("clause-body", clause_url(application, query="page=3")))
    html = response.content.decode()
    assert "已删除记录 K1.1-045" in html and "第 41–60 条，共 299 条" in html
    assert "K1.1-045" not in keys(html) and keys(html)[0] == "K1.1-041"
    assert not Record.objects.filter(pk=record.pk).exists()


def test_the_office_reads_the_table_without_the_forms(client, office_user, application, surveys):
    client.force_login(office_user)
    html = client.get(clause_url(application, query="q=有限公司00")).content.decode()
    assert keys(html) == [f"K1.1-{i:03d}" for i in range(1, 10)]
    assert 'id="list-form"' not in html and 'data-testid="edit-K1.1-001"' not in html
    assert 'data-testid="list-evidence-upload"' not in html


def test_without_javascript_the_edit_page_offers_delete(member, application, surveys):
    record = Record.objects.get(application=application, key="K1.1-002")
    html = member.get(reverse("applications:record_edit", args=[application.pk, record.pk])).content.decode()
    delete_url = reverse("applications:record_delete", args=[application.pk, record.pk])
    assert f'action="{delete_url}"' in html
    response = member.post(delete_url, {"version": record.version})
    assert response.status_code == 302 and response["Location"] == clause_url(application)
    assert not Record.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("clause", ["K1.1", "K1.2", "K1.3", "K3.2", "K3.3", "K5.3"])
def test_every_list_clause_has_the_table_and_the_list_files(member, application, open_window, clause):
    from zgcfund.applications.domain.lists import LIST_CLAUSES, TABLE_CLAUSES

    assert clause in TABLE_CLAUSES
    html = member.get(clause_url(application, clause)).content.decode()
    assert 'id="list-table"' in html and 'id="list-evidence"' in html and 'id="list-search"' in html
    assert 'data-testid="list-new-form"' in html
    # the Excel template and import only where the list is long enough to need it
    assert ('data-testid="list-tools"' in html) == (clause in LIST_CLAUSES)
