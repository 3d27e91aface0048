"""The floor plan (docs/architecture.md) holds: imports point down, never up.

Read from the source with `ast`, so an import inside a function counts as much as one at the top.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("equipment", "production", "quality", "reliability", "ontology")
TOP_FLOOR = ("devdata", "config")


def imported_modules(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports are resolved against its package)."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join((*base, *(node.module.split(".") if node.module else ())))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def offending_imports(paths, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in paths:
        for module in sorted(imported_modules(path)):
            if module.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(ROOT)} imports {module}")
    return found


def app_sources(app: str, *, migrations: bool = False):
    for path in sorted((ROOT / app).rglob("*.py")):
        if ("migrations" in path.parts) == migrations:
            yield path


def test_the_module_reader_sees_relative_and_nested_imports(tmp_path, monkeypatch):
    package = tmp_path / "mfgplatform" / "operations"
    package.mkdir(parents=True)
    source = package / "probe.py"
    source.write_text("from ..aggregates import registry\n\ndef f():\n    from production.models import Product\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert imported_modules(source) == {
        "mfgplatform.aggregates", "mfgplatform.aggregates.registry", "production.models", "production.models.Product",
    }


def test_the_shared_layer_imports_no_domain_app_and_nothing_above_it():
    found = offending_imports(app_sources("mfgplatform"), DOMAIN_APPS + TOP_FLOOR + ("workbench",))
    assert sorted(found) == []


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_domain_apps_import_neither_development_data_nor_the_project_package(app):
    assert offending_imports(app_sources(app), TOP_FLOOR) == []


def test_equipment_sits_below_the_other_domains():
    assert offending_imports(app_sources("equipment"), tuple(a for a in DOMAIN_APPS if a != "equipment")) == []


@pytest.mark.parametrize("app", ["production", "quality", "reliability"])
def test_the_three_domains_do_not_import_each_other(app):
    siblings = tuple(a for a in ("production", "quality", "reliability", "ontology") if a != app)
    assert offending_imports(app_sources(app), siblings) == []


PROJECT_PACKAGES = ("mfgplatform", "equipment", "production", "quality", "reliability", "ontology", "devdata",
                    "workbench", "config")
# The data migrations' helpers, frozen as released (mfgplatform/migrations/frozen/, never edited): the one
# project package a migration may import.
FROZEN_HELPERS = "mfgplatform.migrations.frozen"
FROZEN_DIR = ROOT / "mfgplatform" / "migrations" / "frozen"


def migration_imports() -> dict[str, set[str]]:
    """Per migration file, the project modules it imports (`from x import name` counted as x)."""
    found = {}
    for app in PROJECT_PACKAGES:
        for path in sorted((ROOT / app).glob("migrations/*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
            modules |= {node.module for node in ast.walk(tree)
                        if isinstance(node, ast.ImportFrom) and node.module and not node.level}
            project = {module for module in modules if module.split(".")[0] in PROJECT_PACKAGES
                       and not module.startswith(FROZEN_HELPERS + ".")}
            if project:
                found[path.relative_to(ROOT).as_posix()] = project
    return found


def test_no_migration_imports_an_app_module():
    assert migration_imports() == {}


def test_the_frozen_migration_helpers_are_never_edited_and_import_no_app_module():
    """Like the SQL files (docs/sql.md): a released helper keeps its SHA-256; a change is a new `_v<N+1>` file."""
    import hashlib

    listed = dict(line.split()[::-1] for line in (FROZEN_DIR / "MANIFEST.sha256").read_text().splitlines())
    present = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
               for path in FROZEN_DIR.glob("*.py") if path.name != "__init__.py"}
    assert present == listed
    assert offending_imports(sorted(FROZEN_DIR.glob("*.py")), PROJECT_PACKAGES) == []


def test_the_sql_migrations_import_no_app_module():
    assert not any(module.endswith(("views_sql", "sensor_aggregate", "day_kept"))
                   for modules in migration_imports().values() for module in modules)


def test_each_fact_format_is_declared_by_the_app_that_stores_it_and_found_by_the_registry():
    """`load_facts` reads the formats from the registry; each lives in `<app>/facts.py` of its table's app."""
    import importlib

    from mfgplatform.ingest.facts import FactSpec, fact_formats, model_of_table

    declared = {}
    for app in DOMAIN_APPS:
        if (ROOT / app / "facts.py").exists():
            module = importlib.import_module(f"{app}.facts")
            declared.update({spec.name: app for spec in vars(module).values() if isinstance(spec, FactSpec)})
    formats = fact_formats()
    assert sorted(formats) == sorted(declared) == ["downtime", "production", "quality", "scrap", "sensor_event"]
    assert {name: model_of_table(spec.table)._meta.app_label for name, spec in formats.items()} == declared
