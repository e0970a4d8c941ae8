"""Demo data for `make run`: an office user, an approved organization with a half-filled
application, a pending organization, and an open application window. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.core.management.base import BaseCommand
from django.db import transaction

from zgcfund.accounts.models import Organization, User
from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain.document import build_document
from zgcfund.applications.domain.editing import application_for, import_document
from zgcfund.devtools.people import create_organization, create_user, social_org_code
from zgcfund.devtools.synthetic import make_record
from zgcfund.programmes.domain import clock, current_programme_year
from zgcfund.programmes.models import ApplicationWindow

OFFICE = ("office@demo.zgcfund.cn", "Demo-office-2025", "赵办公室")
APPLICANT = ("admin@demo-assoc.cn", "Demo-applicant-2025", "王申报")
EDITOR = ("editor@demo-assoc.cn", "Demo-editor-2025", "刘填报")
PENDING = ("admin@pending-assoc.cn", "Demo-pending-2025", "陈待审")
EXPERT = ("expert@demo.zgcfund.cn", "Demo-expert-2025", "孙专家")
SUBMITTED = ("admin@demo-alliance.cn", "Demo-alliance-2025", "周联盟")
LOGINS = [("项目办公室", OFFICE), ("申报单位管理员", APPLICANT), ("申报单位填报人", EDITOR), ("待审核单位", PENDING),
          ("评审专家", EXPERT), ("已提交单位", SUBMITTED)]

# An application that went through submission and formal review, assigned to the demo expert.
SUBMITTED_RECORDS = [("K1.1", 55, "prior"), ("K3.1", 3, "prior"), ("K4.1", 1, "prior"), ("P1", 2, "prior"),
                     ("P5", 1, "prior"), ("P7", 2, "prior")]

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
        with transaction.atomic():
            self._load(row)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
        if options["print_logins"]:
            self.stdout.write("\n  Demo logins (e-mail / password):")
            for who, (email, password, _name) in LOGINS:
                self.stdout.write(f"    {who:<10}{email:<26}{password}")
            self.stdout.write("")

    def _load(self, row):
        now = clock.now()
        ApplicationWindow.objects.get_or_create(code=row.code, defaults={
            "opens_at": now - dt.timedelta(days=10), "closes_at": now + dt.timedelta(days=20)})
        if not User.objects.filter(email=OFFICE[0]).exists():
            create_user(OFFICE[0], OFFICE[1], role=Role.OFFICE, full_name=OFFICE[2])
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

    def _submitted_application(self):
        """Filled, submitted, passed formal review, assigned to the demo expert."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from zgcfund.applications.domain.evidence import store_commitment_scan
        from zgcfund.applications.domain.submission import content_version, submit_application
        from zgcfund.review.domain.expert import assign
        from zgcfund.review.domain.formal import decide

        org = create_organization("北京中关村智能制造产业技术联盟", credit_code=social_org_code(9003))
        admin = create_user(SUBMITTED[0], SUBMITTED[1], full_name=SUBMITTED[2], organization=org)
        application = application_for(org, admin)
        _fill(application, admin, SUBMITTED_RECORDS, seed=2026)
        application.refresh_from_db()
        commitment = store_commitment_scan(application, admin, SimpleUploadedFile("承诺书.png", _sealed_scan()))
        application.refresh_from_db()
        submit_application(application, admin, commitment_accepted=True, commitment=commitment,
                           opened_version=content_version(application))
        office = User.objects.get(email=OFFICE[0])
        decide(application, office, "passed", "材料齐全（演示数据）", {})
        assign(application, [User.objects.get(email=EXPERT[0])], office)


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


def _sealed_scan() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (420, 594), "white")
    ImageDraw.Draw(image).ellipse((260, 430, 380, 550), outline=(190, 20, 30), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
