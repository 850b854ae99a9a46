"""`tupo analytics_snapshot [--year Y] [--root CODE] [--dry-run]`: take the yearly figures of organizations.

Periodic: schedule it late in each year (e.g. every 20 December) so that the year keeps its head-counts
(people, cadres, organizations), which the register cannot give for a past year. Dated figures (cases,
adoptions, projects) can be taken for any past year; for a past year the head-counts are skipped and said so.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tupo.analytics.services import snapshot_year
from tupo.core.services import SYSTEM
from tupo.orgs.models import Organization


class Command(BaseCommand):
    help = "Take the yearly figures of the organizations (all trees, or one root) for the Malmquist trend."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="default: the current year")
        parser.add_argument("--root", default=None, help="organization code of the subtree (default: every tree)")
        parser.add_argument("--dry-run", action="store_true", help="count what would be written, write nothing")

    def handle(self, *args, year, root, dry_run, **options):
        year = year or timezone.localdate().year
        if root:
            roots = list(Organization.objects.filter(code=root))
            if not roots:
                raise CommandError(f"no organization with code {root!r}")
        else:
            roots = list(Organization.objects.filter(parent__isnull=True).order_by("path"))
        for org in roots:
            try:
                snap = snapshot_year(SYSTEM, org, year, dry_run=dry_run)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            note = f"; head-counts skipped for a past year: {', '.join(snap.skipped)}" if snap.skipped else ""
            verb = "would write" if dry_run else "wrote"
            self.stdout.write(f"{org.code} {year}: {verb} {snap.figure_rows} figures of "
                              f"{len(snap.indicators)} indicators for {snap.org_count} organizations{note}")
