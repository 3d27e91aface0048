"""The default downtime reason tree loaded by reliability 0003."""

import pytest

from reliability.models import DowntimeReason

pytestmark = pytest.mark.django_db

EXPECTED_PATHS = {
    "PLANNED", "PLANNED/PLANNED-PM", "PLANNED/PLANNED-BREAK", "PLANNED/PLANNED-MEETING", "PLANNED/PLANNED-CLEANING",
    "SETUP", "SETUP/SETUP-CHANGEOVER", "SETUP/SETUP-ADJUST",
    "DELAY", "DELAY/FAIL", "DELAY/MINOR", "DELAY/DELAY-MATERIAL", "DELAY/DELAY-OPERATOR", "DELAY/DELAY-QUALITY",
    "DELAY/MINOR/MINOR-JAM", "DELAY/MINOR/MINOR-SENSOR", "DELAY/MINOR/MINOR-MATERIAL",
    "IDLE", "IDLE/IDLE-NO-ORDER", "IDLE/IDLE-NO-DEMAND",
} | {
    f"DELAY/FAIL/FAIL-{mode}"
    for mode in ("BRD", "OHE", "VIB", "ELP", "ELU", "LOO", "FTS", "UST", "AIR", "STD", "NOI", "PDE", "PLU")
}
ROOT_CATEGORIES = {"PLANNED": "planned_downtime", "SETUP": "setup", "DELAY": "delay", "IDLE": "idle"}


def reasons() -> dict[str, DowntimeReason]:
    return {
        row.code: row
        for row in DowntimeReason.objects.select_related(
            "parent", "failure_mode", "failure_mechanism", "failure_cause"
        )
    }


def test_tree_shape_and_paths():
    tree = reasons()
    assert {row.path for row in tree.values()} == EXPECTED_PATHS
    assert len(tree) == 33
    for row in tree.values():
        assert row.path == row.compute_path(), row.code
        assert row.path.rsplit("/", 1)[-1] == row.code


def test_every_node_books_time_to_its_roots_category():
    for row in reasons().values():
        assert row.time_category == ROOT_CATEGORIES[row.path.split("/")[0]], row.code


def test_every_leaf_has_a_time_category():
    tree = reasons()
    parents = {row.parent_id for row in tree.values()}
    leaves = [row for row in tree.values() if row.pk not in parents]
    assert len(leaves) == 27
    assert all(leaf.time_category for leaf in leaves)


@pytest.mark.parametrize(
    ("code", "mode", "mechanism", "cause", "impact"),
    [
        pytest.param("FAIL-BRD", "BRD", "2.5", "3.4", "critical", id="breakdown_case"),
        pytest.param("FAIL-OHE", "OHE", "2.7", "3.1", "degraded", id="overheating_case"),
        pytest.param("FAIL-VIB", "VIB", "1.2", "3.4", "degraded", id="vibration_case"),
        pytest.param("FAIL-ELP", "ELP", "1.1", "3.4", "degraded", id="process_leak_case"),
        pytest.param("FAIL-ELU", "ELU", "1.1", "3.3", "incipient", id="utility_leak_case"),
        pytest.param("FAIL-LOO", "LOO", "2.4", "3.4", "degraded", id="low_output_case"),
        pytest.param("FAIL-FTS", "FTS", "4.0", "2.2", "critical", id="fail_to_start_case"),
        pytest.param("FAIL-UST", "UST", "3.1", "3.2", "critical", id="spurious_stop_case"),
        pytest.param("FAIL-AIR", "AIR", "3.3", "3.4", "incipient", id="instrument_reading_case"),
        pytest.param("FAIL-STD", "STD", "2.6", "1.2", "critical", id="structural_case"),
        pytest.param("FAIL-NOI", "NOI", "1.3", "3.4", "incipient", id="noise_case"),
        pytest.param("FAIL-PDE", "PDE", "3.4", "3.4", "degraded", id="parameter_deviation_case"),
        pytest.param("FAIL-PLU", "PLU", "5.1", "3.2", "degraded", id="plugged_case"),
    ],
)
def test_failure_leaves_carry_iso_14224_codes(code, mode, mechanism, cause, impact):
    row = reasons()[code]
    assert (row.is_failure, row.time_category, row.maintenance_category, row.parent.code) == (
        True, "delay", "corrective", "FAIL",
    )
    assert (row.failure_mode.code, row.failure_mechanism.code, row.failure_cause.code, row.failure_impact) == (
        mode, mechanism, cause, impact,
    )


def test_only_the_failure_leaves_are_failures():
    tree = reasons()
    failures = {code for code, row in tree.items() if row.is_failure}
    assert failures == {path.rsplit("/", 1)[-1] for path in EXPECTED_PATHS if path.startswith("DELAY/FAIL/")}
    assert tree["FAIL"].is_failure is False
    for row in tree.values():
        if not row.is_failure:
            assert (row.failure_mode, row.failure_mechanism, row.failure_cause, row.failure_impact) == (
                None, None, None, "",
            ), row.code


def test_minor_stops_and_maintenance_categories():
    tree = reasons()
    assert {code for code, row in tree.items() if row.is_minor_stop} == {"MINOR-JAM", "MINOR-SENSOR", "MINOR-MATERIAL"}
    assert tree["PLANNED-PM"].maintenance_category == "preventive"
    assert {code for code, row in tree.items() if row.maintenance_category == "preventive"} == {"PLANNED-PM"}
    assert tree["PLANNED-BREAK"].name == "Scheduled break"
    assert tree["IDLE-NO-DEMAND"].name == "No demand / blocked downstream"


def test_every_reason_passes_model_validation():
    for row in reasons().values():
        row.full_clean()
