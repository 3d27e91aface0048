"""SQL objects as files: every released version of a view, aggregate table or function is one file.

An app keeps the SQL of its database objects in `<app>/sql/<object>/v<N>.sql`:

- `v1.sql`, `v2.sql`, … each hold one released version: the statements that create it (a view with its
  indexes, a table, a function), or for a query object such as `production/sql/time_model_select/` the
  query itself. A migration runs `vN` forward and `vN-1` backward; the statements that take the previous
  version away (a DROP, a set-aside and carry-over of rows) belong to that step and stay in the migration;
- `{name}` placeholders (`{schema}`, `{time_zone}`, …) are filled in by whoever runs the file, with
  `render()`; nothing else in a file is templated.

`<app>/sql/MANIFEST.sha256` lists the SHA-256 of every released file (the format of `sha256sum`, so
`sha256sum -c` checks it too). A test compares it with the files: a released file that changed fails the
suite, so released SQL is never edited; a new version is a new file, released with
`manage.py release_sql` (docs/sql.md).

Runtime code asks for an object by name (`sql_object("production", "agg_time_model")`) and gets its
current version (the highest file) or a given one; migrations read their files directly, without
importing this module, so that a migration never depends on code that can change.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps

SQL_DIRECTORY = "sql"
MANIFEST_NAME = "MANIFEST.sha256"
_VERSION_FILE = re.compile(r"^v(\d+)\.sql$")
# A materialized view's defining SELECT: what its CREATE statement puts between AS and WITH NO DATA.
_VIEW_SELECT = re.compile(r"CREATE MATERIALIZED VIEW \w+ AS\n(?P<select>.*?)\nWITH NO DATA;", re.DOTALL)
# A plain view's defining SELECT: what its CREATE [OR REPLACE] VIEW statement puts between AS and the end.
_PLAIN_VIEW_SELECT = re.compile(r"CREATE (?:OR REPLACE )?VIEW \w+ AS\n(?P<select>.*?);\s*\Z", re.DOTALL)
# A day-kept aggregate's SELECT: the text its pass function hands to mfg_day_aggregate_pass.
_DAY_KEPT_SELECT = re.compile(r"\$select\$(?P<select>.*?)\$select\$", re.DOTALL)


_CREATES = re.compile(r"^\s*CREATE\b", re.MULTILINE | re.IGNORECASE)


def every_day(select_sql: str) -> str:
    """A day-kept SELECT with its bounds ($1 the first day, $2 the earliest instant) opened to every day."""
    return select_sql.replace("$1", "'-infinity'::date").replace("$2", "'-infinity'::timestamptz")


class ManifestError(Exception):
    """A released file changed or disappeared: released SQL is never edited."""


def render(text: str, **placeholders: str) -> str:
    """Fills the `{name}` placeholders given; braces that are not named placeholders stay as they are."""
    for name, value in placeholders.items():
        text = text.replace("{" + name + "}", value)
    return text


@dataclass(frozen=True)
class SqlObject:
    app_label: str
    name: str
    directory: Path

    @property
    def versions(self) -> tuple[int, ...]:
        """The released versions (1, 2, …), in order."""
        found = (_VERSION_FILE.match(path.name) for path in self.directory.iterdir())
        return tuple(sorted(int(match[1]) for match in found if match))

    @property
    def current_version(self) -> int:
        return self.versions[-1]

    def path(self, version: int | None = None) -> Path:
        path = self.directory / f"v{self.current_version if version is None else version}.sql"
        if not path.is_file():
            raise LookupError(f"{self.app_label}/{self.name} has no version {version}")
        return path

    def text(self, version: int | None = None, **placeholders: str) -> str:
        return render(self.path(version).read_text(), **placeholders)

    def defining_select(self, version: int | None = None) -> str:
        """The SELECT that yields all the object's rows, to run straight on the facts (the KPI service's
        from-facts mode): a materialized or plain view's defining query, or a day-kept aggregate's query
        (inside its pass function, or a query object) opened to every day: $1 and $2 bound to -infinity,
        as the pass binds them for a rebuild."""
        text = self.text(version)
        if match := _VIEW_SELECT.search(text) or _PLAIN_VIEW_SELECT.search(text):
            return match["select"]
        if match := _DAY_KEPT_SELECT.search(text):
            return every_day(match["select"])
        if not _CREATES.search(text):
            return every_day(text)
        raise LookupError(f"{self.app_label}/{self.name} holds no query (neither a view nor a day-kept SELECT)")


def sql_root(app_label: str) -> Path:
    return Path(apps.get_app_config(app_label).path) / SQL_DIRECTORY


def sql_object(app_label: str, name: str) -> SqlObject:
    directory = sql_root(app_label) / name
    if not directory.is_dir():
        raise LookupError(f"no SQL object {app_label}/{name} (expected {directory})")
    return SqlObject(app_label, name, directory)


def current_sql(app_label: str, name: str, **placeholders: str) -> str:
    """The current version of an object's SQL, placeholders filled in."""
    return sql_object(app_label, name).text(**placeholders)


def apps_with_sql() -> list[str]:
    return [config.label for config in apps.get_app_configs() if (Path(config.path) / SQL_DIRECTORY).is_dir()]


def sql_objects(app_label: str) -> list[SqlObject]:
    root = sql_root(app_label)
    return [SqlObject(app_label, path.name, path) for path in sorted(root.iterdir()) if path.is_dir()]


# --- The manifest of released files ---------------------------------------------------------------


def file_digests(app_label: str) -> dict[str, str]:
    """SHA-256 of every version file of the app, keyed by its path relative to `<app>/sql/`."""
    root = sql_root(app_label)
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.glob("*/v*.sql"))
        if _VERSION_FILE.match(path.name)
    }


def read_manifest(app_label: str) -> dict[str, str]:
    path = sql_root(app_label) / MANIFEST_NAME
    if not path.is_file():
        return {}
    entries = {}
    for line in path.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            entries[name.strip()] = digest
    return entries


@dataclass(frozen=True)
class ManifestDifferences:
    changed: tuple[str, ...]  # released, and the file is not what was released
    missing: tuple[str, ...]  # released, and the file is gone
    unreleased: tuple[str, ...]  # a file the manifest does not list yet

    @property
    def released_files_intact(self) -> bool:
        return not self.changed and not self.missing

    def __bool__(self) -> bool:
        return bool(self.changed or self.missing or self.unreleased)


def manifest_differences(app_label: str) -> ManifestDifferences:
    released, actual = read_manifest(app_label), file_digests(app_label)
    return ManifestDifferences(
        changed=tuple(name for name, digest in released.items() if name in actual and actual[name] != digest),
        missing=tuple(name for name in released if name not in actual),
        unreleased=tuple(name for name in actual if name not in released),
    )


def release(app_label: str) -> list[str]:
    """Adds the app's unreleased files to its manifest and returns them; refuses (ManifestError) when a
    released file changed or disappeared, since that SQL may already have run in a database."""
    differences = manifest_differences(app_label)
    if not differences.released_files_intact:
        raise ManifestError(
            f"{app_label}: released SQL was edited or removed "
            f"(changed: {', '.join(differences.changed) or '-'}; missing: {', '.join(differences.missing) or '-'}); "
            "restore it and put the change in a new version file"
        )
    if differences.unreleased:
        entries = {**read_manifest(app_label), **file_digests(app_label)}
        lines = [f"{digest}  {name}" for name, digest in sorted(entries.items())]
        (sql_root(app_label) / MANIFEST_NAME).write_text("\n".join(lines) + "\n")
    return list(differences.unreleased)
