"""`tupo backup [--dir DIR]`: write a consistent copy of the database and print its path."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tupo.core import services
from tupo.core.backup import BackupError


class Command(BaseCommand):
    help = "Back up the database (SQLite: VACUUM INTO; PostgreSQL: pg_dump) into DATA_DIR/backups or --dir."

    def add_arguments(self, parser):
        parser.add_argument("--dir")

    def handle(self, *args, dir=None, **options):
        try:
            path = services.create_backup(services.SYSTEM, Path(dir) if dir else None)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(path))
