"""Fault drills on real parts: database sessions killed with pg_terminate_backend mid-load, mid-batch and
mid-refresh, a worker SIGKILLed mid-job, a web process SIGKILLed while it checks an upload, Redis stopped
under the web app.

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
import urllib.parse
import urllib.request

import pytest

from mfgplatform.models import AuditLog, IngestToken
from production.models import FactProduction
from tests.ops.conftest import (
    keep_reference_data,  # noqa: F401 (module fixture, used by pytestmark)
    production_events,
)

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
    return production_events("drill", UNIT, PRODUCT, dt.datetime.combine(DAY, dt.time(6), tzinfo=dt.UTC), count)


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


# --- Redis stopped under the web app ---------------------------------------------------------------------


class Browser:
    """A staff user's session over real HTTP (cookies, CSRF), without a browser."""

    def __init__(self, base: str):
        import http.cookiejar

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, path, error.read().decode(errors="replace")

    def _csrf(self, html: str) -> str:
        import re

        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def login(self, username: str, password: str) -> None:
        _, _, page = self.get("/admin/login/")
        body = urllib.parse.urlencode({"username": username, "password": password, "next": "/admin/",
                                       "csrfmiddlewaretoken": self._csrf(page)}).encode()
        with self.opener.open(urllib.request.Request(self.base + "/admin/login/", data=body), timeout=60) as response:
            assert response.geturl().endswith("/admin/"), "login failed"

    def upload(self, path: str, file_name: str, content: bytes) -> tuple[int, str, str]:
        _, _, page = self.get(path)
        boundary = "drill-boundary"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{self._csrf(page)}\r\n',
            f'--{boundary}\r\nContent-Disposition: form-data; name="reason"\r\n\r\ndrill\r\n',
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            "Content-Type: text/csv\r\n\r\n",
        ]
        body = "".join(parts).encode() + content + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.base + path, data=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, path, error.read().decode(errors="replace")


def _fast_recovery_schedule(every_seconds: int = 2) -> None:
    """Install the schedules, with the recovery job retimed as an operator could (every few seconds)."""
    from io import StringIO

    from django.core.management import call_command
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    call_command("schedule_jobs", stdout=StringIO())
    PeriodicTask.objects.exclude(name="recover-lost-work").update(enabled=False)
    entry = PeriodicTask.objects.get(name="recover-lost-work")
    entry.crontab = None
    entry.interval = IntervalSchedule.objects.create(every=every_seconds, period=IntervalSchedule.SECONDS)
    entry.save()


def test_import_uploaded_while_redis_is_down_waits_visibly_and_runs_when_redis_is_back(
        drill_plant, platform, private_redis, django_user_model):
    from mfgplatform.models import ImportJob, ImportStatus
    from production.models import Product

    from .conftest import wait_until

    django_user_model.objects.create_superuser("drill-admin", "drill@example.com", "drill-password-1")
    _fast_recovery_schedule()
    base = platform.web(IMPORT_BACKGROUND_THRESHOLD_BYTES="10")  # every upload goes to the background
    browser = Browser(base)
    browser.login("drill-admin", "drill-password-1")

    private_redis.stop()
    csv = (b"code,name,description,product_family,unit,default_pri_seconds,defect_opportunities_per_unit,"
           b"is_active\nDRILL-NEW-1,Drill cap,,,PCE,5,1,1\nDRILL-NEW-2,Drill lid,,,PCE,6,1,1\n")
    status, job_url, page = browser.upload("/admin/production/product/import/", "products.csv", csv)
    assert status == 200, page[-2000:]  # followed the redirect to the job page: no server error
    assert "/import/" in job_url
    assert "Waiting for the message broker" in page
    [job] = ImportJob.objects.all()
    assert (job.status, job.dispatched_at) == (ImportStatus.PREVIEWING, None)
    # The job page keeps answering while the cache (the same Redis) is away.
    status, _, page = browser.get(job_url.removeprefix(base))
    assert status == 200
    assert 'data-status="previewing"' in page

    # Redis comes back; the worker and beat (started now, as a supervisor restarts them) recover the job.
    private_redis.start()
    platform.worker()
    platform.beat()
    wait_until(lambda: ImportJob.objects.filter(status=ImportStatus.PREVIEWED).exists(), timeout=90,
               what="the kept job to be previewed by a worker")
    job.refresh_from_db()
    assert job.dispatched_at is not None
    assert job.attempts == 1
    assert AuditLog.objects.filter(action="import.started", object_id=str(job.pk)).count() == 1
    assert not Product.objects.filter(code__startswith="DRILL-NEW").exists()  # a preview writes nothing


