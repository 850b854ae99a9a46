"""``tupo search reindex [--type case|brand|meeting]``: rebuild the full-text index from the database."""

from django.core.management.base import BaseCommand, CommandError

from tupo.search.indexing import DOC_TYPES, reindex


class Command(BaseCommand):
    help = "Search index maintenance. Subcommand: reindex."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["reindex"])
        parser.add_argument("--type", action="append", choices=sorted(DOC_TYPES), dest="types")

    def handle(self, *args, action, types=None, **options):
        if action != "reindex":
            raise CommandError("unknown action")
        counts = reindex(types, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"reindexed {sum(counts.values())} documents"))
