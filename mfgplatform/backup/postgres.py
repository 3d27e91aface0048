"""Connection details for the client programs and for the restore's own connections."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlparse

import psycopg
from django.conf import settings
from psycopg.conninfo import make_conninfo


@dataclass(frozen=True)
class Target:
    host: str
    port: str
    user: str
    password: str
    dbname: str

    @classmethod
    def from_settings(cls) -> Target:
        db = settings.DATABASES["default"]
        return cls(db.get("HOST") or "", str(db.get("PORT") or ""), db.get("USER") or "", db.get("PASSWORD") or "",
                   db["NAME"])

    @classmethod
    def from_url(cls, url: str) -> Target:
        parsed = urlparse(url)
        if parsed.scheme not in ("postgres", "postgresql") or not parsed.path.strip("/"):
            raise ValueError(f"not a postgres://user@host:port/database URL: {url!r}")
        return cls(parsed.hostname or "", str(parsed.port or ""), unquote(parsed.username or ""),
                   unquote(parsed.password or ""), unquote(parsed.path.lstrip("/")))

    def on(self, dbname: str) -> Target:
        return replace(self, dbname=dbname)

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(
            make_conninfo(host=self.host or None, port=self.port or None, user=self.user or None,
                          password=self.password or None, dbname=self.dbname),
            **kwargs,
        )

    def __str__(self) -> str:
        return f"{self.dbname} on {self.host or 'local socket'}:{self.port or 5432}"


def libpq_environment(target: Target | None = None) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: the password travels here, not on the command line
    where `ps` would show it."""
    target = target or Target.from_settings()
    env = {**os.environ, "PGDATABASE": target.dbname, "PGCONNECT_TIMEOUT": "30"}
    for variable, value in (("PGHOST", target.host), ("PGPORT", target.port), ("PGUSER", target.user),
                            ("PGPASSWORD", target.password)):
        if value:
            env[variable] = value
        else:
            env.pop(variable, None)
    return env
