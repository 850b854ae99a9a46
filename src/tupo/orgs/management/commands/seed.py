"""`tupo seed --scale demo|county|province`: generate realistic organizations and people."""

import time

from django.core.management.base import BaseCommand, CommandError

from tupo.core.services import SYSTEM
from tupo.orgs import services
from tupo.orgs.models import Organization, Person
from tupo.orgs.seeding import SCALES, Generator

DEMO_ROOT_CODE = "DEMO-370181"


class Command(BaseCommand):
    help = "Generate organizations and people (demo is idempotent; county and province need an empty tree)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, scale, seed, **options):
        from tupo.accounts.demo import ensure_demo_accounts

        started = time.perf_counter()
        root = Organization.objects.filter(code=DEMO_ROOT_CODE).first()
        fresh = root is None
        if not fresh:
            self.stdout.write("demo data already present: nothing generated")
        else:
            if scale != "demo" and Organization.objects.exists():
                raise CommandError("county and province seeds need an empty database (set TUPO_SQLITE_PATH or TUPO_DATABASE_URL)")
            start_org = (Organization.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            start_person = (Person.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            gen = Generator(seed=seed, start_org_id=start_org, start_person_id=start_person)
            gen.build(scale, root_code=DEMO_ROOT_CODE)
            generated = time.perf_counter()
            services.load_generated(SYSTEM, gen.orgs, gen.people, gen.secretaries)
            root = Organization.objects.get(code=DEMO_ROOT_CODE)
            self.stdout.write(
                f"generated {len(gen.orgs):,} organizations and {len(gen.people):,} people "
                f"(generate {generated - started:.1f} s, load {time.perf_counter() - generated:.1f} s)"
            )
        ensure_demo_accounts(root)
        if fresh and scale == "demo":
            self._demo_work(root)

    def _demo_work(self, root):
        """Calls, bids and projects at several stages, and a published case library (through the services)."""
        from django.core.exceptions import ValidationError

        from tupo.analytics import demo as analytics_demo
        from tupo.awards import demo as awards_demo
        from tupo.cases import demo as cases_demo
        from tupo.core.calendar import CalendarDataMissing
        from tupo.topics import demo as topics_demo

        for name, loader in (("topics", topics_demo.load), ("cases", cases_demo.load),
                             ("awards", awards_demo.load), ("analytics", analytics_demo.load)):
            try:
                made = loader(root)
            except (CalendarDataMissing, ValidationError) as exc:
                # Demo deadlines are counted in working days from today; past the calendar's known years
                # that raises (by design). The rest of the demo still loads; say what to do.
                self.stderr.write(f"demo {name} skipped: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
                continue
            self.stdout.write(f"demo {name}: {made}")
        from tupo.search import indexing

        indexing.reindex()  # now, rather than waiting for the task worker to pick up each document
