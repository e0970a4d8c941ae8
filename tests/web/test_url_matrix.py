"""Every URL of the URL conf, visited as each kind of user, answers as the matrix below declares (issue 11).

The URL list is generated from the URL conf; a URL name without an entry in ``MATRIX`` fails the suite.
Kwargs come from one target organization's application: submitted, through formal review, assigned to one
expert. Each request runs in a savepoint that is rolled back, so a POST (delete, unassign, ...) changes
nothing for the next visitor. ``URL_MATRIX_PRINT=1`` prints the answers found, in the matrix's notation.

Answers: 200 = any 2xx; LOGIN = a redirect to the login page; 302 = another redirect; else the status code.
"""

from __future__ import annotations

import copy
import os
import re

import pytest
from django.core.files.base import ContentFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from tests.review.test_expert import passed_application

from zgcfund.accounts.domain import invitations as invitation_service
from zgcfund.accounts.models import InboxNotice
from zgcfund.accounts.models.organization import MemberRole
from zgcfund.accounts.models.user import Role
from zgcfund.review.domain import assignment as assigning

pytestmark = pytest.mark.django_db

LOGIN = "login"
ROLES = ("anonymous", "admin", "editor", "unapproved", "other_org", "assigned_expert", "unassigned_expert",
         "office", "finance")


def row(*codes, method: str = "GET") -> dict:
    """One URL's answers, in the order of ``ROLES``."""
    assert len(codes) == len(ROLES), codes
    return {"method": method, **dict(zip(ROLES, codes, strict=True))}


# Shapes shared by many URLs.
PUBLIC = row(200, 200, 200, 200, 200, 200, 200, 200, 200)
OFFICE = row(LOGIN, 403, 403, 403, 403, 403, 403, 200, 403)  # finance staff: not the office
# The live application: its organization's users and the office; 404 to everyone else (experts, finance included).
LIVE = row(LOGIN, 200, 200, 404, 404, 404, 404, 200, 404)

