"""`tupo stats rebuild`: recompute the rolled-up basic-data figures from scratch."""

from django.core.management.base import BaseCommand

from tupo.orgs import stats


class Command(BaseCommand):
    help = "Rebuild the rolled-up statistics (OrgStat) from the people and organizations tables."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args, **options):
        n = stats.rebuild()
        self.stdout.write(self.style.SUCCESS(f"{n} statistics rows written"))
