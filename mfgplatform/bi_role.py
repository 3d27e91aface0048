"""A read-only PostgreSQL role for BI clients (Superset, Grafana, Metabase, …).

It may read the KPI views (every view of the registry: materialized views and incrementally kept
aggregates) and the dimension and reference tables (`dim_*`, `ref_*`, `ontology_term`); nothing else.
Not the facts (their numbers reach BI through the views, already resolved into the ISO time model),
not the change history (`*_history` names the people who edited), not the audit log, not the
accounts, sessions or tokens. It can write nothing. Grants are per relation, so a view added by a
later migration needs the command again (it is idempotent and revokes what is no longer listed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from psycopg import sql

DIMENSION_PREFIXES = ("dim_", "ref_")
DIMENSION_TABLES = ("ontology_term",)


def readable_relations() -> list[str]:
    """The relations the BI role may read, as they exist in the database now."""
    from .aggregates.registry import registered_views

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm', 'v', 'p')""")
        existing = {row[0] for row in cursor.fetchall()}
    dimensions = {name for name in existing if name.startswith(DIMENSION_PREFIXES) and not name.endswith("_history")}
    views = set(registered_views()) & existing
    return sorted(dimensions | views | (set(DIMENSION_TABLES) & existing))


@dataclass(frozen=True)
class BiRoleResult:
    role: str
    created: bool
    granted: list[str]


def ensure_bi_role(role: str, password: str | None = None) -> BiRoleResult:
    """Create (or update) the login role `role` with SELECT on `readable_relations()` only."""
    relations = readable_relations()
    with connection.cursor() as cursor:
        pg = cursor.connection  # psycopg connection, to render identifiers and literals safely

        def run(statement: sql.Composable) -> None:
            cursor.execute(statement.as_string(pg))

        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        created = cursor.fetchone() is None
        name = sql.Identifier(role)
        if created:
            run(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT").format(name))
        if password:
            run(sql.SQL("ALTER ROLE {} PASSWORD {}").format(name, sql.Literal(password)))
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        run(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), name))
        run(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), name))
        # Start from nothing in this schema, so a relation dropped from the list loses its grant.
        run(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(sql.Identifier(schema), name))
        run(sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(sql.Identifier(schema), name))
        run(sql.SQL("REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {} FROM {}").format(sql.Identifier(schema), name))
        if relations:
            run(sql.SQL("GRANT SELECT ON {} TO {}").format(
                sql.SQL(", ").join(sql.Identifier(schema, relation) for relation in relations), name))
    return BiRoleResult(role, created, relations)
