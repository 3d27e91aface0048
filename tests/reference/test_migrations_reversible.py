"""Reference-data migrations reverse to exactly what they inserted and apply again cleanly."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

pytestmark = pytest.mark.django_db

# In dependency order; reversed when unapplying.
DATA_MIGRATIONS = [
    ("mfgplatform", "0002_calendar_reference"),
    ("mfgplatform", "0003_units_reference"),
    ("mfgplatform", "0004_kpi_catalog"),
    ("mfgplatform", "0006_shifts_and_date_ranges"),
    ("equipment", "0002_equipment_classes"),
    ("reliability", "0002_iso14224_code_lists"),
    ("reliability", "0003_downtime_reason_tree"),
    ("quality", "0002_defect_types"),
    ("ontology", "0002_default_terms"),
    ("mfgplatform", "0081_default_break_positions"),
    ("ontology", "0140_question_terms"),
]
TABLES = [
    "dim_date", "dim_time", "dim_unit_of_measure", "ref_kpi_definition", "dim_shift", "dim_shift_break",
    "dim_date_range",
    "ref_iso14224_equipment_class", "ref_iso14224_failure_mode", "ref_iso14224_failure_mechanism",
    "ref_iso14224_failure_cause", "ref_iso14224_detection_method", "ref_iso14224_maintenance_activity",
    "dim_downtime_reason", "dim_quality_defect_type", "ontology_term",
]


def row_counts() -> dict[str, tuple[int, int]]:
    """(rows, history rows) per reference table; a table the schema does not have yet counts none."""
    counts = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute("SELECT to_regclass(%s) IS NULL", [table])
            if cursor.fetchone()[0]:
                counts[table] = (0, 0)
                continue
            cursor.execute(f"SELECT (SELECT count(*) FROM {table}), (SELECT count(*) FROM {table}_history)")  # noqa: S608
            counts[table] = cursor.fetchone()
    return counts


def run_python(app_label: str, name: str):
    module = importlib.import_module(f"{app_label}.migrations.{name}")
    (operation,) = module.Migration.operations
    return operation


def test_reverse_functions_remove_rows_and_creation_records_then_forward_restores_them():
    loaded = row_counts()
    loader = MigrationLoader(connection)
    states = {key: loader.project_state(key, at_end=True).apps for key in DATA_MIGRATIONS}

    for key in reversed(DATA_MIGRATIONS):
        run_python(*key).reverse_code(states[key], None)
    assert set(row_counts().values()) == {(0, 0)}

    for key in DATA_MIGRATIONS:
        run_python(*key).code(states[key], None)
    assert row_counts() == loaded


def audit_trigger_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_log_append_only'")
        return cursor.fetchone()[0] == 1


@pytest.mark.slow
def test_apps_migrate_back_to_their_initial_schema_and_forward_again():
    loaded = row_counts()
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()

    apps_with_reference_data = ("ontology", "reliability", "quality", "equipment", "mfgplatform")
    executor.migrate([(app, "0001_initial") for app in apps_with_reference_data])
    assert set(row_counts().values()) == {(0, 0)}
    assert not audit_trigger_exists()

    executor.loader.build_graph()
    executor.migrate(leaves)
    assert row_counts() == loaded
    assert audit_trigger_exists()
