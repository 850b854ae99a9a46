"""`tupo grant USER ROLE [ORG_CODE]`: grant a role from the command line (bootstrap of a new install).

A fresh installation has no security administrator yet to grant roles through the web; this command is
run by whoever operates the server, and is audited as the system.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tupo.accounts import services
from tupo.accounts.choices import Role
from tupo.accounts.models import User
from tupo.core.services import SYSTEM
from tupo.orgs.models import Organization


class Command(BaseCommand):
    help = "Grant ROLE to USER (at the organization with ORG_CODE, except for the three administrators)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=[r.value for r in Role])
        parser.add_argument("org_code", nargs="?")

    def handle(self, *args, username, role, org_code, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        org = None
        if org_code:
            org = Organization.objects.filter(code=org_code).first()
            if org is None:
                raise CommandError(f"no organization with code {org_code!r}")
        try:
            services.grant_role(SYSTEM, user, role, org)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"granted {role} to {username}"))
