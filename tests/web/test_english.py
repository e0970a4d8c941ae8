"""The English interface (``?language=en``): the main pages of the office, an expert and an applicant
show no Chinese in their chrome (title, headings, table headers, buttons, labels, legends). Programme
data stays Chinese by design (clause titles, field labels and other texts of the programme file,
organization and person names, record titles): it is stripped before the check, and so is anything
marked ``lang="zh-Hans"`` (quotations from the programme, the language switch)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import yaml
from django.urls import reverse
from tests.review import test_setup
from tests.review.test_setup import K31, K31_B, P5, P7

from zgcfund.accounts.models import Organization, User
from zgcfund.applications.domain.editing import save_record
from zgcfund.programmes.models import ProgrammeYear
from zgcfund.review.domain.selection import confirm, publish, save_draft
from zgcfund.review.models import Assignment

pytestmark = pytest.mark.django_db

experts, scored = test_setup.experts, test_setup.scored  # fixtures: three experts, two scored applications

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
CHROME = {"title", "h1", "h2", "h3", "th", "button", "label", "legend", "summary"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class ChromeText(HTMLParser):
    """The text of each chrome element (and of links styled as buttons), outside ``lang="zh…"`` elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, list[str] | None]] = []  # (tag, chinese by markup, text if chrome)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in VOID:
            return
        chinese = (attrs.get("lang") or "").lower().startswith("zh")
        chrome = tag in CHROME or (tag == "a" and "btn" in (attrs.get("class") or "").split())
        self.stack.append((tag, chinese, [] if chrome else None))

    def handle_endtag(self, tag):
        if not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            t, _, text = self.stack.pop()
            if text is not None:
                self.found.append((t, " ".join("".join(text).split())))
            if t == tag:
                break

    def handle_data(self, data):
        if any(chinese for _, chinese, _ in self.stack):
            return
        for _, _, text in self.stack:
            if text is not None:
                text.append(data)


def _strings(node) -> set[str]:
    if isinstance(node, str):
        return {node}
    if isinstance(node, dict):
        return set().union(*(_strings(k) | _strings(v) for k, v in node.items())) if node else set()
    if isinstance(node, list):
        return set().union(*(_strings(v) for v in node)) if node else set()
    return set()


def known_data() -> list[str]:
    """Every text of the loaded programme files and of the seeded database that is Chinese by design, longest first."""
    data: set[str] = set()
    for source in ProgrammeYear.objects.values_list("source_text", flat=True):
        data |= _strings(yaml.safe_load(source))
    data |= set(Organization.objects.values_list("name", flat=True))
    data |= {u.get_full_name() for u in User.objects.all()}
    data |= {r["title"] for r in (K31, K31_B, P5, P7)} | {"承诺书.png"}
    return sorted((s for s in data if CJK.search(s) and len(s) > 1), key=len, reverse=True)


def chinese_chrome(html: str, data: list[str]) -> list[tuple[str, str]]:
    parser = ChromeText()
    parser.feed(html)
    left = []
    for tag, text in parser.found:
        stripped = text
        for s in data:
            stripped = stripped.replace(s, "")
        if CJK.search(stripped):
            left.append((tag, text))
    return left


def english_page(client, url: str, data: list[str]) -> list[tuple[str, str]]:
    """The page in English; what of its chrome is still Chinese."""
    response = client.get(url, {"language": "en"}, follow=True)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="en"' in html, url
    return chinese_chrome(html, data)


def check_english(client, urls) -> None:
    data = known_data()
    left = {url: found for url in urls if (found := english_page(client, url, data))}
    assert not left, left


def test_the_chrome_check_finds_chinese_and_ignores_data():
    html = ('<html lang="en"><title>Ranking · 甲协会</title><h1>甲协会</h1><table><tr><th>名次</th><th>Rank</th></tr></table>'
            '<button lang="zh-Hans">简体中文</button><label>Name <input name="x"> 备注</label><a class="btn">导出</a>'
            '<blockquote lang="zh-Hans">“原文”</blockquote><p>正文不查</p></html>')
    assert chinese_chrome(html, ["甲协会"]) == [("th", "名次"), ("label", "Name 备注"), ("a", "导出")]


@pytest.fixture
def published_selection(scored, loaded, office_user):
    selection = confirm(save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user), office_user)
    return publish(selection, office_user, 5)


def test_office_pages_in_english(client, office_user, scored, published_selection, loaded):
    code = loaded.code
    a, _b = scored
    client.force_login(office_user)
    urls = [reverse("office:dashboard"), reverse("office:organizations"),
            reverse("office:organization_detail", args=[a.organization_id]),
            reverse("office:windows"), reverse("office:window_edit", args=[code]),
            reverse("office:window_extensions", args=[code]),
            reverse("office:programmes"), reverse("office:programme", args=[code]),
            reverse("office:programme_version", args=[code, loaded.version]), reverse("office:scheme_edit", args=[code]),
            reverse("office:selection_plan", args=[code]),
            reverse("office:formal_queue"), reverse("office:formal_review", args=[a.pk]),
            reverse("office:assign_home"), reverse("office:assign", args=[code]),
            reverse("office:assign_application", args=[a.pk]), reverse("office:expert_reviews", args=[a.pk]),
            reverse("office:application_history", args=[a.pk]),
            reverse("office:selection", args=[code]), reverse("office:selection_detail", args=[published_selection.pk]),
            reverse("office:exports_home"), reverse("office:exports", args=[code])]
    check_english(client, urls)


def test_ranking_page_in_english(client, office_user, scored, loaded):
    client.force_login(office_user)
    check_english(client, [reverse("office:ranking", args=[loaded.code])])


def test_public_notice_in_english(client, published_selection, loaded):
    check_english(client, [reverse("public:notice", args=[loaded.code])])


def test_expert_pages_in_english(client, scored, experts):
    a, _b = scored
    assignment = Assignment.objects.get(application=a, expert=experts[0])
    client.force_login(experts[0])
    check_english(client, [reverse("expert:tasks"), reverse("expert:conflicts"),
                           reverse("expert:review", args=[assignment.pk])])


def test_applicant_pages_in_english(client, application, applicant, open_window):
    save_record(application, applicant, "K3.1", K31)
    client.force_login(applicant)
    pk = application.pk
    urls = [reverse("dashboard"), reverse("applications:overview", args=[pk]),
            reverse("applications:clause", args=[pk, "K3.1"]), reverse("applications:clause", args=[pk, "P5"]),
            reverse("applications:status", args=[pk]), reverse("applications:history", args=[pk]),
            reverse("applications:submit", args=[pk]), reverse("applications:import_json", args=[pk]),
            reverse("accounts:organization"), reverse("accounts:members"), reverse("home")]
    check_english(client, urls)


def test_submitted_applicant_status_in_english(client, scored):
    a, _b = scored
    client.force_login(a.submissions.get().submitted_by)
    check_english(client, [reverse("applications:status", args=[a.pk])])


def test_separators_follow_the_language_and_chinese_is_the_default(client, application, applicant):
    client.force_login(applicant)
    url = reverse("applications:overview", args=[application.pk])
    english = client.get(url, {"language": "en"}).content.decode()
    assert "Status: <span" in english and "状态" not in english
    chinese = client.get(url, {"language": "zh-hans"}).content.decode()
    assert '<html lang="zh-Hans"' in chinese and "状态：<span" in chinese
