"""Fault drill: the database server's disk is full (ENOSPC, SQLSTATE 53100) under a `load_facts` and an
ingest API batch: the callers are told to retry later, nothing partial is written, the failed attempt is
audited with its cause, reads keep working, and once space is freed the retry lands everything once.

The disk that fills is real: a tmpfs of a few megabytes mounted as a tablespace of a throwaway cluster (the
one of the server-kill drill, tests/ops/test_server_kill_drill.py), `fact_production` moved onto it and
the rest of the filesystem taken by a file. The shared development server is never touched. Needs root
(mount, chroot); skipped elsewhere.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.test_server_kill_drill import (  # noqa: F401 (server is the module's throwaway cluster)
    DAY,
    PRODUCT,
    TSDB_ROOT,
    UNIT,
    PrivateServer,
    _answers,
    _env,
    _manage,
    _post,
    _production_csv,
    production_batch,
    server,
    web_app,
)

from .conftest import ROOT

# django_db: the throwaway cluster is restored from the test database, which is set up only for a run that
# holds a database test (this module alone, too).
pytestmark = [pytest.mark.drill, pytest.mark.slow, pytest.mark.django_db]
RUNS = 300
TABLESPACE = "drill_small_disk"


class SmallDisk:
    """A tmpfs of `size` mounted inside the cluster's root, as a tablespace the cluster can write to."""

    def __init__(self, cluster: PrivateServer, size: str = "4m"):
        self.cluster = cluster
        self.path_in_root = f"/tmp/mfg-small-disk-{uuid.uuid4().hex[:8]}"
        self.mount_point = TSDB_ROOT / self.path_in_root.lstrip("/")
        self.mount_point.mkdir()
        passwd = (TSDB_ROOT / "etc/passwd").read_text().splitlines()
        uid, gid = next(line.split(":")[2:4] for line in passwd if line.startswith("postgres:"))
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700,uid={uid},gid={gid}", "tmpfs",
                        str(self.mount_point)], check=True)
        self.filler = self.mount_point / "filler"

    def fill(self) -> None:
        """Take every free byte, as other data would."""
        with self.filler.open("ab") as out:
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError:
                pass  # ENOSPC: full

    def free(self) -> None:
        self.filler.unlink()

    def remove(self) -> None:
        # Lazy: the cluster may still hold files open there until it stops.
        subprocess.run(["umount", "-l", str(self.mount_point)], check=False)
        self.mount_point.rmdir()


@pytest.fixture
def small_disk(server) -> Iterator[SmallDisk]:  # noqa: F811
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    disk = SmallDisk(server)
    with server.target().connect(autocommit=True) as conn:
        conn.execute(f"CREATE TABLESPACE {TABLESPACE} LOCATION '{disk.path_in_root}'")
        conn.execute(f"ALTER TABLE fact_production SET TABLESPACE {TABLESPACE}")
    try:
        yield disk
    finally:
        with server.target().connect(autocommit=True) as conn:
            conn.execute("ALTER TABLE fact_production SET TABLESPACE pg_default")
            conn.execute(f"DROP TABLESPACE {TABLESPACE}")
        disk.remove()


def _last_failure(cluster: PrivateServer) -> dict:
    return cluster.scalar("SELECT payload FROM audit_log WHERE action = 'ingest.failed' ORDER BY id DESC LIMIT 1")


def test_disk_full_is_a_retry_later_for_loads_and_batches_and_both_land_once_after_space_is_freed(
        server, small_disk, tmp_path):  # noqa: F811
    path = tmp_path / "production.csv"
    path.write_bytes(_production_csv(RUNS))
    before = server.scalar("SELECT count(*) FROM fact_production")
    small_disk.fill()

    # load_facts: exit 75 (retry later), the cause named, nothing written, the attempt audited.
    load = subprocess.run([sys.executable, "manage.py", "load_facts", "production", str(path)], cwd=ROOT,
                          env=_env(server, "full-load"), capture_output=True, text=True, timeout=300)
    assert load.returncode == 75, load.stderr
    assert "the database server's disk is full; nothing was written; retry" in load.stderr
    assert "Traceback" not in load.stderr
    assert server.scalar("SELECT count(*) FROM fact_production") == before
    failure = _last_failure(server)
    assert (failure["cause"], failure["sqlstate"], failure["fact"]) == ("disk_full", "53100", "production")

    # The ingest API under gunicorn: 503 problem+json, Retry-After 300, retryable; nothing written.
    log = tmp_path / "web.log"
    with web_app(server, "full-web", log) as (base, token):
        batch = production_batch("full")
        status, problem = _post(f"{base}/api/ingest/v1/events", token, batch)
        assert status == 503, (problem, log.read_text(errors="replace")[-2000:])
        assert (problem["cause"], problem["retryable"]) == ("disk_full", True)
        assert problem["detail"].startswith("the database server's disk is full; nothing was written; retry")
        assert server.scalar("SELECT count(*) FROM fact_production") == before
        assert _last_failure(server)["cause"] == "disk_full"
        # Reads keep working while the disk is full.
        assert _answers(f"{base}/api/ingest/v1/openapi.json")
        assert server.scalar("SELECT count(*) FROM fact_production") == before

        # Space is freed: the resent batch and the rerun load land once, without restarting anything.
        small_disk.free()
        status, result = _post(f"{base}/api/ingest/v1/events", token, batch)
        assert (status, result["accepted"], result["duplicates"]) == (200, 100, 0), result
        status, result = _post(f"{base}/api/ingest/v1/events", token, batch)
        assert (status, result["accepted"], result["duplicates"]) == (200, 0, 100), result
    rerun = subprocess.run([sys.executable, "manage.py", "load_facts", "production", str(path)], cwd=ROOT,
                           env=_env(server, "full-load"), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert server.scalar("SELECT count(*) FROM fact_production") == before + RUNS + 100


def test_the_small_disk_is_really_full(server, small_disk):  # noqa: F811
    """The drill's premise: with the filler in place, the cluster cannot extend a table on that disk."""
    import psycopg

    small_disk.fill()
    with server.target().connect(autocommit=True) as conn, pytest.raises(psycopg.errors.DiskFull):
        conn.execute(f"CREATE TABLE drill_probe TABLESPACE {TABLESPACE} AS SELECT generate_series(1, 100000) AS n")
    assert Path(small_disk.filler).stat().st_size > 0
