"""docker-compose.yml stays complete for users who have Docker (no engine is needed to check it)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_every_runtime_part_is_a_service():
    assert set(SERVICES) == {"timescaledb", "redis", "mailpit", "web", "worker", "beat"}


def test_the_database_is_the_official_timescaledb_image():
    assert SERVICES["timescaledb"]["image"].startswith("timescale/timescaledb:")


def test_stateful_services_use_named_volumes():
    assert set(COMPOSE["volumes"]) == {"timescaledb-data", "redis-data", "audit-archive", "backups"}
    assert SERVICES["timescaledb"]["volumes"] == ["timescaledb-data:/var/lib/postgresql/data"]
    assert SERVICES["redis"]["volumes"] == ["redis-data:/data"]


def test_every_service_has_a_health_check_except_beat():
    for name, service in SERVICES.items():
        if name != "beat":
            assert "healthcheck" in service, name


def test_web_migrates_before_serving_with_gunicorn():
    command = SERVICES["web"]["command"]
    assert command.index("migrate") < command.index("gunicorn")


def test_app_services_wait_for_healthy_database_and_redis():
    for name in ("web", "worker", "beat"):
        depends = SERVICES[name]["depends_on"]
        if name == "web":
            healthy = {"condition": "service_healthy"}
            assert depends == {"timescaledb": healthy, "redis": healthy}
        else:
            assert depends == {"web": {"condition": "service_healthy"}}


def test_app_services_share_the_environment_documented_in_env_example():
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))
    for name in ("web", "worker", "beat"):
        environment = SERVICES[name]["environment"]
        assert environment is SERVICES["web"]["environment"] or environment == SERVICES["web"]["environment"]
        assert set(environment) <= documented, set(environment) - documented


def test_exactly_one_beat():
    assert SERVICES["beat"]["deploy"]["replicas"] == 1
    assert "beat" in SERVICES["beat"]["command"]
