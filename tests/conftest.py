"""Fixtures shared by the web, browser and service tests: the loaded programme, organizations,
users, an open application window. Private files go to a per-test temporary directory."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest

from zgcfund.core.programme import Programme, load_programme

PASSWORD = "Passw0rd-test"


@pytest.fixture(scope="session")
def programme() -> Programme:
    return load_programme()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Password hashing is not under test here (the validators are); keep the suite fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_files(tmp_path, settings):
    """Evidence and PDFs of a test never land in var/."""
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage",
               "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None}}
    settings.PRIVATE_FILES_DIR = tmp_path / "private"
    settings.STORAGES = {**settings.STORAGES, "private": storage, "default": storage}


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Rate limits count in the cache, keyed by IDs that repeat from test to test: each test gets an empty
    in-memory cache (shared with a live server's thread), never var/cache."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture
def loaded(db, programme):
    """The packaged 2025 programme, stored as the current ProgrammeYear."""
    from zgcfund.programmes.domain import load_programme_year

    return load_programme_year(programme).row


@pytest.fixture(autouse=True)
def _default_language():
    """A request with ?language=en leaves English active in the thread; the next test starts in Chinese."""
    from django.utils import translation

    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def _programme_clock(settings):
    """Tests run on the 2025 programme as it was: the programme clock shows 2025-09-20."""
    settings.ZGCFUND_CLOCK_DATE = "2025-09-20"


# Tests marked ``any_hour`` run twice: at 02:30 Beijing time (18:30 UTC the day before, where a UTC date and
# a Beijing date differ) and at 14:30 (the same day in both). CI may run at any hour.
BEIJING_HOURS = ("02:30", "14:30")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("any_hour"):
        if "beijing_hour" not in metafunc.fixturenames:
            metafunc.fixturenames.append("beijing_hour")
        metafunc.parametrize("beijing_hour", BEIJING_HOURS, indirect=True, ids=lambda h: f"beijing-{h}")


@pytest.fixture
def beijing_hour(request):
    """Today's Beijing date at the given Beijing time, the clock ticking on from there."""
    import time_machine
    from django.utils import timezone

    hour, minute = map(int, request.param.split(":"))
    moment = dt.datetime.combine(timezone.localdate(), dt.time(hour, minute), tzinfo=timezone.get_default_timezone())
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture
def open_window(loaded):
    from zgcfund.programmes.domain import clock
    from zgcfund.programmes.models import ApplicationWindow

    now = clock.now()
    return ApplicationWindow.objects.create(code=loaded.code, opens_at=now - dt.timedelta(days=10),
                                            closes_at=now + dt.timedelta(days=20))


@pytest.fixture
def make_org(db):
    from zgcfund.devtools.people import create_organization

    return create_organization


@pytest.fixture
def make_user(db):
    from zgcfund.devtools.people import create_user

    def make(email, **kwargs):
        return create_user(email, PASSWORD, **kwargs)
    return make


@pytest.fixture
def org(make_org):
    return make_org("北京市中关村人工智能产业协会")


@pytest.fixture
def other_org(make_org):
    return make_org("北京其他科技协会")


@pytest.fixture
def applicant(make_user, org):
    return make_user("admin@ai-assoc.example", organization=org, full_name="王管理")


@pytest.fixture
def other_applicant(make_user, other_org):
    return make_user("someone@other.example", organization=other_org, full_name="李他人")


@pytest.fixture
def office_user(make_user):
    from zgcfund.accounts.models.user import Role

    return make_user("office@zgc.example", role=Role.OFFICE, full_name="赵办公室")


@pytest.fixture
def application(loaded, org, applicant):
    from zgcfund.applications.domain.editing import application_for

    return application_for(org, applicant)


# --- browser (Playwright sync API driving Debian's Chromium; `make test` installs it) -----------

# Playwright's sync API runs an event loop in the test thread; Django's ORM would refuse to run there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: run `make test` (installs Debian's chromium and fonts-noto-cjk)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS




@pytest.fixture
def submitted_application(application, applicant, open_window):
    """``application`` with one counted K3.1 record and the sealed commitment, submitted once (the
    申报书 PDF stood in: tests of the PDF itself render it)."""
    import io
    from unittest import mock

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from zgcfund.applications.domain import submission
    from zgcfund.applications.domain.editing import save_record
    from zgcfund.applications.domain.evidence import store_commitment_scan

    save_record(application, applicant, "K3.1", {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会",
                                                  "park": "海淀园", "participants": 85})
    buf = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buf, "PNG")
    application.refresh_from_db()
    commitment = store_commitment_scan(application, applicant, SimpleUploadedFile("承诺书.png", buf.getvalue()))
    application.refresh_from_db()
    with mock.patch.object(submission, "_render_pdf", lambda *args, **kwargs: b"%PDF-1.4\n%stand-in\n"):
        submission.submit_application(application, applicant, commitment_accepted=True, commitment=commitment,
                                      opened_version=submission.content_version(application))
    application.refresh_from_db()
    return application
