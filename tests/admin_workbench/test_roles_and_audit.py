"""Roles on real requests, the admin import flow, and the audit events around it."""

import django.apps
import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from equipment.models import Equipment
from mfgplatform.models import AuditLog, ImportJob
from mfgplatform.roles import AUDITOR, DATA_STEWARD, MASTER_DATA_ENGINEER, VIEWER, sync_roles
from production.models import Product

from . import factories

EQUIPMENT_CLASS_CSV = "code,name,category,description,attribute_schema,is_active\n"


@pytest.fixture
def role_client(client, db):
    """Log in a fresh staff user holding one role."""
    sync_roles(django.apps.apps)  # idempotent; the migration already did it unless a test flushed the tables

    def login(role: str):
        user = User.objects.create_user(f"user-{role.split()[0].lower()}", password="pw-unused-1!", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        client.force_login(user)
        return client

    return login


def _status(client, method: str, url: str, data=None) -> int:
    return (client.post(url, data or {}) if method == "post" else client.get(url)).status_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        # (equipment add, product add, equipment export, equipment import, audit log list, equipment history)
        (MASTER_DATA_ENGINEER, (200, 403, 200, 200, 403, 200)),
        (DATA_STEWARD, (200, 200, 200, 200, 403, 200)),
        (AUDITOR, (403, 403, 200, 403, 200, 200)),
        (VIEWER, (403, 403, 403, 403, 403, 403)),
    ],
)
def test_each_role_can_and_cannot(role_client, role, expected):
    unit = factories.equipment_unit()
    client = role_client(role)
    urls = [
        reverse("admin:equipment_equipment_add"),
        reverse("admin:production_product_add"),
        reverse("admin:equipment_equipment_export"),
        reverse("admin:equipment_equipment_import"),
        reverse("admin:mfgplatform_auditlog_changelist"),
        reverse("admin:equipment_equipment_history", args=[unit.pk]),
    ]
    assert tuple(_status(client, "get", url) for url in urls) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", [AUDITOR, VIEWER])
def test_read_only_roles_cannot_change_rows(role_client, role):
    unit = factories.equipment_unit()
    client = role_client(role)
    response = client.post(reverse("admin:equipment_equipment_change", args=[unit.pk]),
                           {"code": unit.code, "name": "renamed", "taxonomy_level": 6})
    assert response.status_code == 403
    assert Equipment.objects.get(pk=unit.pk).name == unit.name


@pytest.mark.django_db
def test_viewer_reads_lists_of_master_data_and_facts(role_client):
    client = role_client(VIEWER)
    assert _status(client, "get", reverse("admin:equipment_equipment_changelist")) == 200
    assert _status(client, "get", reverse("admin:reliability_factdowntime_changelist")) == 200


def _upload(client, model_path: str, name: str, text: str, reason: str = ""):
    return client.post(reverse(f"admin:{model_path}_import"),
                       {"file": SimpleUploadedFile(name, text.encode()), "reason": reason})


@pytest.mark.django_db
def test_admin_import_preview_lists_errors_then_a_corrected_file_imports(role_client):
    client = role_client(MASTER_DATA_ENGINEER)
    bad = EQUIPMENT_CLASS_CSV + "Q-PU,Pumps,rotating,,{},1\nQ-CO,Compressors,flying,,{},1\n"
    response = _upload(client, "equipment_equipmentclass", "classes.csv", bad)
    job = ImportJob.objects.get(file_name="classes.csv")
    assert (response.status_code, response.url) == (302, f"/admin/equipment/equipmentclass/import/{job.pk}/")
    page = client.get(response.url)
    assert job.status == "rejected"
    assert job.errors == [{"row": 3, "column": "category", "message": "Value 'flying' is not a valid choice."}]
    assert "Value &#x27;flying&#x27; is not a valid choice." in page.content.decode()

    good = bad.replace("flying", "rotating")
    response = _upload(client, "equipment_equipmentclass", "classes-fixed.csv", good, reason="new classes")
    job = ImportJob.objects.get(file_name="classes-fixed.csv")
    assert (job.status, job.counts["new"]) == ("previewed", 2)
    assert not Equipment.objects.filter(code__startswith="Q-").exists()
    client.post(response.url, {"confirm": "1"})
    job.refresh_from_db()
    assert job.status == "completed"
    from equipment.models import EquipmentClass

    record = EquipmentClass.objects.get(code="Q-CO").history.get()
    assert record.history_change_reason == "import classes-fixed.csv: new classes"
    assert record.history_user.username == "user-master"
    events = list(AuditLog.objects.filter(action__startswith="import.").order_by("id").values_list("action", "payload"))
    # Every attempt (the check of each file, the confirmed import) is audited as it starts, then its outcome.
    assert [action for action, _ in events] == ["import.started", "import.rejected", "import.started",
                                                "import.started", "import.completed"]
    completed = events[-1][1]
    assert (completed["file_name"], completed["sha256"], completed["counts"]["new"], completed["outcome"]) == (
        "classes-fixed.csv", job.file_sha256, 2, "completed")


