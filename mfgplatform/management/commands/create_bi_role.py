"""Create or update the read-only PostgreSQL role for BI clients (mfgplatform.bi_role)."""

import os

from django.core.management.base import BaseCommand, CommandError

from mfgplatform.bi_role import ensure_bi_role


class Command(BaseCommand):
    help = ("Create or update a read-only login role that can SELECT the KPI views and the dimension and "
            "reference tables, and nothing else. Run it again after migrations that add views.")

    def add_arguments(self, parser):
        parser.add_argument("--role", default="mfg_bi", help="role name (default mfg_bi)")
        parser.add_argument("--password-env", default="BI_ROLE_PASSWORD",
                            help="environment variable holding the role's password (not given on the command "
                                 "line, where it would land in the shell history); unset = leave it unchanged")

    def handle(self, *args, role, password_env, **options):
        if not role.replace("_", "").isalnum():
            raise CommandError("the role name may contain letters, digits and underscores only")
        result = ensure_bi_role(role, os.environ.get(password_env) or None)
        verb = "created" if result.created else "updated"
        self.stdout.write(f"role {result.role} {verb}: SELECT on {len(result.granted)} relations")
        for relation in result.granted:
            self.stdout.write(f"  {relation}")
