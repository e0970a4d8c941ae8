"""The embedded SQLite database serves many users at once: 20 users of 20 organizations who create a
record at the same instant all succeed (no "database is locked", no 500, no lost input).

Runs in a subprocess against a real database file (the test database is in memory and shared, which
would not show the file locking a deployment meets)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
WRITERS = 20

SCRIPT = """
import datetime as dt, json, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
call_command("migrate", verbosity=0)
call_command("load_programme", verbosity=0)
from zgcfund.applications.domain.editing import application_for
from zgcfund.applications.models import Record
from zgcfund.devtools.people import create_organization, create_user
from zgcfund.programmes.domain import clock, current_programme_year
from zgcfund.programmes.models import ApplicationWindow

N = %(writers)d
year = current_programme_year()
now = clock.now()
ApplicationWindow.objects.create(code=year.code, opens_at=now - dt.timedelta(days=10), closes_at=now + dt.timedelta(days=20))
people = []
for i in range(N):
    org = create_organization(f"并发测试协会{i}")
    user = create_user(f"writer{i}@example.org", organization=org, full_name=f"填报人{i}")
    people.append((user, application_for(org, user)))
connection.close()

barrier = threading.Barrier(N)
results = [None] * N

def write(i):
    user, app = people[i]
    client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    client.force_login(user)
    data = {"phase": "prior", "date": "2025-03-02", "title": f"对接会{i}", "park": "海淀园", "participants": "85"}
    barrier.wait()
    try:
        response = client.post(f"/applications/{app.pk}/clauses/K3.1/records/new/", data, HTTP_HX_REQUEST="true")
        results[i] = response.status_code
    except Exception as exc:
        results[i] = repr(exc)
    finally:
        connections.close_all()

threads = [threading.Thread(target=write, args=(i,)) for i in range(N)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"statuses": results, "records": Record.objects.count(),
                  "titles": sorted(Record.objects.values_list("title", flat=True))}))
"""


def test_twenty_parallel_writers_from_different_organizations_all_succeed(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZGCFUND_", "DATABASE_URL", "DJANGO_"))}
    env.update(PYTHONPATH=str(SRC), DJANGO_SETTINGS_MODULE="zgcfund.web.settings", ZGCFUND_VAR_DIR=str(tmp_path / "var"),
               ZGCFUND_CLOCK_DATE="2025-09-20", ZGCFUND_CACHE_DIR=str(tmp_path / "cache"))
    result = subprocess.run([sys.executable, "-c", SCRIPT % {"writers": WRITERS}], env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["statuses"] == [200] * WRITERS, got["statuses"]
    assert got["records"] == WRITERS
    assert got["titles"] == sorted(f"对接会{i}" for i in range(WRITERS))
