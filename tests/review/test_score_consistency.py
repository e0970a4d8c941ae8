"""One aggregation of the experts' scores (issue 10): under a trimmed-mean selection plan and after a
scheme change that rescales a clause (K3.1 maximum 14 → 15), the per-clause export, the 评审报告 PDF
and the ranking page show the same per-clause aggregates and expert totals — the ranking's own
(``review.domain.ranking.ExpertAggregation``), not a plain mean of the raw scores."""

from __future__ import annotations

import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pypdf
import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.review.test_exports import experts, scored, submitted_application  # noqa: F401  (fixture)
from tests.review.test_ranking_web import Seeder

from zgcfund.applications.models import Submission
from zgcfund.core.scheme import scheme_values
from zgcfund.programmes.domain.loading import current_version, parsed
from zgcfund.programmes.domain.scheme import save_scheme_version
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain.formal import decide
from zgcfund.review.domain.plan import save_plan
from zgcfund.review.domain.ranking import build_ranking
from zgcfund.review.interfaces.forms import selection_plan
from zgcfund.review.models import ClauseScore

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


def on_new_scale(score: str, old_max: int, new_max: int) -> Decimal:
    return (Decimal(score) * new_max / old_max).quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture
def world(loaded, org, applicant, make_org, make_user, office_user, open_window, experts):  # noqa: F811
    """甲 (scored through the expert form, K3.1 only) and 乙 (seeded, K3.1 and P1), three experts each,
    scores given under v1; then a trimmed-mean plan (3 experts suffice) and v2 with K3.1 base 8 → 9."""
    v1 = parsed(loaded)
    assert v1.max_score("K3.1") == 14
    jia = submitted_application(org, applicant)
    decide(jia, office_user, "passed", "", {})
    jia.refresh_from_db()
    assigning.assign(jia, experts, office_user)
    for expert, score in zip(experts, ("3", "7.21", "13"), strict=True):
        scored(expert, jia, score, "")
    seed = Seeder(make_org, make_user, office_user)
    yi = seed.application("乙协会", scores=[{"K3.1": "14", "P1": "2"}, {"K3.1": "0", "P1": "9"},
                                            {"K3.1": "10", "P1": "5"}])
    # a real evaluation (the seeder's stand-in cannot be re-scored under v2) and the maxima the expert
    # form stores with each score
    own = jia.submissions.get()
    Submission._base_manager.filter(application=yi).update(document=own.document, evaluation_prior=own.evaluation_prior,
                                                     evaluation_projected=own.evaluation_projected)
    for s in ClauseScore.objects.filter(assignment__application=yi):
        s.max_score = v1.max_score(s.clause)
        s.save(update_fields=["max_score"])
    spec, settings = selection_plan({"method": "by_count", "n": "1", "agg_method": "trimmed_mean", "min_experts": "3",
                                     "trim_min_experts": "3", "clause_spread_threshold": "5",
                                     "total_spread_threshold": "15"})
    save_plan(loaded.code, spec, settings, office_user)
    save_scheme_version(loaded, {**scheme_values(v1), "K3.1.base": "9"}, version="2025-office-2", note="",
                        reason="测试折算", by=office_user)
    v2 = current_version(loaded.code)
    assert v2.version == 2 and parsed(v2).max_score("K3.1") == 15
    return {"code": loaded.code, "甲": jia, "乙": yi, "p1_max": v1.max_score("P1")}


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html).strip()


def page_numbers(client, code, app) -> dict[str, Decimal]:
    html = client.get(reverse("office:ranking", args=[code])).content.decode()
    row = re.search(rf'<tr data-testid="ranking-row-{app.pk}">(.*?)</tr>', html, re.S).group(1)
    cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    first = lambda text: Decimal(re.match(r"[\d.]+", text).group(0))  # noqa: E731
    return {"K": first(cells[3]), "P": first(cells[4]), "total": first(cells[5])}


def export_numbers(client, code, org_name) -> dict[str, Decimal | None]:
    response = client.get(reverse("office:export_download", args=[code, "clause-scores"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == org_name)
    value = lambda header: None if row[headers.index(header)] is None else Decimal(str(row[headers.index(header)]))  # noqa: E731
    return {"K3.1": value("专家均分 K3.1"), "P1": value("专家均分 P1"), "total": value("专家均分合计"),
            "experts": row[3]}


def report_text(client, app) -> str:
    response = client.get(reverse("office:review_report", args=[app.pk]))
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    return "".join(text.split())


def test_export_report_and_ranking_page_agree_on_the_rankings_aggregate(client, office_user, world, programme):
    code = world["code"]
    client.force_login(office_user)
    built = build_ranking(code)
    k31_title = "".join(programme.clauses["K3.1"].title.split())
    expected = {
        # 甲 K3.1: 3, 7.21, 13 out of 14 → 3.21, 7.73 (7.725 half up), 13.93 out of 15; trimmed: 7.73
        # (a plain mean of the raw scores would be 7.74)
        "甲": {"K3.1": Decimal("7.73"), "P1": None, "total": Decimal("7.73")},
        # 乙 K3.1: 14, 0, 10 → 15.00, 0.00, 10.71; trimmed 10.71. P1 (maximum unchanged): 2, 9, 5 → 5.00
        "乙": {"K3.1": Decimal("10.71"), "P1": Decimal("5.00"), "total": Decimal("15.71")},
    }
    assert on_new_scale("7.21", 14, 15) == Decimal("7.73")
    for key, want in expected.items():
        app = world[key]
        agg = built.details[app.pk].aggregate
        assert agg.clauses["K3.1"].value == want["K3.1"] and agg.clauses["K3.1"].method == "trimmed_mean"
        assert agg.total == want["total"]

        page = page_numbers(client, code, app)
        assert page["total"] == agg.total == want["total"]
        assert (page["K"], page["P"]) == (agg.family("K"), agg.family("P"))

        sheet = export_numbers(client, code, app.organization.name)
        assert (sheet["K3.1"], sheet["P1"], sheet["total"]) == (want["K3.1"], want["P1"], want["total"])
        assert sheet["experts"] == 3

        text = report_text(client, app)
        assert f"专家汇总总分{want['total']}" in text
        section = text[text.index("四、分条款得分"):text.index("五、专家评审意见")]
        assert f"K3.1{k31_title}3{want['K3.1']}" in section
        if want["P1"] is not None:
            assert f"P1{''.join(programme.clauses['P1'].title.split())}3{want['P1']}" in section
        assert "去掉一个最高分和一个最低分后平均" in section and "新满分÷原满分" in section
    # the expert's own score is kept and shown with its rescaled value
    assert "7.21折算7.73" in report_text(client, world["甲"])