MATRIX: dict[str, dict] = {
    "accounts:check_credit_code": PUBLIC,
    "accounts:inbox": row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200),  # every signed-in user: their own notices
    "accounts:inbox_notice": row(LOGIN, 200, 404, 404, 404, 404, 404, 404, 404),  # the admin's notice: only the admin
    "accounts:inbox_read_all": row(LOGIN, 302, 302, 302, 302, 302, 302, 302, 302, method="POST"),
    "accounts:invitation_accept": row(404, 404, 404, 404, 404, 404, 404, 404, 404),  # bogus token
    "accounts:invitation_revoke": row(LOGIN, 302, 403, 404, 404, 404, 404, 404, 404, method="POST"),
    "accounts:login": row(200, 302, 302, 302, 302, 302, 302, 302, 302),
    "accounts:logout": row(302, 302, 302, 302, 302, 302, 302, 302, 302, method="POST"),
    "accounts:member_remove": row(LOGIN, 200, 403, 404, 404, 404, 404, 404, 404),
    "accounts:members": row(LOGIN, 200, 403, 200, 200, 404, 404, 404, 404),
    "accounts:organization": row(LOGIN, 200, 200, 200, 200, 404, 404, 302, 404),
    "accounts:organization_certificate": row(LOGIN, 200, 200, 404, 404, 404, 404, 200, 404),
    "accounts:organization_edit": row(LOGIN, 200, 403, 200, 200, 404, 404, 404, 404),
    "accounts:organization_profile": row(LOGIN, 200, 403, 200, 200, 404, 404, 404, 404),
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,  # bogus token: the 'invalid link' page
    "accounts:password_reset_done": PUBLIC,
    "accounts:privacy": PUBLIC,
    "accounts:register": row(200, 302, 302, 302, 302, 302, 302, 302, 302),
    "accounts:register_confirm": row(404, 404, 404, 404, 404, 404, 404, 404, 404),  # bogus token
    "accounts:register_sent": PUBLIC,
    "accounts:set_password": PUBLIC,  # bogus token: the 'invalid link' page
    "accounts:set_password_complete": PUBLIC,
    "applications:choices": row(LOGIN, 302, 302, 404, 404, 404, 404, 302, 404, method="POST"),
    "applications:clause": LIVE,
    "applications:commitment_pdf": LIVE,  # the pre-filled 承诺书: the organization's users and the office
    "applications:draft_pdf": LIVE,
    # known to the expert and the office, not theirs to change
    "applications:evidence_delete": row(LOGIN, 302, 302, 404, 404, 403, 404, 403, 404, method="POST"),
    # files named in the assigned submission
    "applications:evidence_download": row(LOGIN, 200, 200, 404, 404, 200, 404, 200, 404),
    "applications:evidence_list": LIVE,
    # known to the expert and the office, not theirs to change
    "applications:evidence_material": row(LOGIN, 302, 302, 404, 404, 403, 404, 403, 404, method="POST"),
    # files named in the assigned submission
    "applications:evidence_thumbnail": row(LOGIN, 200, 200, 404, 404, 200, 404, 200, 404),
    "applications:export_json": LIVE,
    "applications:history": LIVE,
    # submitted: not editable, back to the overview
    "applications:import_json": row(LOGIN, 302, 302, 404, 404, 404, 404, 302, 404),
    "applications:list_import": LIVE,
    "applications:list_evidence": LIVE,  # a list clause's own files; uploading: its organization's users
    "applications:list_template": LIVE,
    "applications:notices": row(LOGIN, 200, 200, 200, 200, 404, 404, 404, 404),
    "applications:overview": LIVE,
    "applications:panel": LIVE,
    "applications:record_delete": row(LOGIN, 302, 302, 404, 404, 404, 404, 302, 404, method="POST"),
    # submitted: not editable, back to the clause page
    "applications:record_edit": row(LOGIN, 302, 302, 404, 404, 404, 404, 302, 404),
    # submitted: not editable, back to the clause page
    "applications:record_new": row(LOGIN, 302, 302, 404, 404, 404, 404, 302, 404),
    "applications:status": LIVE,
    # the frozen submission: also its assigned expert
    "applications:submission_pdf": row(LOGIN, 200, 200, 404, 404, 200, 404, 200, 404),
    "applications:submit": row(LOGIN, 200, 200, 404, 404, 404, 404, 404, 404),  # the organization's users only
    # the organization's users; an empty form is answered 422 and changes nothing
    "applications:withdraw": row(LOGIN, 422, 422, 404, 404, 404, 404, 404, 404, method="POST"),
    "dashboard": row(LOGIN, 200, 200, 200, 200, 302, 302, 302, 302),
    "expert:conflicts": row(LOGIN, 403, 403, 403, 403, 200, 200, 403, 403),
    "expert:review": row(LOGIN, 403, 403, 403, 403, 200, 404, 403, 403),  # another expert's assignment is a 404
    "expert:tasks": row(LOGIN, 403, 403, 403, 403, 200, 200, 403, 403),
    # implementation-period reports: the fixture's application has no contract (the organization's pages 404)
    "implementation:delivery": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, method="POST"),
    "implementation:evidence_delete": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, method="POST"),
    "implementation:evidence_download": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404),
    "implementation:evidence_upload": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, method="POST"),
    "implementation:extra_delete": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, method="POST"),
    "implementation:extra_work": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, method="POST"),
    "implementation:report": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404),
    "implementation:report_submit": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, method="POST"),
    "implementation:reports": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404),
    "healthz": PUBLIC,
    "home": PUBLIC,
    "implementation:acceptance_pdf": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404),  # no contract in the fixture
    "implementation:contract_pdf": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404),  # no contract in the fixture
    "office:acceptance": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403),  # no contract in the fixture
    "office:acceptance_assess": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403, method="POST"),
    "office:acceptance_conclude": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403, method="POST"),
    "office:account_detail": OFFICE,
    "office:account_new": OFFICE,
    "office:account_send_link": row(LOGIN, 403, 403, 403, 403, 403, 403, 302, 403, method="POST"),
    "office:accounts": OFFICE,
    "office:application_history": OFFICE,
    "office:assign": OFFICE,
    "office:assign_application": OFFICE,
    "office:assign_home": row(LOGIN, 403, 403, 403, 403, 403, 403, 302, 403),
    "office:conditions_edit": OFFICE,
    "office:contract": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403),  # the fixture's application has no contract
    "office:contract_new": OFFICE,  # not awaiting a contract: the office reads why, no form
    "office:contract_pdf": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404),  # no contract yet: nobody learns more
    "office:contracts": OFFICE,
    "office:revenue": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403),  # the fixture's application has no contract
    "office:revenue_overview": OFFICE,
    "office:dashboard": OFFICE,
    # disbursements: the office proposes (collective decision), finance records the payment of approved ones
    "office:disbursement_propose": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403, method="POST"),  # no contract
    "office:disbursement_pay": row(LOGIN, 403, 403, 403, 403, 403, 403, 403, 404),  # finance only; none such
    "office:decision": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403),  # no decision in this fixture
    "office:decisions": OFFICE,
    "office:expert_reviews": OFFICE,
    "office:export_download": OFFICE,
    "office:exports": OFFICE,
    "office:exports_home": row(LOGIN, 403, 403, 403, 403, 403, 403, 302, 403),
    "office:formal_queue": OFFICE,
    # the money pages: finance and the office read; finance alone records. The fixture's application has no
    # contract (404 once allowed in; tests/implementation/test_funds.py walks the pages with one)
    "office:funds": row(LOGIN, 403, 403, 403, 403, 403, 403, 200, 200),
    "office:funds_contract": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 404),
    "office:funds_export": row(LOGIN, 403, 403, 403, 403, 403, 403, 200, 200),
    "office:formal_review": OFFICE,
    "office:notices": OFFICE,
    "office:organization_detail": OFFICE,
    "office:organizations": OFFICE,
    "office:programme": OFFICE,
    "office:programme_source": OFFICE,
    "office:programme_version": OFFICE,
    "office:programmes": OFFICE,
    "office:refund_new": row(LOGIN, 403, 403, 403, 403, 403, 403, 403, 404),  # finance only
    "office:refund_returned": row(LOGIN, 403, 403, 403, 403, 403, 403, 403, 404),  # finance only; no such refund
    "office:review_due": row(LOGIN, 403, 403, 403, 403, 403, 403, 302, 403, method="POST"),
    "office:results": OFFICE,
    "office:results_export": OFFICE,
    "office:results_pdf": OFFICE,
    # report rounds and reviews: no round or report in the fixture (the office gets 404)
    "office:report_accept": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403, method="POST"),
    "office:report_extend": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403, method="POST"),
    "office:report_return": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403, method="POST"),
    "office:report_review": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403),
    "office:report_round": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403),
    "office:report_round_edit": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403),
    "office:report_round_new": OFFICE,
    "office:report_rounds": OFFICE,
    "office:request_report": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403, method="POST"),  # no contract
    "office:start_implementation": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403, method="POST"),  # no contract
    "office:ranking": OFFICE,
    "office:review_report": OFFICE,
    "office:scheme_edit": OFFICE,
    "office:security_log": OFFICE,
    "office:selection": OFFICE,
    "office:selection_confirm": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403, method="POST"),
    "office:selection_detail": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403),
    "office:selection_objection": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403, method="POST"),
    "office:selection_plan": OFFICE,
    "office:selection_publish": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403, method="POST"),
    "office:selection_end_notice": row(LOGIN, 403, 403, 403, 403, 403, 403, 404, 403, method="POST"),
    "office:unassign": row(LOGIN, 403, 403, 403, 403, 403, 403, 302, 403, method="POST"),
    "office:window_edit": OFFICE,
    "office:window_extensions": OFFICE,
    "office:windows": OFFICE,
    "public:export_csv": row(404, 404, 404, 404, 404, 404, 404, 404, 404),
    "public:export_xlsx": row(404, 404, 404, 404, 404, 404, 404, 404, 404),
    "public:notice": row(404, 404, 404, 404, 404, 404, 404, 404, 404),
    "set_language": row(302, 302, 302, 302, 302, 302, 302, 302, 302),
    # K1.3 revenue tables of a contract (the fixture's application has none: 404; with a contract,
    # tests/implementation/test_revenue.py: members 200, the office reads but may not upload, others 404)
    "revenue:page": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404),
    "revenue:template": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404),
    "revenue:upload": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, method="POST"),
    "revenue:workbook": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404),
}

