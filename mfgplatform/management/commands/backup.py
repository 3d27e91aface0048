"""Back up the database and the audit archive into one checked archive file."""

from pathlib import Path

from django.core.management.base import BaseCommand

from mfgplatform.backup.archive import create_backup
from mfgplatform.backup.retention import record_backup


class Command(BaseCommand):
    help = (
        "Write a backup archive: a consistent pg_dump (custom format, hypertable included), the audit archive "
        "files and a manifest with SHA-256 checksums and the schema version. Restore it with manage.py restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", type=Path, help="Directory of the archive (default: BACKUP_DIR).")

    def handle(self, *args, output_dir, **options):
        result = create_backup(output_dir)
        record_backup(result, source="manage.py backup")
        files = len(result.manifest["files"]) - 1
        self.stdout.write(self.style.SUCCESS(
            f"Backup written: {result.path} ({result.bytes:,} bytes, {files} audit archive file(s), "
            f"schema {result.manifest['schema']['fingerprint'][:12]}) in {result.seconds:.1f} s."
        ))
