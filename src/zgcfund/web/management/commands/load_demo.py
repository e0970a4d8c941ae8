"""Demo data for `make run`: an office user, an approved organization with a half-filled
application, a pending organization, the application window, an application awaiting the demo
expert, and a cohort of applications reviewed by three experts so the ranking, the what-if of a
scheme change and the selection have something to show — all as they stood on the application day
(2025-09-20). Then the programme's later stages up to the demo's date (``zgcfund.devtools.timeline``):
selection and 公示, contracts, reports, revenue tables, payments and acceptance. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from zgcfund.accounts.models import Organization, User
from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain.document import build_document
from zgcfund.applications.domain.editing import application_for, import_document
from zgcfund.devtools import timeline
from zgcfund.devtools.people import create_organization, create_user, social_org_code
from zgcfund.devtools.synthetic import make_record
from zgcfund.programmes.domain import clock, current_programme_year
from zgcfund.programmes.models import ApplicationWindow

OFFICE = ("office@demo.zgcfund.cn", "Demo-office-2025", "赵办公室")
APPROVER = ("office2@demo.zgcfund.cn", "Demo-office2-2025", "钱主任")  # the second office approver (集体研究)
FINANCE = ("finance@demo.zgcfund.cn", "Demo-finance-2025", "李财务")
APPLICANT = ("admin@demo-assoc.cn", "Demo-applicant-2025", "王申报")
EDITOR = ("editor@demo-assoc.cn", "Demo-editor-2025", "刘填报")
PENDING = ("admin@pending-assoc.cn", "Demo-pending-2025", "陈待审")
EXPERT = ("expert@demo.zgcfund.cn", "Demo-expert-2025", "孙专家")
SUBMITTED = ("admin@demo-alliance.cn", "Demo-alliance-2025", "周联盟")

# An application that went through submission and formal review, assigned to the demo expert.
SUBMITTED_RECORDS = [("K1.1", 55, "prior"), ("K3.1", 3, "prior"), ("K4.1", 1, "prior"), ("P1", 2, "prior"),
                     ("P5", 1, "prior"), ("P7", 2, "prior")]

# The reviewed cohort: (organization, records) — each passed formal review and was scored by three
# experts (the engine's clause score with a little disagreement), so it is ranked.
REVIEW_EXPERTS = [(f"expert{i}@demo.zgcfund.cn", "Demo-expert-2025", name) for i, name in
                  ((2, "钱专家"), (3, "吴专家"), (4, "郑专家"))]
# Each also plans work for the implementation period (its commitments once contracted): two K1.3
# performance enterprises, events and a service.
PLAN = [("K1.3", 2, "plan"), ("K3.1", 2, "plan"), ("P7", 1, "plan")]
COHORT = [
    ("北京中关村人工智能产业协会", [("K1.1", 82, "prior"), ("K3.1", 5, "prior"), ("P1", 3, "prior"), ("P7", 5, "prior"), *PLAN]),
    ("北京中关村集成电路设计协会", [("K1.1", 60, "prior"), ("K4.1", 3, "prior"), ("P1", 3, "prior"), ("P5", 2, "prior"), *PLAN]),
    ("北京生物医药产业技术创新联盟", [("K3.1", 6, "prior"), ("K4.1", 2, "prior"), ("P5", 3, "prior"), ("P7", 5, "prior"), *PLAN]),
    ("中关村新材料学会", [("K1.1", 52, "prior"), ("K3.1", 2, "prior"), ("P1", 4, "prior"), ("P5", 1, "prior"), *PLAN]),
    ("北京智能网联汽车产业联盟", [("K4.1", 2, "prior"), ("K3.1", 4, "prior"), ("P1", 4, "prior"), ("P7", 4, "prior"), *PLAN]),
    ("中关村科技服务业促进会", [("K1.1", 70, "prior"), ("P5", 2, "prior"), ("P7", 6, "prior"), *PLAN]),
]
#: the day the demo's applications were filled, submitted and reviewed (the window is open around it)
APPLICATION_DAY = dt.date(2025, 9, 20)
LOGINS = [("项目办公室", OFFICE), ("集体研究复核人", APPROVER), ("财务人员", FINANCE), ("申报单位管理员", APPLICANT),
          ("申报单位填报人", EDITOR), ("待审核单位", PENDING), ("评审专家", EXPERT), ("已提交单位", SUBMITTED),
          ("已评完的专家", REVIEW_EXPERTS[0])]

# A half-filled application: K1.1 short of its 50 enterprises, a few K3/K4/P records, one plan.
HALF_FILLED = [("K1.1", 38, "prior"), ("K3.1", 3, "prior"), ("K4.1", 1, "prior"), ("P1", 2, "prior"),
               ("P5", 1, "prior"), ("P7", 2, "plan")]


class Command(BaseCommand):
    help = "Load demo users, organizations, an open window and a half-filled application (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--print-logins", action="store_true", help="print the demo logins afterwards")

    def handle(self, *args, **options):
        row = current_programme_year()
        if row is None:
            self.stderr.write("load_programme first")
            return
        today = clock.today()
        # the notices go to the in-app inboxes; their e-mails are not printed over the demo's logins
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
            with override_settings(ZGCFUND_CLOCK_DATE=min(today, APPLICATION_DAY).isoformat()):
                self._load(row)
            cast = timeline.Cast(*(User.objects.get(email=who[0]) for who in (OFFICE, APPROVER, FINANCE)))
            timeline.run(row.code, today, cast, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"demo data ready (programme clock {today.isoformat()})"))
        if options["print_logins"]:
            self.stdout.write("\n  Demo logins (e-mail / password):")
            for who, (email, password, _name) in LOGINS:
                self.stdout.write(f"    {who:<10}{email:<26}{password}")
            for who, email, password in _cohort_logins():
                self.stdout.write(f"    {who}\n    {'':<10}{email:<26}{password}")
            self.stdout.write("")

    def _load(self, row):
        now = clock.now()
        ApplicationWindow.objects.get_or_create(code=row.code, defaults={
            "opens_at": now - dt.timedelta(days=10), "closes_at": now + dt.timedelta(days=20)})
        for email, password, name, role in ((*OFFICE, Role.OFFICE), (*APPROVER, Role.OFFICE),
                                            (*FINANCE, Role.FINANCE)):
            if not User.objects.filter(email=email).exists():
                create_user(email, password, role=role, full_name=name)
        org = Organization.objects.filter(credit_code=social_org_code(9001)).first()
        if org is None:
            org = create_organization("北京中关村示范科技服务协会", credit_code=social_org_code(9001), comprehensive=True)
            admin = create_user(APPLICANT[0], APPLICANT[1], full_name=APPLICANT[2], organization=org)
            create_user(EDITOR[0], EDITOR[1], full_name=EDITOR[2], organization=org, member_role="editor")
            _fill(application_for(org, admin), admin, HALF_FILLED, seed=2025)
        if not Organization.objects.filter(credit_code=social_org_code(9002)).exists():
            pending = create_organization("北京海淀新兴产业技术创新联盟", credit_code=social_org_code(9002), approved=False)
            create_user(PENDING[0], PENDING[1], full_name=PENDING[2], organization=pending)
        if not User.objects.filter(email=EXPERT[0]).exists():
            create_user(EXPERT[0], EXPERT[1], role=Role.EXPERT, full_name=EXPERT[2])
        if not Organization.objects.filter(credit_code=social_org_code(9003)).exists():
            self._submitted_application()
        if not Organization.objects.filter(credit_code=social_org_code(9010)).exists():
            self._reviewed_cohort()

    def _submitted_application(self):
        """Filled, submitted, passed formal review, assigned to the demo expert."""
        from zgcfund.review.domain.assignment import assign
        from zgcfund.review.domain.formal import decide

        org = create_organization("北京中关村智能制造产业技术联盟", credit_code=social_org_code(9003))
        admin = create_user(SUBMITTED[0], SUBMITTED[1], full_name=SUBMITTED[2], organization=org)
        application = _submit(org, admin, SUBMITTED_RECORDS, seed=2026)
        office = User.objects.get(email=OFFICE[0])
        decide(application, office, "passed", "材料齐全（演示数据）", {})
        assign(application, [User.objects.get(email=EXPERT[0])], office)

    def _reviewed_cohort(self):
        """Applications through submission, formal review and three experts' submitted scores."""
        from zgcfund.review.domain.assignment import assign
        from zgcfund.review.domain.formal import decide
        from zgcfund.review.domain.scoring import ReviewInput, clauses_to_score, review_programme, save_review

        office = User.objects.get(email=OFFICE[0])
        experts = [User.objects.filter(email=email).first()
                   or create_user(email, password, role=Role.EXPERT, full_name=name) for email, password, name in REVIEW_EXPERTS]
        rng = random.Random(2027)
        for i, (name, records) in enumerate(COHORT):
            org = create_organization(name, credit_code=social_org_code(9010 + i))
            admin = create_user(f"admin{i}@cohort-{9010 + i}.cn", f"Demo-cohort-{i}", full_name="演示申报人", organization=org)
            application = _submit(org, admin, records, seed=3000 + i)
            decide(application, office, "passed", "材料齐全（演示数据）", {})
            assign(application, experts, office)
            _row, programme = review_programme(application)
            evaluation = application.submissions.latest("number").evaluation_prior
            for assignment in application.assignments.all():
                scores = {}
                for cid in clauses_to_score(programme, evaluation):
                    top = programme.max_score(cid) or 0
                    given = float(evaluation["clauses"][cid]["score"]) + rng.choice((-2, -1, -1, 0, 0, 1, 2))
                    scores[cid] = str(max(0, min(float(top), given)))
                save_review(assignment, assignment.expert, ReviewInput(scores=scores), submit=True)


