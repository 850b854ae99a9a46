"""`tupo audit verify`: check the hash chain of the audit log and name the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from tupo.core.audit import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `tupo audit verify` checks the hash chain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.checked} events checked"))
            return
        raise CommandError(
            f"audit chain broken at event {report.broken_event_id} after {report.checked} good events: {report.reason}"
        )
