"""Fault drills on real parts: database sessions killed with pg_terminate_backend mid-load, mid-batch and
mid-refresh, a worker SIGKILLed mid-job, Redis stopped under the web app.

Each drill asserts what the user is told, what the audit log keeps, that nothing is partial or
duplicated, and that the platform recovers without restarting anything else. The processes under
test are subprocesses (gunicorn, celery, manage.py) on the test database, tagged with an
application_name so that only their sessions are killed; Redis is a private redis-server.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from mfgplatform.models import AuditLog, IngestToken
from production.models import FactProduction
from tests.ops.conftest import keep_reference_data  # noqa: F401 (module fixture, used by pytestmark)

from .conftest import DAY, PRODUCT, ROOT, UNIT, app_database_url, kill_when

pytestmark = [
    pytest.mark.drill,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("keep_reference_data"),
]

RUNS = 600  # one-minute production runs from 06:00 on DAY


def _production_csv(runs: int = RUNS) -> bytes:
    start = dt.datetime.combine(DAY, dt.time(6), tzinfo=dt.UTC)
    lines = ["equipment,product,started_at,ended_at,produced_qty,good_qty,scrap_qty,rework_qty"]
    for minute in range(runs):
        begin = start + dt.timedelta(minutes=minute)
        end = begin + dt.timedelta(minutes=1)
        lines.append(f"{UNIT},{PRODUCT},{begin.isoformat()},{end.isoformat()},15,14,1,0")
    return ("\n".join(lines) + "\n").encode()


def _load_facts(*arguments: str, application_name: str = "drill-load", **popen) -> subprocess.Popen:
    env = {**__import__("os").environ, "DATABASE_URL": app_database_url(application_name), "CONN_MAX_AGE": "0"}
    return subprocess.Popen([sys.executable, "manage.py", "load_facts", *arguments], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def _failed_loads() -> list[AuditLog]:
    return list(AuditLog.objects.filter(action="ingest.failed").order_by("id"))


def _assert_lost_connection_reported(process: subprocess.Popen, stderr: bytes) -> None:
    message = stderr.decode()
    assert process.returncode == 75, message  # EX_TEMPFAIL: retry, unlike 1 for a rejected file
    assert "the database connection was lost; nothing was written; retry" in message
    assert "malformed" not in message
    assert "Traceback" not in message


def test_load_killed_mid_copy_blames_the_connection_keeps_nothing_and_reloads_once(drill_plant, tmp_path):
    data = _production_csv()
    half = data.index(b"\n", len(data) // 2) + 1
    load = _load_facts("production", "-", stdin=subprocess.PIPE)
    load.stdin.write(data[:half])
    load.stdin.flush()
    # The COPY has begun and waits for the rest of the file: kill its session there.
    kill_when("drill-load", query_like="COPY staging%")
    load.stdin.write(data[half:])
    _, stderr = load.communicate(timeout=60)

    _assert_lost_connection_reported(load, stderr)
    assert FactProduction.objects.count() == 0
    [failed] = _failed_loads()
    assert failed.payload["cause"] == "connection_lost"
    assert failed.payload["fact"] == "production"
    assert failed.actor_label == "load_facts"

    path = tmp_path / "production.csv"
    path.write_bytes(data)
    rerun = _load_facts("production", str(path))
    stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr.decode()
    assert stdout.decode().startswith(f"Loaded {RUNS} production rows")
    assert FactProduction.objects.count() == RUNS


def test_load_killed_mid_insert_reports_the_true_cause_and_reloads_once(drill_plant, tmp_path, table_lock):
    path = tmp_path / "production.csv"
    path.write_bytes(_production_csv())
    # The insert waits behind this lock; that is where its session dies.
    lock = table_lock("fact_production", "SHARE")
    load = _load_facts("production", str(path))
    kill_when("drill-load", query_like="%INSERT INTO fact_production%", waiting_on_lock=True)
    lock.release()
    _, stderr = load.communicate(timeout=60)

    _assert_lost_connection_reported(load, stderr)
    assert FactProduction.objects.count() == 0
    [failed] = _failed_loads()
    assert (failed.payload["cause"], failed.payload["sqlstate"]) == ("connection_lost", "57P01")
    assert failed.payload["staged"] == RUNS  # it got as far as the move

    rerun = _load_facts("production", str(path))
    _, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr.decode()
    assert FactProduction.objects.count() == RUNS


# --- the ingest API -----------------------------------------------------------------------------------------


def _batch(count: int) -> dict:
    start = dt.datetime.combine(DAY, dt.time(6), tzinfo=dt.UTC)
    return {"events": [
        {"event_id": f"drill-{n}", "kind": "production", "equipment": UNIT, "product": PRODUCT,
         "started_at": (start + dt.timedelta(minutes=n)).isoformat(),
         "ended_at": (start + dt.timedelta(minutes=n + 1)).isoformat(), "produced_qty": 15, "good_qty": 15}
        for n in range(count)
    ]}


def _post(url: str, token: str, body: dict) -> tuple[int, dict[str, str], dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (the test's own server)
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_api_batch_cut_by_a_killed_connection_is_503_and_lands_once_when_resent(drill_plant, platform, table_lock):
    _, token = IngestToken.issue("drill-gateway")
    base = platform.web()
    url = f"{base}/api/ingest/v1/events"
    batch = _batch(200)

    lock = table_lock("fact_production", "SHARE")
    answer: dict = {}
    sender = threading.Thread(target=lambda: answer.update(response=_post(url, token, batch)))
    sender.start()
    kill_when("drill-web", query_like="%INSERT INTO fact_production%", waiting_on_lock=True)
    lock.release()
    sender.join(timeout=60)

    status, headers, problem = answer["response"]
    assert status == 503, problem
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["Retry-After"] == "5"
    assert problem["cause"] == "connection_lost"
    assert problem["retryable"] is True
    assert problem["detail"].startswith("the database connection was lost; nothing was written; retry")
    assert FactProduction.objects.count() == 0
    [failed] = _failed_loads()
    assert failed.payload["cause"] == "connection_lost"

    # The client resends the same batch: it lands once; a second resend changes nothing.
    status, _, result = _post(url, token, batch)
    assert (status, result["accepted"], result["duplicates"]) == (200, 200, 0)
    status, _, result = _post(url, token, batch)
    assert (status, result["accepted"], result["duplicates"]) == (200, 0, 200)
    assert FactProduction.objects.count() == 200
