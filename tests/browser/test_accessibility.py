"""Accessibility in real Chromium: axe-core (bundled by axe-playwright-python, nothing downloaded) checks
the main pages of every role against WCAG 2.0/2.1 A and AA, and finds no violation.

One set-up (through the domain, as in test_office_flow.py): three applications through formal review and
scored by three experts, a published selection (the public 公示 page), one organization's draft."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from guide import SCREENSHOTS
from test_office_flow import make_expert, scored  # noqa: F401  (fixtures)

from zgcfund.applications.domain.editing import application_for, save_record
from zgcfund.review.domain import selection as selection_domain
from zgcfund.review.models import Assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


def violations(page, axe: Axe) -> list[str]:
    """One line per violated rule: its id, how many elements, the first few selectors and the first message."""
    found = []
    for v in axe.run(page, options=WCAG_AA).response["violations"]:
        nodes = v["nodes"]
        targets = ", ".join(" ".join(map(str, n["target"])) for n in nodes[:3])
        found.append(f"{v['id']} ×{len(nodes)}: {targets} — {nodes[0].get('failureSummary', '')[:160]}")
    return found


@pytest.fixture(name="world")
def world_fixture(scored, loaded, office_user, other_org, other_applicant):  # noqa: F811
    """The published selection (bands, so the public page shows them) and another organization's draft."""
    spec = {"method": "by_bands", "cap_per_organization": 20,
            "bands": [{"name": "一档", "ranks": [1, 1], "amount": 20}, {"name": "二档", "ranks": [2, 2], "amount": 10}]}
    draft = selection_domain.save_draft(loaded.code, spec, office_user)
    selection_domain.publish(selection_domain.confirm(draft, office_user), office_user, 7)
    draft_app = application_for(other_org, other_applicant)
    save_record(draft_app, other_applicant, "K3.1", {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会",
                                                      "park": "海淀园", "participants": 85})
    return {"apps": scored, "draft": draft_app, "selection": draft, "code": loaded.code}


def pages_of(world, applicant, other_applicant, office_user) -> dict[str, list[tuple[object, str]]]:
    code, draft, first = world["code"], world["draft"], world["apps"][0]
    assignment = Assignment.objects.filter(application=first).select_related("expert").first()
    return {
        "visitor": [(None, reverse("home")), (None, reverse("accounts:login")), (None, reverse("accounts:register")),
                    (None, reverse("public:notice", args=[code]))],
        "applicant": [(other_applicant, reverse("dashboard")),
                      (other_applicant, reverse("applications:overview", args=[draft.pk])),
                      (other_applicant, reverse("applications:clause", args=[draft.pk, "K3.1"])),
                      (other_applicant, reverse("applications:record_new", args=[draft.pk, "K3.1"])),  # date inputs
                      (other_applicant, reverse("accounts:organization")),
                      (other_applicant, reverse("applications:submit", args=[draft.pk])),
                      (applicant, reverse("applications:status", args=[first.pk]))],
        "office": [(office_user, reverse("office:dashboard")),
                   (office_user, reverse("office:formal_queue")),
                   (office_user, reverse("office:window_edit", args=[code])),
                   (office_user, reverse("office:security_log")),  # date inputs with help text
                   (office_user, reverse("office:formal_review", args=[first.pk])),
                   (office_user, reverse("office:assign", args=[code])),
                   (office_user, reverse("office:assign_application", args=[first.pk])),
                   (office_user, reverse("office:ranking", args=[code])),
                   (office_user, reverse("office:selection", args=[code])),
                   (office_user, reverse("office:selection_detail", args=[world["selection"].pk]))],
        "expert": [(assignment.expert, reverse("expert:tasks")),
                   (assignment.expert, reverse("expert:review", args=[assignment.pk]))],
    }


def test_main_pages_of_every_role_have_no_wcag_a_or_aa_violations(live_server, new_page, log_in, world, applicant,
                                                                   other_applicant, office_user):
    axe = Axe()
    report: dict[str, list[str]] = {}
    for _role, visits in pages_of(world, applicant, other_applicant, office_user).items():
        pages: dict[object, object] = {}
        for user, url in visits:
            if user not in pages:
                pages[user] = new_page() if user is None else log_in(new_page(), user)
            page = pages[user]
            response = page.goto(live_server.url + url)
            assert response.ok, f"{url}: {response.status}"
            page.wait_for_load_state("networkidle")
            found = violations(page, axe)
            if found:
                report[url] = found
    text = "\n".join(f"{url}\n  " + "\n  ".join(lines) for url, lines in report.items())
    (SCREENSHOTS.parent / "axe-report.txt").write_text(text or "no violations\n", "utf-8")
    assert report == {}, "\n".join(f"{url}\n  " + "\n  ".join(lines) for url, lines in report.items())