# Kwargs by name; ``OVERRIDES`` for URLs whose ``pk`` (or ``clause``) means something else.
BOGUS_TOKEN = "bogus-token"


def _kwargs_for(f: dict) -> dict[str, dict]:
    app = f["application"]
    return {
        "default": {"pk": app.pk, "record_pk": f["record"].pk, "evidence_pk": f["evidence"].pk, "number": 1,
                    "clause": "K3.1", "group": f["group"], "code": app.programme_code, "version": 1,
                    "kind": "formal", "token": BOGUS_TOKEN, "uidb64": "MQ"},
        "applications:list_template": {"clause": "K1.1"},
        **{f"revenue:{n}": {"credit_code": "91110108MA01ABCD2X"} for n in ("template", "upload", "workbook")},
        "applications:list_import": {"clause": "K1.1"},
        "applications:list_evidence": {"clause": "K1.1"},
        "accounts:organization_certificate": {"pk": app.organization_id},
        "accounts:member_remove": {"pk": f["editor"].membership.pk},
        "accounts:invitation_revoke": {"pk": f["invitation"].pk},
        "accounts:inbox_notice": {"pk": f["notice"].pk},
        "office:organization_detail": {"pk": app.organization_id},
        "office:account_detail": {"pk": f["editor"].pk},
        "office:account_send_link": {"pk": f["assigned_expert"].pk},
        "office:unassign": {"pk": f["assignment"].pk},
        "office:acceptance_assess": {"commitment_pk": 999999},
        "expert:review": {"pk": f["assignment"].pk},
        # no saved selection in this fixture: the office gets 404, everyone else is refused before the lookup
        "office:selection_detail": {"pk": 999999},
        "office:selection_confirm": {"pk": 999999},
        "office:selection_publish": {"pk": 999999},
        "office:selection_end_notice": {"pk": 999999},
        **{name: {"round_pk": 999999, "commitment_pk": 999999, "application_pk": app.pk}
           for name in ("implementation:report", "implementation:extra_work", "implementation:report_submit",
                        "implementation:delivery", "implementation:extra_delete", "implementation:evidence_upload",
                        "office:report_extend")},
        "office:selection_objection": {"pk": 999999},
        "office:decision": {"pk": 999999},
        "office:disbursement_pay": {"pk": 999999},
    }