# --- a worker killed mid-job -------------------------------------------------------------------------------


def test_worker_killed_mid_job_shows_as_lost_is_audited_and_the_job_comes_back(
        drill_plant, platform, table_lock, settings, monkeypatch):
    import os
    import signal
    from pathlib import Path

    from celery import Celery
    from django_celery_results.models import TaskResult

    from mfgplatform.operations.admin import operations_status
    from mfgplatform.operations.lost_work import record_lost_runs

    from .conftest import wait_until

    settings.JOB_LOST_AFTER_SECONDS = 1
    # The purge waits behind this lock; the whole worker (main process and child) dies there, as on host loss.
    lock = table_lock("ingest_event_receipt", "SHARE")
    worker = platform.worker()
    # Celery reads CELERY_BROKER_URL from the environment before any broker given in code.
    monkeypatch.setenv("CELERY_BROKER_URL", platform.redis.url)
    sent = Celery("drill-sender", broker=platform.redis.url).send_task("mfgplatform.purge_ingest_receipts")
    wait_until(lambda: TaskResult.objects.filter(task_id=sent.id, status="STARTED").exists(), timeout=60,
               what=f"the job to start\n{platform.logs()[-1500:]}")
    kill_when("drill-worker", query_like="DELETE FROM ingest_event_receipt%", waiting_on_lock=True, terminate_it=False)
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    for pid in [worker.pid, *map(int, children)]:
        os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=10)
    lock.release()

    # The status page shows the run as lost once its lock is gone, without any worker to tell it.
    from mfgplatform.operations.jobs import lock_is_held

    lost = wait_until(lambda: operations_status()["lost_runs"]["rows"], timeout=30, what=lambda: (
        f"lost: {list(TaskResult.objects.values_list('status', 'date_started', 'date_created'))} "
        f"{lock_is_held('purge_ingest_receipts')} {operations_status()['lost_runs']}"))
    assert [(run.task_id, run.job) for run in lost] == [(sent.id, "purge_ingest_receipts")]
    # The recovery job records it once; the killed attempt's own start is in the audit log.
    assert [run.task_id for run in record_lost_runs()] == [sent.id]
    assert record_lost_runs() == []
    [started] = AuditLog.objects.filter(action="job.purge_ingest_receipts.started")
    [lost_event] = AuditLog.objects.filter(action="job.purge_ingest_receipts.lost")
    assert started.object_id == lost_event.object_id == sent.id
    assert [event.action for event in operations_status()["failures"]] == ["job.purge_ingest_receipts.lost"]
    assert TaskResult.objects.get(task_id=sent.id).status == "FAILURE"

    # A worker comes back (its supervisor restarts it) and the next scheduled run goes ahead: the dead
    # run left no lock behind.
    platform.worker()
    again = Celery("drill-sender", broker=platform.redis.url).send_task("mfgplatform.purge_ingest_receipts")
    wait_until(lambda: TaskResult.objects.filter(task_id=again.id, status="SUCCESS").exists(), timeout=90,
               what="the next run to succeed")
    [succeeded] = AuditLog.objects.filter(action="job.purge_ingest_receipts.succeeded")
    assert succeeded.object_id == again.id


# --- a web process killed while it checks an upload ---------------------------------------------------------


