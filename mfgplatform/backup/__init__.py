"""Backup and restore: a consistent pg_dump of the database (hypertable included, by TimescaleDB's
pre/post-restore procedure), the audit archive files and a manifest with checksums and the schema
version, in one tar file. See docs/operations.md, "Backup and restore"."""
