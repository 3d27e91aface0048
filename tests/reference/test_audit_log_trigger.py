"""audit_log is append-only in the database (mfgplatform 0005)."""

import datetime as dt

import pytest
from django.db import ProgrammingError, connection, transaction

from mfgplatform.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditLog:
    return AuditLog.objects.create(
        occurred_at=dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC), actor_label="job", action="import.completed",
        payload={"rows": 10},
    )


def test_insert_is_allowed(event):
    assert AuditLog.objects.filter(pk=event.pk, action="import.completed").exists()


def test_update_is_rejected(event):
    with pytest.raises(ProgrammingError, match="audit_log is append-only: UPDATE rejected"), transaction.atomic():
        AuditLog.objects.filter(pk=event.pk).update(action="import.failed")
    assert AuditLog.objects.get(pk=event.pk).action == "import.completed"


def set_archive_flag(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('mfgplatform.audit_archive', %s, true)", [value])


def test_update_is_rejected_even_during_an_archive_run(event):
    with transaction.atomic():
        set_archive_flag("on")
        with pytest.raises(ProgrammingError, match="UPDATE rejected"), transaction.atomic():
            AuditLog.objects.filter(pk=event.pk).update(payload={})


def test_delete_is_rejected(event):
    with pytest.raises(ProgrammingError, match="audit_log is append-only: DELETE rejected"), transaction.atomic():
        AuditLog.objects.filter(pk=event.pk).delete()
    assert AuditLog.objects.filter(pk=event.pk).exists()


def test_delete_is_allowed_inside_an_archive_transaction(event):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL mfgplatform.audit_archive = 'on'")
        deleted, _ = AuditLog.objects.filter(pk=event.pk).delete()
    assert deleted == 1
    assert not AuditLog.objects.filter(pk=event.pk).exists()


def test_archive_flag_other_than_on_does_not_allow_delete(event):
    with transaction.atomic():
        set_archive_flag("off")
        with pytest.raises(ProgrammingError, match="DELETE rejected"), transaction.atomic():
            AuditLog.objects.filter(pk=event.pk).delete()


def test_truncate_still_works(event):
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_log")
    assert AuditLog.objects.count() == 0