def url_names() -> dict[str, str]:
    """Namespaced URL name → route, from the URL conf."""
    found: dict[str, str] = {}

    def walk(patterns, namespace: str, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                walk(p.url_patterns, ns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                found[f"{namespace}:{p.name}" if namespace else p.name] = prefix + str(p.pattern)

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_url_has_a_declared_row():
    missing = sorted(set(url_names()) - set(MATRIX))
    assert not missing, f"URL names without a row in tests/web/test_url_matrix.py MATRIX: {', '.join(missing)}"
    stale = sorted(set(MATRIX) - set(url_names()))
    assert not stale, f"MATRIX rows for URL names that no longer exist: {', '.join(stale)}"


@pytest.fixture
def people(make_org, make_user, org, applicant, other_applicant, office_user, open_window, programme):
    application = passed_application(org, applicant, office_user, evidence=True)
    assigned, unassigned = (make_user(f"expert{n}@zgc.example", role=Role.EXPERT, full_name=f"专家{n}")
                            for n in (1, 2))
    [assignment] = assigning.assign(application, [assigned], office_user)
    editor = make_user("editor@ai-assoc.example", organization=org, member_role=MemberRole.EDITOR,
                       full_name="钱填报")
    unapproved = make_user("admin@pending.example", organization=make_org("北京待审科技协会", approved=False),
                           full_name="孙待审")
    finance = make_user("finance@zgc.example", role=Role.FINANCE, full_name="钱财务")
    invitation, _token = invitation_service.invite(org, applicant, "invitee@ai-assoc.example")
    org.certificate.save("登记证书.png", ContentFile(b"\x89PNG\r\n\x1a\n scan"), save=False)
    org.certificate_content_type = "image/png"
    org.save()
    evidence = application.evidence_files.get(kind="record")
    notice = InboxNotice.objects.create(user=applicant, key="application.submitted", title="申报书已提交", body="…",
                                        link=f"/applications/{application.pk}/status/")
    return {
        "application": application, "record": evidence.record, "evidence": evidence, "assignment": assignment,
        "group": next(iter(programme.choice_groups)), "invitation": invitation, "editor": editor, "notice": notice,
        "assigned_expert": assigned, "users": {
            "anonymous": None, "admin": applicant, "editor": editor, "unapproved": unapproved,
            "other_org": other_applicant, "assigned_expert": assigned, "unassigned_expert": unassigned,
            "office": office_user, "finance": finance,
        },
    }


def _outcome(response, login_url: str):
    code = response.status_code
    if 200 <= code < 300:
        return 200
    if 300 <= code < 400:
        return LOGIN if response["Location"].startswith(login_url) else 302
    return code


def _url(name: str, route: str, kwargs: dict[str, dict]) -> str:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    values = {**kwargs["default"], **kwargs.get(name, {})}
    return reverse(name, kwargs={k: values[k] for k in names})


def _visit(client: Client, method: str, url: str, login_url: str):
    cookies = copy.deepcopy(client.cookies)  # a logout drops the session cookie; the rollback restores the row
    with transaction.atomic():  # rolled back: the next visitor finds the same data
        response = getattr(client, method.lower())(url)
        transaction.set_rollback(True)
    # Close files of streamed responses without request_finished's close_old_connections: inside the
    # test's transaction it would close the PostgreSQL connection (Django's test client does the same).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    client.cookies = cookies
    return _outcome(response, login_url)


def test_every_url_answers_as_declared(people):
    kwargs = _kwargs_for(people)
    login_url = reverse("accounts:login")
    names = url_names()
    clients = {}
    for role, user in people["users"].items():
        clients[role] = Client()
        if user is not None:
            clients[role].force_login(user)
    found: dict[str, dict] = {}
    wrong: list[str] = []
    for name, route in sorted(names.items()):
        declared = MATRIX.get(name, {})
        url = _url(name, route, kwargs)
        methods = [declared["method"]] if declared else ["GET", "POST"]  # undeclared: POST if GET is refused
        for method in methods:
            found[name] = {"method": method, **{role: _visit(clients[role], method, url, login_url) for role in ROLES}}
            if 405 not in found[name].values():
                break
        for role in ROLES if declared else ():
            if declared[role] != found[name][role]:
                wrong.append(f"{name} ({declared['method']} {url}) as {role}: expected {declared[role]}, "
                             f"got {found[name][role]}")
    if os.environ.get("URL_MATRIX_PRINT"):
        for name, answers in found.items():
            codes = ", ".join("LOGIN" if answers[r] == LOGIN else str(answers[r]) for r in ROLES)
            method = ', method="POST"' if answers["method"] == "POST" else ""
            print(f'    "{name}": row({codes}{method}),')
    assert not wrong, "\n".join(wrong)