def test_import_preview_killed_with_its_web_process_is_handed_to_a_worker(
        drill_plant, platform, table_lock, django_user_model):
    import os
    import signal
    from pathlib import Path

    from mfgplatform.models import ImportJob, ImportStatus
    from production.models import Product

    from .conftest import sessions_of, wait_until

    django_user_model.objects.create_superuser("drill-admin", "drill@example.com", "drill-password-1")
    _fast_recovery_schedule()
    base = platform.web()  # small files are checked inside the request
    master = platform.processes[-1][0]
    browser = Browser(base)
    browser.login("drill-admin", "drill-password-1")

    # The preview's rolled-back insert waits behind this lock; the web process dies there.
    lock = table_lock("dim_product", "SHARE")
    csv = (b"code,name,description,product_family,unit,default_pri_seconds,defect_opportunities_per_unit,"
           b"is_active\nDRILL-NEW-1,Drill cap,,,PCE,5,1,1\nDRILL-NEW-2,Drill lid,,,PCE,6,1,1\n")
    answer: dict = {}

    def upload() -> None:
        try:
            answer["response"] = browser.upload("/admin/production/product/import/", "products.csv", csv)
        except OSError as error:  # the connection dies with the process
            answer["error"] = error

    uploader = threading.Thread(target=upload)
    uploader.start()
    kill_when("drill-web", query_like="%INSERT INTO%dim_product%", waiting_on_lock=True, terminate_it=False)
    for pid in map(int, Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()):
        os.kill(pid, signal.SIGKILL)  # gunicorn starts new workers; the request is lost
    uploader.join(timeout=60)
    assert "error" in answer or answer["response"][0] >= 500, answer
    lock.release()
    # PostgreSQL ends the dead client's session (and frees the job's lock) once it notices.
    wait_until(lambda: not sessions_of("drill-web", query_like="%dim_product%"), timeout=30,
               what="the killed request's session to end")

    [job] = ImportJob.objects.all()
    assert (job.status, job.in_background, job.dispatched_at, job.attempts) == (
        ImportStatus.PREVIEWING, False, None, 1)
    assert AuditLog.objects.filter(action="import.started", object_id=str(job.pk)).count() == 1
    # The job page (served by a new web worker) says what is going on instead of a bare "previewing".
    job_path = f"/admin/production/product/import/{job.pk}/"
    status, _, page = wait_until(lambda: (r := browser.get(job_path))[0] == 200 and r, timeout=60,
                                 what="the web app to answer again")
    assert 'data-status="previewing"' in page
    assert "Being checked by the web server" in page

    # recover-lost-work sees the job's lock free and hands it to a worker, which checks the file.
    platform.worker(IMPORT_LOST_AFTER_SECONDS="2")
    platform.beat()
    wait_until(lambda: ImportJob.objects.filter(status=ImportStatus.PREVIEWED).exists(), timeout=90,
               what=f"the lost preview to be run by a worker\n{platform.logs()[-3000:]}")
    job.refresh_from_db()
    assert job.dispatched_at is not None
    assert job.attempts == 2
    assert job.counts["new"] == 2
    assert AuditLog.objects.filter(action="import.started", object_id=str(job.pk)).count() == 2
    assert not Product.objects.filter(code__startswith="DRILL-NEW").exists()  # a preview writes nothing
    status, _, page = browser.get(job_path)
    assert 'data-status="previewed"' in page


# --- a view refresh whose connection is killed ---------------------------------------------------------------


def _run_job(*arguments: str, application_name: str = "drill-refresh") -> subprocess.CompletedProcess:
    env = {**__import__("os").environ, "DATABASE_URL": app_database_url(application_name), "CONN_MAX_AGE": "0"}
    return subprocess.run([sys.executable, "manage.py", "run_job", *arguments], cwd=ROOT, env=env,
                          capture_output=True, timeout=300, check=False)


