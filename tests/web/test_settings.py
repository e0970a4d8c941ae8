"""Settings from the environment; production settings pass ``check --deploy`` with no warning."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def django(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    # Only this test's settings: no ZGCFUND_*, DATABASE_URL or DJANGO_* (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ZGCFUND_", "DATABASE_URL", "DJANGO_"))}
    base.update(PYTHONPATH=str(SRC), DJANGO_SETTINGS_MODULE="zgcfund.web.settings", ZGCFUND_VAR_DIR=str(tmp_path / "var"))
    base.update(env)
    return subprocess.run([sys.executable, *args], env=base, capture_output=True, text=True, timeout=120, check=False)


def production(**extra: str) -> dict[str, str]:
    env = {"ZGCFUND_ENV": "production", "ZGCFUND_SECRET_KEY": secrets.token_urlsafe(50),
           "ZGCFUND_ALLOWED_HOSTS": "zgcfund.example.org"}
    env.update(extra)
    return env


def test_check_deploy_is_clean_in_production(tmp_path):
    result = django(["-m", "django", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = production()
    del env["ZGCFUND_SECRET_KEY"]
    result = django(["-m", "django", "check"], tmp_path, **env)
    assert result.returncode != 0
    assert "ZGCFUND_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    env = production()
    del env["ZGCFUND_ALLOWED_HOSTS"]
    result = django(["-m", "django", "check"], tmp_path, **env)
    assert result.returncode != 0
    assert "ZGCFUND_ALLOWED_HOSTS" in result.stderr


SHOW = ("import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.ALLOWED_HOSTS, "
        "s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.EMAIL_BACKEND, s.LANGUAGE_CODE, s.TIME_ZONE)")


def test_development_defaults(tmp_path):
    out = django(["-c", SHOW], tmp_path).stdout.split()
    assert out[0] == "True"
    assert out[1] == "django.db.backends.sqlite3"
    assert out[2] == str(tmp_path / "var" / "zgcfund.sqlite3")
    assert (tmp_path / "var").is_dir()
    assert out[-3:] == ["django.core.mail.backends.console.EmailBackend", "zh-hans", "Asia/Shanghai"]


def test_production_settings(tmp_path):
    result = django(["-c", SHOW], tmp_path, **production(DATABASE_URL="postgres://u:p@db.internal:5432/zgcfund",
                                                         ZGCFUND_ALLOWED_HOSTS="a.example.org, b.example.org"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql", "zgcfund",
                                     "['a.example.org',", "'b.example.org']", "True", "True",
                                     "django.core.mail.backends.smtp.EmailBackend", "zh-hans", "Asia/Shanghai"]


def test_production_refuses_a_mail_backend_that_prints_reset_links(tmp_path):
    for backend in ("console", "filebased", "locmem"):
        env = production(ZGCFUND_EMAIL_BACKEND=f"django.core.mail.backends.{backend}.EmailBackend")
        result = django(["-m", "django", "check"], tmp_path, **env)
        assert result.returncode != 0, backend
        assert "ZGCFUND_EMAIL_BACKEND" in result.stderr


def test_debug_is_refused_when_a_host_is_not_local(tmp_path):
    result = django(["-m", "django", "check"], tmp_path, ZGCFUND_ALLOWED_HOSTS="zgcfund.example.org")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr
    # the same host with DEBUG off is a valid (non-production) set-up; local hosts keep DEBUG
    assert django(["-m", "django", "check"], tmp_path, ZGCFUND_ALLOWED_HOSTS="zgcfund.example.org",
                  ZGCFUND_DEBUG="0").returncode == 0
    assert django(["-m", "django", "check"], tmp_path, ZGCFUND_ALLOWED_HOSTS="localhost,127.0.0.1").returncode == 0


SQLITE = ("import django; django.setup(); from django.db import connection as c; "
          "c.ensure_connection(); cur = c.cursor(); "
          "print(cur.execute('PRAGMA journal_mode').fetchone()[0], c.settings_dict['OPTIONS']['transaction_mode'], "
          "cur.execute('PRAGMA busy_timeout').fetchone()[0])")


def test_embedded_sqlite_is_set_up_for_several_writers(tmp_path):
    result = django(["-c", SQLITE], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE", "20000"]



SERVE = """
import json
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
call_command("load_programme", verbosity=0)
call_command("collectstatic", "--noinput", verbosity=0)
c = Client(HTTP_HOST="zgcfund.example.org")
home = c.get("/", secure=True)
css = home.content.decode().split('rel="stylesheet" href="')[1].split('"')[0]
plain = c.get("/")
print(json.dumps({"home": home.status_code, "hsts": home["Strict-Transport-Security"], "css": css,
                  "css_status": c.get(css, secure=True).status_code, "plain": [plain.status_code, plain["Location"]],
                  "health": c.get("/healthz").status_code}))
"""


def test_production_serves_collected_static_over_https_only(tmp_path):
    result = django(["-c", SERVE], tmp_path, **production(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                                                          ZGCFUND_STATIC_ROOT=str(tmp_path / "static")))
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["home"] == 200
    assert got["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert re.fullmatch(r"/static/zgcfund/css/site\.[0-9a-f]{12}\.css", got["css"]), got["css"]  # hashed by the manifest
    assert got["css_status"] == 200
    assert got["plain"] == [301, "https://zgcfund.example.org/"]
    assert got["health"] == 200  # load-balancer probes need no TLS
