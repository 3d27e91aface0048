"""Release new SQL version files: record their SHA-256 in the app's manifest (docs/sql.md)."""

from django.core.management.base import BaseCommand, CommandError

from mfgplatform.sql_objects import ManifestError, apps_with_sql, manifest_differences, release


class Command(BaseCommand):
    help = (
        "Add the SHA-256 of every new <app>/sql/<object>/vN.sql to <app>/sql/MANIFEST.sha256. Refuses when a "
        "released file was edited or removed: released SQL may already have run in a database, so a change is "
        "a new version. --check changes nothing and fails when any manifest is not up to date."
    )

    def add_arguments(self, parser):
        parser.add_argument("apps", nargs="*", help="App labels (default: every app with a sql/ directory)")
        parser.add_argument("--check", action="store_true", help="Report differences and fail on any; write nothing")

    def handle(self, *args, apps, check, **options):
        labels = apps or apps_with_sql()
        unknown = sorted(set(labels) - set(apps_with_sql()))
        if unknown:
            raise CommandError(f"no sql/ directory in: {', '.join(unknown)}")
        if check:
            self._check(labels)
            return
        for label in labels:
            try:
                released = release(label)
            except ManifestError as error:
                raise CommandError(str(error)) from error
            for name in released:
                self.stdout.write(f"released {label}/sql/{name}")
        self.stdout.write("manifests up to date")

    def _check(self, labels):
        problems = []
        for label in labels:
            differences = manifest_differences(label)
            problems += [f"{label}/sql/{name}: edited after release" for name in differences.changed]
            problems += [f"{label}/sql/{name}: released, now missing" for name in differences.missing]
            problems += [f"{label}/sql/{name}: not released (run manage.py release_sql)"
                         for name in differences.unreleased]
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write("manifests up to date")
