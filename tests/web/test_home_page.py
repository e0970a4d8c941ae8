"""The home page: the current programme's clauses, windows and cross rules, in Chinese first."""

from __future__ import annotations

import pytest
from django.conf import settings

from zgcfund.core.programme import parse_programme
from zgcfund.programmes.domain import load_programme_year

ALL_CLAUSES = ["K1.1", "K1.2", "K1.3", "K2", "K3.1", "K3.2", "K3.3", "K4.1", "K4.2",
               "K5.1", "K5.2", "K5.3", "K5.4", "P1", "P2", "P3", "P4", "P5", "P6", "P7"]


def test_home_lists_every_clause_with_condition_evidence_and_quote(client, loaded, programme):
    html = client.get("/").content.decode()
    assert list(programme.clauses) == ALL_CLAUSES
    for cid, clause in programme.clauses.items():
        assert f'id="clause-{cid}"' in html
        assert clause.title in html
        assert clause.basic_condition in html
        for item in clause.evidence:
            assert item in html
        assert clause.ref.quote in html
    quote = programme.clauses["K1.1"].ref.quote
    assert quote in programme.source_text  # quoted from the programme file, shown verbatim
    assert f"“{quote}”" in html


def test_home_groups_clauses_by_family_and_area(client, loaded):
    html = client.get("/").content.decode()
    assert html.index('id="family-K"') < html.index('id="area-K1"') < html.index('id="clause-K1.1"')
    assert html.index('id="clause-K5.4"') < html.index('id="family-P"') < html.index('id="clause-P1"')
    for text in ("科技重点工作", "专业服务能力", "促进科技服务业发展", "组织品牌服务活动", "基本条件", "支撑材料"):
        assert text in html


def test_home_shows_windows_gates_hash_and_scoring_version(client, loaded, programme):
    html = client.get("/").content.decode()
    for wid in ("W-PRIOR", "W-PLAN", "W-2025", "W-INTL-STD"):
        assert f'id="window-{wid}"' in html
    assert "2024年8月1日" in html and "2026年6月30日" in html and "申报日" in html
    for xid in ("X-K1-TWO", "X-K3-TWO", "X-P-TWO", "X-ONCE", "X-P-GROW"):
        assert f'id="rule-{xid}"' in html
    assert "K1.1、K1.2、K1.3 中选取 2 项开展" in html
    assert loaded.sha256[:12] in html and loaded.sha256 in html  # short, full one in the title
    assert loaded.scoring_version == programme.scoring["version"] and loaded.scoring_version in html


def test_home_is_chinese_by_default(client, loaded):
    response = client.get("/")
    html = response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-Hans">' in html
    assert "中关村社会组织支持项目管理系统" in html


def test_english_via_query_parameter_is_remembered(client, loaded):
    response = client.get("/?language=en")
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "Zhongguancun Social Organization Support Programme" in html
    assert "Basic condition" in html and "Time windows" in html
    assert "are not translated" in html
    assert "K1.1" in html and loaded.title in html  # programme content stays in the official Chinese
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    again = client.get("/").content.decode()
    assert "Zhongguancun Social Organization Support Programme" in again


def test_english_via_accept_language(client, loaded):
    html = client.get("/", headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert "Time windows" in html


def test_set_language_form_switches_both_ways(client, loaded):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Cross rules" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "交叉规则" in client.get("/").content.decode()


def test_unknown_language_parameter_is_ignored(client, loaded):
    response = client.get("/?language=xx")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_home_without_programme_says_what_to_run(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "尚未载入项目文件" in html
    assert "make run" in html and "load_programme" in html
    english = client.get("/?language=en").content.decode()
    assert "No programme file loaded yet" in english


def test_home_shows_the_stored_version_not_the_packaged_file(client, loaded, programme):
    title = "title: 2025年中关村社会组织支持项目"
    changed = programme.source_text.replace(title, f"{title}（修订）", 1)
    row = load_programme_year(parse_programme(changed, "changed.yaml")).row
    html = client.get("/").content.decode()
    assert "2025年中关村社会组织支持项目（修订）" in html
    assert row.sha256[:12] in html and "第2版" in html


def test_stylesheet_is_served(client):
    response = client.get("/static/zgcfund/css/site.css")
    assert response.status_code == 200
    assert b"Noto Sans CJK SC" in b"".join(response.streaming_content if response.streaming else [response.content])


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
