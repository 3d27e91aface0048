"""Chunk health, sensor retention, compression by license, and the audit-log archive."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from mfgplatform.models import AuditLog
from mfgplatform.operations.audit_archive import archive_audit_log, read_archive, recover_pending_archives
from mfgplatform.operations.chunks import chunk_health, compress_old_sensor_chunks, drop_old_sensor_chunks

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def _insert_readings(*instants: dt.datetime) -> None:
    with connection.cursor() as cursor:
        for instant in instants:
            cursor.execute(
                "INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality) "
                "VALUES (%s, 1, 'temp', 1.0, 0)",
                [instant],
            )


def _sensor_times() -> list[dt.datetime]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT time FROM fact_sensor_event ORDER BY time")
        return [row[0] for row in cursor.fetchall()]


def test_chunk_health_reports_the_daily_interval_and_the_chunks():
    _insert_readings(NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=1), NOW)
    health = chunk_health()
    assert health.chunk_interval == dt.timedelta(days=1)
    assert health.chunk_count == 3
    assert health.oldest_chunk_start == dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    assert health.newest_chunk_end == dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
    assert health.is_healthy
    assert 0 < health.newest_chunk_index_bytes < health.index_budget_bytes


def test_retention_drops_whole_chunks_older_than_the_cutoff_and_counts_their_rows():
    keep = NOW - dt.timedelta(days=10)
    _insert_readings(NOW - dt.timedelta(days=500), NOW - dt.timedelta(days=500, hours=-1),
                     NOW - dt.timedelta(days=450), keep)
    outcome = drop_old_sensor_chunks(retention_days=400, now=NOW)
    assert outcome.cutoff == NOW - dt.timedelta(days=400)
    assert len(outcome.dropped_chunks) == 2
    assert outcome.dropped_rows == 3
    assert _sensor_times() == [keep]
    # Nothing left to drop: a second run is a no-op.
    again = drop_old_sensor_chunks(retention_days=400, now=NOW)
    assert (again.dropped_chunks, again.dropped_rows) == ((), 0)


def test_a_chunk_reaching_past_the_cutoff_is_kept_whole():
    # The chunk [cutoff day 00:00, +1 day) holds a reading after the cutoff: it stays, with its older row.
    cutoff = NOW - dt.timedelta(days=30)
    older_same_chunk = cutoff - dt.timedelta(hours=1)
    _insert_readings(older_same_chunk, cutoff + dt.timedelta(hours=1))
    outcome = drop_old_sensor_chunks(retention_days=30, now=NOW)
    assert outcome.dropped_rows == 0
    assert _sensor_times() == [older_same_chunk, cutoff + dt.timedelta(hours=1)]


def test_compression_is_skipped_with_a_reason_on_the_apache_edition():
    outcome = compress_old_sensor_chunks(after_days=7, now=NOW)
    assert outcome.compressed_chunks == ()
    assert outcome.skipped_reason == "TimescaleDB Apache edition: compression needs the Community license"


def test_retention_refuses_a_retention_below_one_day():
    with pytest.raises(ValueError, match="at least 1"):
        drop_old_sensor_chunks(retention_days=0)


def test_recovery_completes_a_committed_archive_and_discards_an_uncommitted_one(tmp_path):
    committed, orphan = "audit_log_000000000001-000000000002.jsonl.gz", "audit_log_000000000003-000000000004.jsonl.gz"
    (tmp_path / f"{committed}.pending").write_bytes(b"committed")
    (tmp_path / f"{orphan}.pending").write_bytes(b"orphan")
    AuditLog.objects.create(occurred_at=timezone.now(), action="audit.archived", payload={"file": committed})
    recovered, discarded = recover_pending_archives(tmp_path)
    assert (recovered, discarded) == ([committed], [orphan])
    assert sorted(path.name for path in tmp_path.iterdir()) == [committed]
    assert (tmp_path / committed).read_bytes() == b"committed"


def test_audit_log_rejects_deletes_outside_an_archive_run():
    event = AuditLog.objects.create(occurred_at=NOW, action="auth.login")
    with pytest.raises(Exception, match="audit_log is append-only"):
        AuditLog.objects.filter(pk=event.pk).delete()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_reference_data")
def test_archive_moves_old_events_to_gzip_jsonl_in_batches_and_records_itself(tmp_path):
    old = NOW - dt.timedelta(days=800)
    old_ids = [AuditLog.objects.create(occurred_at=old + dt.timedelta(seconds=i), action="export.completed",
                                       actor_label="carol", ip_address="10.0.0.7", payload={"n": i}).pk
               for i in range(5)]
    recent = AuditLog.objects.create(occurred_at=NOW - dt.timedelta(days=10), action="auth.login")

    outcome = archive_audit_log(retention_days=730, archive_dir=tmp_path, batch_size=2, now=NOW)

    assert outcome.rows == 5
    assert outcome.files == [
        f"audit_log_{old_ids[0]:012d}-{old_ids[1]:012d}.jsonl.gz",
        f"audit_log_{old_ids[2]:012d}-{old_ids[3]:012d}.jsonl.gz",
        f"audit_log_{old_ids[4]:012d}-{old_ids[4]:012d}.jsonl.gz",
    ]
    rows = [row for name in outcome.files for row in read_archive(tmp_path / name)]
    assert [row["id"] for row in rows] == old_ids
    assert rows[0] == {
        "id": old_ids[0], "occurred_at": old.isoformat(), "actor_id": None, "actor_label": "carol",
        "action": "export.completed", "object_type": "", "object_id": "", "ip_address": "10.0.0.7",
        "payload": {"n": 0},
    }
    # This test's events only: installing the test database may itself have recorded some (the roles).
    remaining = set(AuditLog.objects.filter(pk__gte=old_ids[0]).values_list("action", flat=True))
    assert remaining == {"auth.login", "audit.archived"}
    assert AuditLog.objects.filter(pk=recent.pk).exists()
    archived = AuditLog.objects.filter(action="audit.archived").order_by("id")
    assert [event.payload["rows"] for event in archived] == [2, 2, 1]
    assert [event.payload["file"] for event in archived] == outcome.files
