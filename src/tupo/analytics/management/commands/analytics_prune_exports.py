"""`tupo analytics_prune_exports [--dry-run] [--min-age-hours N]`: delete stored Excel files whose run is gone.

Runs are never deleted by the platform's pages or API, but a run removed from the database (shell, a data
clean-up) takes its `RunExport` row with it while the prepared file stays in storage. Periodic: schedule it
(e.g. weekly) next to the other maintenance commands; it touches only files under `analytics/exports/` that no
export row names, and leaves files younger than `--min-age-hours` (default 1) to the worker still saving them.
"""

import datetime as dt

from django.core.management.base import BaseCommand

from tupo.analytics.services import prune_export_files


class Command(BaseCommand):
    help = "Delete the stored Excel files of analysis runs that no longer exist."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
        parser.add_argument("--min-age-hours", type=float, default=1.0,
                            help="leave files younger than this alone (default 1)")

    def handle(self, *args, dry_run, min_age_hours, **options):
        paths = prune_export_files(dry_run=dry_run, min_age=dt.timedelta(hours=min_age_hours))
        for path in paths:
            self.stdout.write(path)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {len(paths)} export file(s) whose run no longer exists")