@pytest.mark.django_db
def test_oversized_upload_gets_a_message_and_is_audited(role_client, settings):
    settings.IMPORT_MAX_FILE_BYTES = 20
    client = role_client(DATA_STEWARD)
    response = _upload(client, "equipment_equipmentclass", "big.csv", EQUIPMENT_CLASS_CSV)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file is 21 bytes; the limit is 20 bytes. Split it into smaller files."]
    assert AuditLog.objects.filter(action="import.rejected", payload__file_name="big.csv").count() == 1


@pytest.mark.django_db
def test_big_files_run_in_the_background(role_client, settings, django_capture_on_commit_callbacks):
    from config.celery import app as celery_app

    settings.IMPORT_BACKGROUND_THRESHOLD_BYTES = 10
    celery_app.conf.task_always_eager = True
    try:
        client = role_client(DATA_STEWARD)
        factories.unit()
        text = "code,name,description,product_family,unit,default_pri_seconds,defect_opportunities_per_unit,is_active\n"
        text += "R1,Bolt,,F,T-PCS,1,1,1\n"
        with django_capture_on_commit_callbacks(execute=True):
            response = _upload(client, "production_product", "bg.csv", text)
        job = ImportJob.objects.get(file_name="bg.csv")
        assert (job.in_background, job.status) == (True, "previewed")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(response.url, {"confirm": "1"})
        job.refresh_from_db()
        assert job.status == "completed"
        assert Product.objects.get(code="R1").history.get().history_change_reason == "import bg.csv"
    finally:
        celery_app.conf.task_always_eager = False


@pytest.mark.django_db
def test_export_is_audited(role_client):
    factories.equipment_unit()
    client = role_client(AUDITOR)
    from equipment.resources import EquipmentResource

    selected = {f"equipmentresource_{name}": "on" for name in EquipmentResource._meta.fields}
    response = client.post(reverse("admin:equipment_equipment_export"), {"format": "0", "resource": "0", **selected})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    event = AuditLog.objects.get(action="export.completed")
    assert (event.actor_label, event.object_type, event.payload["rows"]) == (
        "user-auditor", "equipment.equipment", Equipment.objects.count())


@pytest.mark.django_db
def test_logins_and_failed_logins_are_audited(client):
    User.objects.create_user("operator", password="S3cure-pass-phrase", is_staff=True)
    client.post(reverse("admin:login"), {"username": "operator", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("admin:login"), {"username": "operator", "password": "S3cure-pass-phrase"})
    rows = list(AuditLog.objects.filter(action__startswith="auth.").order_by("id")
                .values_list("action", "actor_label", "ip_address"))
    assert rows == [("auth.login_failed", "operator", "10.1.2.3"), ("auth.login", "operator", "127.0.0.1")]


@pytest.mark.django_db
def test_failed_logins_lock_out_only_that_user_from_that_address(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    User.objects.create_user("anna", password="S3cure-pass-phrase", is_staff=True)
    User.objects.create_user("ben", password="S3cure-pass-phrase", is_staff=True)
    url = reverse("admin:login")
    for _ in range(2):
        client.post(url, {"username": "anna", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    locked = client.post(url, {"username": "anna", "password": "S3cure-pass-phrase"}, REMOTE_ADDR="10.0.0.9")
    assert locked.status_code == 429
    other_user = client.post(url, {"username": "ben", "password": "S3cure-pass-phrase"}, REMOTE_ADDR="10.0.0.9")
    assert other_user.status_code == 302


@pytest.mark.django_db
def test_group_and_permission_changes_are_audited(client, admin_user):
    client.force_login(admin_user)
    user = User.objects.create_user("clerk")
    group = Group.objects.create(name="Clerks")
    client.post(reverse("admin:auth_user_change", args=[user.pk]), {
        "username": "clerk", "groups": [group.pk], "is_active": "on", "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
    })
    event = AuditLog.objects.get(action="permission.user_groups_add")
    assert (event.actor_label, event.payload["target"], event.payload["changed"]) == ("admin", "clerk", ["Clerks"])
    assert AuditLog.objects.filter(action="permission.group_created", payload__target="Clerks").count() == 1