def _cohort_logins() -> list[tuple[str, str, str]]:
    """The cohort organizations under contract, with their phase, as (who, e-mail, password)."""
    from zgcfund.implementation.models import Contract

    out = []
    for contract in Contract.objects.select_related("application__organization").order_by("-amount", "application__pk"):
        app = contract.application
        i = _cohort_index(app.organization)
        if i is None:
            continue
        who = f"{app.organization.name}（{app.phase.staff_name}）"
        out.append((who, f"admin{i}@cohort-{9010 + i}.cn", f"Demo-cohort-{i}"))
    return out


def _cohort_index(org) -> int | None:
    for i in range(len(COHORT)):
        if org.credit_code == social_org_code(9010 + i):
            return i
    return None


def _submit(org, admin, records, seed: int):
    """An application filled with ``records``, with the sealed commitment, submitted."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zgcfund.applications.domain.evidence import store_commitment_scan
    from zgcfund.applications.domain.submission import content_version, submit_application

    application = application_for(org, admin)
    _fill(application, admin, records, seed=seed)
    application.refresh_from_db()
    commitment = store_commitment_scan(application, admin, SimpleUploadedFile("承诺书.png", _sealed_scan()))
    application.refresh_from_db()
    submit_application(application, admin, commitment_accepted=True, commitment=commitment,
                       opened_version=content_version(application))
    application.refresh_from_db()
    return application


def _fill(application, user, plan, seed: int) -> None:
    """Synthetic qualifying records per (clause, count, phase), imported through the editing service."""
    doc = build_document(application)
    rng = random.Random(seed)
    n = 0
    for clause, count, phase in plan:
        for _ in range(count):
            n += 1
            rec = make_record(rng, clause, applied_on=clock.today(), phase=phase, record_id=f"{clause}-{n:03d}")
            rec.pop("evidence", None)
            rec.pop("verified", None)
            doc["records"].append(rec)
    import_document(application, user, doc)
    _attach_evidence(application, user)


def _attach_evidence(application, user) -> None:
    """A small generated image for every required kind of material of every prior record (unique per
    record and kind: X-ONCE reads shared files as the same work)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    from zgcfund.applications.domain.evidence import store_evidence
    from zgcfund.applications.domain.materials import record_materials

    for record in application.records.filter(phase="prior").prefetch_related("evidence_files"):
        for slot in record_materials(application, record).missing:
            image = Image.new("RGB", (240, 160), "white")
            draw = ImageDraw.Draw(image)
            draw.rectangle((4, 4, 235, 155), outline=(31, 78, 156), width=3)
            draw.text((14, 20), f"{record.key}\n{slot.key}\n(demo)", fill=(31, 78, 156))
            out = io.BytesIO()
            image.save(out, "PNG")
            store_evidence(application, user, record, SimpleUploadedFile(f"{record.key}-{slot.key}.png", out.getvalue()),
                           slot.key)
            application.refresh_from_db()


def _sealed_scan() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (420, 594), "white")
    ImageDraw.Draw(image).ellipse((260, 430, 380, 550), outline=(190, 20, 30), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
