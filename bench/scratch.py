"""A scratch copy of the schema for benchmarks, so the development database is never touched."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path


def run_in_scratch_database(prefix: str, body: Callable[[], None], *, keep_db: bool = False) -> int:
    """Set up Django, create `<prefix>_<DATABASE name>` with every migration applied, run `body` against
    it and drop it afterwards (unless `keep_db`)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    settings_dict = connection.settings_dict
    settings_dict["TEST"]["NAME"] = f"{prefix}_{settings_dict['NAME']}"
    print(f"creating {settings_dict['TEST']['NAME']} (all migrations)…", flush=True)
    original = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep_db)
    try:
        body()
    finally:
        if not keep_db:
            connection.creation.destroy_test_db(original, verbosity=0)
    return 0
