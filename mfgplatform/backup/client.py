"""Finding PostgreSQL client programs (pg_dump, pg_restore) that can handle the server.

pg_dump refuses a server of a newer major version than its own, and pg_restore reads only archives
of its own version or older, so the programs must be at least the server's major version. Hosts often
have an older client than the server (Debian bookworm ships 15; the platform's server is 17), so the
directory can be set (`PG_CLIENT_BIN_DIR`); otherwise the newest client found is used and a too-old
one is refused with a message that says what to install.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from .errors import BackupError

VERSION_PATTERN = re.compile(r"\(PostgreSQL\) (\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class ClientPrograms:
    bin_dir: Path
    major: int
    version: str

    def program(self, name: str) -> str:
        return str(self.bin_dir / name)


def services_client_dir() -> Path:
    """Where scripts/services.sh puts wrappers that run the local server's own client programs."""
    return Path(os.environ.get("MFG_SERVICES_HOME", "/var/lib/mfgplatform")) / "pgclient" / "bin"


def _candidate_dirs() -> list[Path]:
    if settings.PG_CLIENT_BIN_DIR:
        return [Path(settings.PG_CLIENT_BIN_DIR)]
    found = shutil.which("pg_dump")
    dirs = [Path(found).resolve().parent] if found else []
    dirs += [Path(path) for path in sorted(glob.glob("/usr/lib/postgresql/*/bin"))]
    dirs.append(services_client_dir())
    return dirs


def _version(bin_dir: Path) -> ClientPrograms | None:
    pg_dump = bin_dir / "pg_dump"
    if not (pg_dump.exists() and (bin_dir / "pg_restore").exists()):
        return None
    try:
        output = subprocess.run([str(pg_dump), "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    match = VERSION_PATTERN.search(output)
    if not match:
        return None
    return ClientPrograms(bin_dir, int(match.group(1)), output.strip().rsplit(" ", 1)[-1])


def server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def client_programs(minimum_major: int | None = None) -> ClientPrograms:
    """The newest client programs found, refused when older than `minimum_major` (default: the server's)."""
    minimum_major = server_major() if minimum_major is None else minimum_major
    found = [programs for programs in map(_version, _candidate_dirs()) if programs is not None]
    if not found:
        raise BackupError(
            "No pg_dump/pg_restore found. Install the PostgreSQL client of the server's major version "
            f"(postgresql-client-{minimum_major}) or set PG_CLIENT_BIN_DIR to its bin directory."
        )
    best = max(found, key=lambda programs: programs.major)
    if best.major < minimum_major:
        raise BackupError(
            f"pg_dump {best.version} in {best.bin_dir} is older than the PostgreSQL {minimum_major} server: it "
            f"cannot dump it. Install postgresql-client-{minimum_major} or set PG_CLIENT_BIN_DIR to the bin "
            "directory of a client of that version (scripts/services.sh start writes one for the local server)."
        )
    return best
