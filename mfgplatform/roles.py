"""Roles as permission groups: Master data engineer, Data steward, Auditor, Viewer.

Import and export are permissions of their own (`<app>.import_<model>`, `<app>.export_<model>`),
separate from add/change and from staff status. Reading a row's history needs the view permission
of its history model (`view_historical<model>`), which viewers do not get.

Like `reference_data`, this module takes an app registry instead of importing models. The roles
migration runs the frozen copy of the roles as released (mfgplatform/migrations/frozen/roles_v1.py); the
post_migrate receiver below brings the groups to this definition after every migrate.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections
from psycopg import sql

MASTER_DATA_ENGINEER = "Master data engineer"
DATA_STEWARD = "Data steward"
AUDITOR = "Auditor"
VIEWER = "Viewer"

# Master data by app: each model is imported and exported as CSV/XLSX and has a history model.
MASTER_DATA = {
    "mfgplatform": ["dimshift", "dimdaterange", "dimunitofmeasure", "kpidefinition"],
    "equipment": ["equipmentclass", "equipment"],
    "production": ["product", "plannedruntime"],
    "quality": ["defecttype"],
    "reliability": ["failuremode", "failuremechanism", "failurecause", "detectionmethod", "maintenanceactivity",
                    "downtimereason"],
    "ontology": ["ontologyterm"],
}
# The catalogs a master data engineer maintains: assets, defects, downtime reasons and their codes.
ENGINEERING_CATALOGS = {
    "equipment": ["equipmentclass", "equipment"],
    "quality": ["defecttype"],
    "reliability": ["failuremode", "failuremechanism", "failurecause", "detectionmethod", "maintenanceactivity",
                    "downtimereason"],
}
# Facts are loaded, never typed in; but a stop's ISO 14224 failure record (mode, mechanism, cause, repair
# and so on) is coded afterwards in the admin by those who keep the failure codes (audited per change).
FAILURE_RECORDS = {"reliability": ["factdowntime"]}
GENERATED_DIMENSIONS = {"mfgplatform": ["dimdate", "dimtime"]}
FACTS = {
    "production": ["factproduction"],
    "quality": ["factquality", "factscrap"],
    "reliability": ["factdowntime", "factsensorevent"],
}
EVIDENCE = {
    "mfgplatform": ["auditlog", "importjob", "compliancereport", "reportdelivery", "reportsubscription",
                    "materializedviewrefresh", "viewsourcestate", "operationsstatus"],
    "auth": ["user", "group", "permission"],
    "django_celery_results": ["taskresult"],
    "django_celery_beat": ["periodictask"],
    "ontology": ["questionlog"],
}
# Pages every staff user sees whatever the role: the operations status page (its admin answers
# by staff status), so anyone can tell whether the numbers are fresh and the jobs running.
OPEN_TO_STAFF = {"mfgplatform": ["operationsstatus"]}
EDIT_ACTIONS = ("add", "change", "delete", "view")
DATA_ACTIONS = ("import", "export")


def _expand(models_by_app: dict[str, list[str]], actions: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(app, f"{action}_{model}") for app, models in models_by_app.items() for model in models
            for action in actions}


def _history(models_by_app: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {(app, f"view_historical{model}") for app, models in models_by_app.items() for model in models}


def role_permissions() -> dict[str, set[tuple[str, str]]]:
    """(app_label, codename) pairs per role."""
    read_all = _expand(MASTER_DATA, ("view",)) | _expand(GENERATED_DIMENSIONS, ("view",)) | _expand(FACTS, ("view",))
    return {
        MASTER_DATA_ENGINEER: read_all
        | _expand(ENGINEERING_CATALOGS, EDIT_ACTIONS + DATA_ACTIONS)
        | _history(ENGINEERING_CATALOGS)
        | _expand(FAILURE_RECORDS, ("change",))
        | {("mfgplatform", "view_importjob")},
        DATA_STEWARD: read_all
        | _expand(MASTER_DATA, EDIT_ACTIONS + DATA_ACTIONS)
        | _history(MASTER_DATA)
        | _expand(FAILURE_RECORDS, ("change",))
        | {("mfgplatform", "view_importjob")},
        AUDITOR: read_all | _expand(MASTER_DATA, ("export",)) | _history(MASTER_DATA) | _history(GENERATED_DIMENSIONS)
        | _expand(EVIDENCE, ("view",)),
        VIEWER: read_all,
    }


def ensure_data_permissions(apps) -> None:
    """Create the import_<model> and export_<model> permissions of every master-data model."""
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    for app_label, model_names in MASTER_DATA.items():
        for model_name in model_names:
            model = apps.get_model(app_label, model_name)
            content_type, _ = content_type_model.objects.get_or_create(app_label=app_label, model=model_name)
            for action in DATA_ACTIONS:
                permission_model.objects.get_or_create(
                    content_type=content_type,
                    codename=f"{action}_{model_name}",
                    defaults={"name": f"Can {action} {model._meta.verbose_name_plural}"},
                )


def sync_roles(apps, *, missing_ok: bool = False) -> None:
    """Create the four groups and set exactly their permissions (idempotent).

    With `missing_ok`, permissions of models that do not exist yet are left out instead of failing: the
    roles migration runs before later migrations add models, and the post_migrate receiver completes
    the groups once every model's permissions exist.
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    ensure_data_permissions(apps)
    for role, wanted in role_permissions().items():
        group, _ = group_model.objects.get_or_create(name=role)
        permissions = []
        for app_label, codename in sorted(wanted):
            permission = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is None:
                if missing_ok:
                    continue
                raise LookupError(f"permission {app_label}.{codename} does not exist (role {role})")
            permissions.append(permission)
        group.permissions.set(permissions)


def sync_roles_after_migrate(sender, apps=None, **kwargs) -> None:
    """post_migrate receiver: keep the groups in step with models added by later migrations (permissions
    of a new model exist only once migrate has created them)."""
    from django.apps import apps as global_apps

    # post_migrate is sent once per app with models, in INSTALLED_APPS order (an app without models,
    # such as the workbench, gets none); only the last of them sees every model's permissions created.
    apps_with_models = [config for config in global_apps.get_app_configs() if config.models_module is not None]
    if sender is not apps_with_models[-1]:
        return
    group_model = global_apps.get_model("auth", "Group")
    if group_model.objects.filter(name__in=[MASTER_DATA_ENGINEER, DATA_STEWARD, AUDITOR, VIEWER]).exists():
        sync_roles(global_apps)


def remove_roles(apps) -> None:
    """Delete the role groups and their memberships and grants, in SQL: a migration reverse runs with
    model states whose related tables may already be gone, which an ORM delete would query."""
    group = apps.get_model("auth", "Group")
    through_tables = [
        group._meta.get_field("permissions").remote_field.through._meta.db_table,
        apps.get_model(settings.AUTH_USER_MODEL)._meta.get_field("groups").remote_field.through._meta.db_table,
    ]
    names = [MASTER_DATA_ENGINEER, DATA_STEWARD, AUDITOR, VIEWER]
    with connections[group.objects.db].cursor() as cursor:
        cursor.execute(sql.SQL("SELECT id FROM {} WHERE name = ANY(%s)").format(
            sql.Identifier(group._meta.db_table)), [names])
        ids = [row[0] for row in cursor.fetchall()]
        for table in through_tables:
            cursor.execute(sql.SQL("DELETE FROM {} WHERE group_id = ANY(%s)").format(sql.Identifier(table)), [ids])
        cursor.execute(sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(
            sql.Identifier(group._meta.db_table)), [ids])
