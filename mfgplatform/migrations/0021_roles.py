"""Roles as groups (Master data engineer, Data steward, Auditor, Viewer) with separate import and
export permissions per master-data model; see mfgplatform/roles.py for who may do what.

Permissions are normally created after all migrations have run; they are created here first so that
the groups can reference them on a fresh database. The roles are those of
mfgplatform/migrations/frozen/roles_v1.py; the post_migrate receiver of mfgplatform.roles completes them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from mfgplatform.migrations.frozen.roles_v1 import remove_roles, sync_roles


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps, missing_ok=True)


def drop_roles(apps, schema_editor):
    remove_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("mfgplatform", "0020_import_job"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("equipment", "__first__"),
        ("production", "__first__"),
        ("quality", "__first__"),
        ("reliability", "__first__"),
        ("ontology", "__first__"),
    ]

    operations = [migrations.RunPython(create_roles, drop_roles)]