def _differences_from_facts(view: str) -> int:
    """Rows of the materialized view that its own query over the facts does not give now, and the other
    way round (as multisets)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_viewdef(%s::regclass)", [view])
        query = cursor.fetchone()[0].strip().rstrip(";")
        cursor.execute(f"SELECT count(*) FROM ((TABLE {view} EXCEPT ALL ({query})) "  # noqa: S608 (registered)
                       f"UNION ALL (({query}) EXCEPT ALL TABLE {view})) AS differences")
        return cursor.fetchone()[0]


def test_refresh_with_its_connection_killed_keeps_the_views_readable_flags_stale_and_recovers(
        drill_plant, tmp_path, table_lock, client, django_user_model):
    import psycopg

    from mfgplatform.aggregates.registry import MaterializedView, refresh_plan, refresh_views
    from mfgplatform.kpi import compute_kpis
    from mfgplatform.models import MaterializedViewRefresh, RefreshOutcome

    from .conftest import database_url

    family = ["oee", "availability", "effectiveness", "quality_ratio"]
    path = tmp_path / "production.csv"
    path.write_bytes(_production_csv(RUNS // 2))
    assert _load_facts("production", str(path)).wait(timeout=120) == 0
    assert all(entry.outcome == RefreshOutcome.SUCCESS for entry in refresh_views(triggered_by="drill"))
    client.force_login(django_user_model.objects.create_superuser("drill-admin", "drill@example.com", "x-Pass-1"))
    page = f"/workbench/?start={DAY}&end={DAY}"
    assert 'data-freshness="current"' in client.get(page).content.decode()
    # The rest of the day's runs arrive; the views are behind the facts until the next pass.
    later = _production_csv(RUNS).decode().splitlines()
    path.write_text("\n".join([later[0], *later[RUNS // 2 + 1:]]) + "\n")
    assert _load_facts("production", str(path)).wait(timeout=120) == 0

    # The first aggregate the page reads that a pass refreshes waits behind a lock; its session dies there.
    from mfgplatform.kpi.freshness import recording_view_reads

    with recording_view_reads() as read:
        before = compute_kpis(family, start=DAY, end=DAY)
    victim = next(view.name for view in refresh_plan() if view.name in read)
    with psycopg.connect(database_url()) as reader:
        rows_before = reader.execute(f"SELECT count(*) FROM {victim}").fetchone()[0]  # noqa: S608
    lock = table_lock(victim, "SHARE")
    env = {**__import__("os").environ, "DATABASE_URL": app_database_url("drill-refresh"), "CONN_MAX_AGE": "0"}
    job = subprocess.Popen([sys.executable, "manage.py", "run_job", "refresh_views", "--kwargs", '{"force": true}'],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    kill_when("drill-refresh", query_like="%", waiting_on_lock=True)
    # Readers are never blocked, not even while the refresh waits for its lock.
    with psycopg.connect(database_url(), autocommit=True) as reader:
        reader.execute("SET lock_timeout = '2s'")
        assert reader.execute(f"SELECT count(*) FROM {victim}").fetchone()[0] == rows_before  # noqa: S608
    lock.release()
    _, stderr = job.communicate(timeout=300)

    # The run: exit 75 with the cause; the view's failure logged with it; the audit event too.
    assert job.returncode == 75, stderr.decode()
    assert "job refresh_views stopped: the database connection was lost; nothing was written; retry" in stderr.decode()
    failure = MaterializedViewRefresh.objects.filter(view_name=victim).latest("started_at")
    assert failure.outcome == RefreshOutcome.FAILED
    assert failure.error.startswith("the database connection was lost: terminating connection")
    [audited] = AuditLog.objects.filter(action="job.refresh_views.failed")
    assert audited.payload["error"].startswith(
        "ViewRefreshInterrupted: the view refresh pass stopped: the database connection was lost")
    # The views kept their last good contents: the answer is the one before the new facts, now flagged.
    after = compute_kpis(family, start=DAY, end=DAY)
    assert [r.value for r in after] == [r.value for r in before]
    assert all(r.stale and f"the last refresh of {victim} failed" in r.stale_reason for r in after)
    html = client.get(page).content.decode()
    assert 'data-freshness="stale"' in html
    assert f"the last refresh of {victim} failed" in html

    # The next pass (the job's retry, or the next schedule) rebuilds from the facts: 0 differences.
    rerun = _run_job("refresh_views")
    assert rerun.returncode == 0, rerun.stderr.decode()
    for view in refresh_plan():
        if isinstance(view, MaterializedView):
            assert _differences_from_facts(view.name) == 0, view.name
    from_facts = compute_kpis(family, start=DAY, end=DAY, from_facts=True)
    fresh = compute_kpis(family, start=DAY, end=DAY)
    assert [r.value for r in fresh] == pytest.approx([r.value for r in from_facts], rel=1e-12)
    assert [r.elements for r in fresh] == [r.elements for r in from_facts]
    assert [r.value for r in fresh] != [r.value for r in before]  # the new facts are in
    assert not any(r.stale for r in fresh)
    assert 'data-freshness="current"' in client.get(page).content.decode()
