"""Fixtures shared by the whole suite. Tests run against the real TimescaleDB and Redis."""

import pytest


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "correct-horse-battery")
