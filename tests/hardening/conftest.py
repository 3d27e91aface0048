"""Fixtures of the hardening tests."""

import pytest

from ..ops.conftest import keep_reference_data  # noqa: F401 (restores reference data after transactional tests)


@pytest.fixture
def plant_in_utc(settings):
    settings.PLANT_TIME_ZONE = "UTC"
    settings.PRODUCTION_DAY_START = "06:00"
