"""Review exports: the formal-review, expert-score and per-clause workbooks of a programme, and the
review report PDF of one application; office only."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from decimal import Decimal
from urllib.parse import quote

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain.editing import application_for, save_record
from zgcfund.applications.domain.evidence import store_commitment_scan
from zgcfund.applications.domain.submission import content_version, submit_application
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import scoring
from zgcfund.review.domain.formal import decide
from zgcfund.review.domain.ranking import build_ranking
from zgcfund.review.interfaces import exports
from zgcfund.review.models import Assignment

pytestmark = pytest.mark.django_db

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
K31_B = {**K31, "date": "2025-04-12", "title": "大模型应用沙龙", "participants": 70}


def png(name="承诺书.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue())


def submitted_application(org, user):
    """An application with two K3.1 events, submitted once."""
    app = application_for(org, user)
    save_record(app, user, "K3.1", K31)
    save_record(app, user, "K3.1", K31_B)
    app.refresh_from_db()
    commitment = store_commitment_scan(app, user, png())
    app.refresh_from_db()
    submit_application(app, user, commitment_accepted=True, commitment=commitment, opened_version=content_version(app))
    app.refresh_from_db()
    return app


def scored(expert, app, score, comment, *, submit=True, reject=None):
    a = Assignment.objects.get(application=app, expert=expert)
    data = scoring.ReviewInput(verdicts={"K3.1-001": "accept", "K3.1-002": "accept"}, scores={"K3.1": score},
                              comments={"K3.1": comment})
    if reject:
        data.verdicts["K3.1-002"] = "reject"
        data.reasons["K3.1-002"] = reject
    return scoring.save_review(a, expert, data, submit=submit)


@pytest.fixture
def experts(make_user):
    return [make_user(f"expert{n}@zgc.example", role=Role.EXPERT, full_name=f"专家{n}") for n in (1, 2, 3)]


@pytest.fixture
def seeded(org, other_org, applicant, other_applicant, office_user, open_window, experts):
    """org: passed formal review, scored by three experts (two submitted, one draft); other_org:
    returned with an overall comment and one record comment."""
    passed = submitted_application(org, applicant)
    decide(passed, office_user, "passed", "材料齐全", {})
    returned = submitted_application(other_org, other_applicant)
    decide(returned, office_user, "returned", "请补充活动照片", {"K3.1-002": "缺少签到表"})
    passed.refresh_from_db()
    assigning.assign(passed, experts, office_user)
    scored(experts[0], passed, "9.50", "活动扎实，成效明显")
    scored(experts[1], passed, "8.35", "规模一般", reject="与 K3.1-001 为同一活动")
    scored(experts[2], passed, "1", "草稿未定", submit=False)
    return {"passed": passed, "returned": returned, "code": passed.programme_code}


def rows(ws):
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def download(client, code, kind):
    response = client.get(reverse("office:export_download", args=[code, kind]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response, load_workbook(io.BytesIO(response.content))


def test_clause_means_are_the_rankings_aggregate_rounded_half_up(seeded):
    # 9.50 and 8.35 (the draft does not count): 8.925, half-even would give 8.92
    assert exports.clause_means(seeded["code"]) == {seeded["passed"].pk: {"K3.1": Decimal("8.93")}}


def test_formal_outcomes_workbook_has_one_row_per_decision_and_every_record_comment(client, seeded, office_user, org,
                                                                                     other_org):
    client.force_login(office_user)
    response, wb = download(client, seeded["code"], "formal")
    assert seeded["code"] in response["Content-Disposition"] and "20250920" in response["Content-Disposition"]
    assert wb.sheetnames == ["形式审查结论", "记录意见"]
    ws = wb["形式审查结论"]
    assert ws.freeze_panes == "A2" and ws["A1"].value == "申报单位" and ws.column_dimensions["A"].width > 20
    by_org = {r[0]: r for r in rows(ws)}
    assert set(by_org) == {org.name, other_org.name}
    assert by_org[org.name][1:5] == [org.credit_code, 1, "形式审查通过", office_user.get_full_name()]
    assert by_org[org.name][6:] == ["材料齐全", 0]
    assert by_org[other_org.name][3] == "退回修改" and by_org[other_org.name][6:] == ["请补充活动照片", 1]
    assert isinstance(by_org[org.name][2], int)  # numbers as numbers
    [comment] = rows(wb["记录意见"])
    assert comment[:7] == [other_org.name, other_org.credit_code, 1, "退回修改", "K3.1", "K3.1-002", "缺少签到表"]


def test_expert_scores_workbook_lists_every_score_with_its_state_and_rejected_records(client, seeded, office_user, org):
    client.force_login(office_user)
    _response, wb = download(client, seeded["code"], "expert-scores")
    assert wb.sheetnames == ["专家评分", "记录核实"]
    got = {r[3]: r for r in rows(wb["专家评分"])}
    assert set(got) == {"专家1", "专家2", "专家3"}
    assert got["专家1"][:8] == [org.name, org.credit_code, 1, "专家1", "K3.1", 9.5, "活动扎实，成效明显", "已提交"]
    assert got["专家3"][5] == 1 and got["专家3"][7] == "草稿" and got["专家3"][8] is None
    [verdict] = rows(wb["记录核实"])
    assert verdict[3:7] == ["专家2", "K3.1-002", "不认可", "与 K3.1-001 为同一活动"]


def test_clause_scores_workbook_K3_1_mean_of_submitted_experts_and_engine_score(client, seeded, office_user, org,
                                                                                other_org, programme):
    client.force_login(office_user)
    _response, wb = download(client, seeded["code"], "clause-scores")
    ws = wb.active
    headers = [c.value for c in ws[1]]
    clauses = list(programme.clauses)
    assert headers[4:4 + len(clauses)] == [f"专家均分 {c}" for c in clauses]  # programme order
    assert headers[5 + len(clauses):5 + 2 * len(clauses)] == [f"引擎得分 {c}" for c in clauses]
    by_org = {r[0]: r for r in rows(ws)}
    assert set(by_org) == {org.name, other_org.name}
    mine = by_org[org.name]
    k31 = 4 + clauses.index("K3.1")
    assert mine[3] == 2  # the draft does not count
    assert Decimal(str(mine[k31])) == Decimal("8.93")
    assert mine[4 + clauses.index("K1.1")] is None
    engine = seeded["passed"].submissions.get().evaluation_prior["clauses"]["K3.1"]["score"]
    assert mine[5 + len(clauses) + clauses.index("K3.1")] == engine
    assert by_org[other_org.name][3] == 0 and by_org[other_org.name][k31] is None


def test_each_sheet_is_one_query(seeded, django_assert_max_num_queries):
    code = seeded["code"]
    exports.programme_for_code(code)  # warm the parsed-programme cache
    with django_assert_max_num_queries(3):  # programme row + 2 sheets
        exports.formal_outcomes(code)
    with django_assert_max_num_queries(3):
        exports.expert_scores(code)
    with django_assert_max_num_queries(4):  # programme row, selection plan, scores, submissions
        exports.clause_scores(code)


def test_exports_page_lists_the_downloads(client, seeded, office_user):
    client.force_login(office_user)
    response = client.get(reverse("office:exports_home"))
    assert response.status_code == 302 and response.url == reverse("office:exports", args=[seeded["code"]])
    page = client.get(response.url).content.decode()
    for kind in exports.EXPORTS:
        assert reverse("office:export_download", args=[seeded["code"], kind]) in page
    assert reverse("office:exports_home") in client.get(reverse("office:dashboard")).content.decode()
    assert client.get(reverse("office:exports", args=["no-such-programme"])).status_code == 404
    assert client.get(reverse("office:export_download", args=[seeded["code"], "nothing"])).status_code == 404


def test_review_report_pdf_names_organization_experts_and_comments(client, seeded, office_user, org):
    client.force_login(office_user)
    app = seeded["passed"]
    assert reverse("office:review_report", args=[app.pk]) in client.get(
        reverse("office:formal_review", args=[app.pk])).content.decode()
    response = client.get(reverse("office:review_report", args=[app.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    text = "".join(text.split())
    for expected in (org.name, "专家1", "专家2", "活动扎实，成效明显", "与K3.1-001为同一活动", "材料齐全", "8.93",
                     "review.submit", "formal.passed"):
        assert expected in text, expected


def test_review_report_of_a_returned_application_shows_record_comments(client, seeded, office_user, other_org):
    client.force_login(office_user)
    response = client.get(reverse("office:review_report", args=[seeded["returned"].pk]))
    text = "".join("".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages).split())
    assert other_org.name in text and "缺少签到表" in text and "尚未分配评审专家" in text


def test_exports_and_report_are_office_only(client, seeded, applicant, experts):
    code, pk = seeded["code"], seeded["passed"].pk
    urls = [reverse("office:exports_home"), reverse("office:exports", args=[code]),
            reverse("office:review_report", args=[pk])]
    urls += [reverse("office:export_download", args=[code, kind]) for kind in exports.EXPORTS]
    for user in (applicant, experts[0]):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, url
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 302, url  # to the login page


# --- the ranking workbook ------------------------------------------------------------------------

HEADER_ROW = 13  # the header block (title + 10 rows + a blank row) comes first


@pytest.fixture
def ranked(loaded, make_org, make_user, office_user):
    from tests.review.test_ranking_web import Seeder, same

    seed = Seeder(make_org, make_user, office_user)
    return {
        "甲": seed.application("甲协会", scores=same("12", "8")),
        "乙": seed.application("乙协会", scores=same("10", "5")),
        "丙": seed.application("丙协会", scores=same("10", "5")),  # full tie with 乙
        "戊": seed.application("戊协会", scores=[{"K3.1": "1", "P1": "1"}, {"K3.1": "14", "P1": "1"},
                                                {"K3.1": "7", "P1": "1"}]),  # K3.1 spread 13 > 5
        "丁": seed.application("丁协会", scores=same("13", "9"), eligible=False,
                               problems=[{"rule": "X-P-TWO", "message": "专业服务能力至少两项"}]),
    }


def header_block(ws):
    return {ws.cell(row=n, column=1).value: ws.cell(row=n, column=3).value for n in range(2, HEADER_ROW - 1)}


def table(ws):
    return {r[2]: r for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}


def test_ranking_workbook_rows_match_the_ranking_page(client, ranked, office_user, loaded):
    client.force_login(office_user)
    response, wb = download(client, loaded.code, "ranking")
    assert quote("排序表") in response["Content-Disposition"]
    ws = wb["排序"]
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert [c.value for c in ws[HEADER_ROW]][:5] == ["名次", "并列", "申报单位", "申报编号", "排序依据 / 未排名原因"]
    rows = table(ws)
    assert list(rows) == ["甲协会", "乙协会", "丙协会", "戊协会", "丁协会"]  # ranking order, unranked last
    built = build_ranking(loaded.code)
    first = rows["甲协会"]
    assert first[:7] == (1, None, "甲协会", ranked["甲"].pk, None, "符合", None)
    assert first[7:11] == (12, 8, 20, "完成")
    assert Decimal(str(first[11])) == built.details[ranked["甲"].pk].engine_total
    assert first[12:] == (3, 3, None, None)
    assert rows["乙协会"][:2] == (2, "是") and rows["丙协会"][:2] == (2, "是")
    assert rows["乙协会"][4] == "并列：各排序项均相同"
    split = rows["戊协会"]
    assert split[0] == 4 and split[4] == "与上一名相比由“总分高者在前”区分"
    assert Decimal(str(split[9])) == Decimal("8.33") and split[14:] == ("是", "K3.1")
    unranked = rows["丁协会"]
    assert unranked[0] is None and "不符合申报条件" in unranked[4]
    assert unranked[5:7] == ("不符合", "X-P-TWO 专业服务能力至少两项")
    # numbers stored as numbers, with two decimals shown
    cell = ws.cell(row=HEADER_ROW + 4, column=10)
    assert cell.data_type == "n" and cell.number_format == "0.00"


def test_ranking_workbook_header_block_names_what_it_was_computed_under(client, ranked, office_user, loaded):
    client.force_login(office_user)
    _response, wb = download(client, loaded.code, "ranking")
    block = header_block(wb["排序"])
    assert block["项目代码"] == loaded.code and block["项目名称"] == loaded.title
    assert block["项目文件版本"] == loaded.version and block["项目文件 SHA-256"] == loaded.sha256[:12]
    assert block["评分方案版本"] == loaded.scoring_version
    assert "最少提交评分专家数：3" in block["专家评分汇总"] and "条款分歧阈值：5 分" in block["专家评分汇总"]
    assert block["排序规则"].startswith("依次比较：1. 总分高者在前；2. 科技重点工作得分高者在前")
    assert block["筛选条件"] == "全部" and block["申报书数"] == "5 / 5"
    assert isinstance(block["生成时间"], dt.datetime)


def test_ranking_export_honours_the_page_filters(client, ranked, office_user, loaded):
    client.force_login(office_user)
    url = reverse("office:export_download", args=[loaded.code, "ranking"])
    load = lambda params: load_workbook(io.BytesIO(client.get(url, params).content))["排序"]  # noqa: E731
    eligible = load({"eligible": "1"})
    assert "丁协会" not in table(eligible) and len(table(eligible)) == 4
    assert header_block(eligible)["筛选条件"] == "只含符合申报条件的" and header_block(eligible)["申报书数"] == "4 / 5"
    assert list(table(load({"flagged": "1"}))) == ["戊协会"]
    searched = load({"q": "乙", "sort": "-total", "page": "2"})  # sort and page do not matter: ranking order
    assert list(table(searched)) == ["乙协会"] and "单位名称包含“乙”" in header_block(searched)["筛选条件"]
    assert table(load({"q": "无此单位"})) == {}


def test_ranking_page_export_link_keeps_the_current_filters(client, ranked, office_user, loaded):
    client.force_login(office_user)
    page = client.get(reverse("office:ranking", args=[loaded.code]), {"eligible": "1", "q": "协会"}).content.decode()
    link = html.unescape(re.search(r'href="([^"]+)" data-testid="ranking-export"', page).group(1))
    assert link.startswith(reverse("office:export_download", args=[loaded.code, "ranking"]) + "?")
    ws = load_workbook(io.BytesIO(client.get(link).content))["排序"]
    assert header_block(ws)["筛选条件"] == "只含符合申报条件的；单位名称包含“协会”" and "丁协会" not in table(ws)
    plain = client.get(reverse("office:ranking", args=[loaded.code])).content.decode()
    assert f'href="{reverse("office:export_download", args=[loaded.code, "ranking"])}" data-testid="ranking-export"' in plain
