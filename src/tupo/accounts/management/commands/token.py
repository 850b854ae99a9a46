"""`tupo token create USER [--name N] [--days D]`: make an API token (printed once)."""

from django.core.management.base import BaseCommand, CommandError

from tupo.accounts import services
from tupo.accounts.models import User
from tupo.core.services import SYSTEM


class Command(BaseCommand):
    help = "Create an API token for a user; the key is printed once and only its hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--days", type=int, default=90, help="0 for no expiry")

    def handle(self, *args, action, username, name, days, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        _token, key = services.create_token(SYSTEM, user, name=name, days=days or None)
        self.stdout.write(key)
