"""Create (or reset) the demo superuser and print its credentials. Development installations only."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "mfg-demo-admin"  # noqa: S105 - a demo credential, refused when DEBUG is off


class Command(BaseCommand):
    help = "Create or reset the demo superuser (DEBUG installations only) and print its credentials."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=DEFAULT_USERNAME)
        parser.add_argument("--password", default=DEFAULT_PASSWORD)

    def handle(self, *args, username: str, password: str, **options):
        if not settings.DEBUG:
            raise CommandError("The demo superuser is for development installations (DEBUG=true) only.")
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@localhost"}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        verb = "Created" if created else "Reset"
        self.stdout.write(self.style.SUCCESS(f"{verb} demo superuser — username: {username}  password: {password}"))
