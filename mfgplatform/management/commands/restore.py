"""Restore a backup archive into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mfgplatform.backup.archive import read_manifest
from mfgplatform.backup.postgres import Target
from mfgplatform.backup.restore import check_schema_version, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by manage.py backup into an empty database (created when missing), by "
        "TimescaleDB's pre/post-restore procedure. The archive's checksums and schema version are checked first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database-url", help="Target database (default: DATABASE_URL); must be empty.")
        parser.add_argument("--audit-archive-dir", type=Path, help="Where the audit archive files go "
                            "(default: AUDIT_ARCHIVE_DIR).")
        parser.add_argument("--check", action="store_true", help="Only check the archive (checksums, schema "
                            "version) and print its manifest; write nothing.")

    def handle(self, *args, archive, database_url, audit_archive_dir, check, **options):
        if check:
            manifest = read_manifest(archive)
            check_schema_version(manifest)
            self.stdout.write(self.style.SUCCESS(
                f"{archive}: intact ({len(manifest['files'])} files), taken {manifest['created_at']} from "
                f"{manifest['database']} (PostgreSQL {manifest['server_version']}, TimescaleDB "
                f"{manifest['timescaledb']}), schema {manifest['schema']['fingerprint'][:12]} matches this code."
            ))
            return
        try:
            target = Target.from_url(database_url) if database_url else None
        except ValueError as error:
            raise CommandError(str(error)) from error
        result = restore_backup(archive, target, audit_archive_dir)
        self.stdout.write(self.style.SUCCESS(
            f"Restored {archive} into {result.target} in {result.seconds:.1f} s "
            f"({result.audit_files} audit archive file(s) written)."
        ))
