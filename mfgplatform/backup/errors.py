from django.core.management.base import CommandError


class BackupError(CommandError):
    """A backup or restore that cannot go ahead; the message says why and what to do.

    A CommandError, so the commands print it without a traceback; the backup job records it."""
