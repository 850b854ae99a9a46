from django.core.management.base import BaseCommand

from tupo.cases import reminders as case_reminders
from tupo.projects import reminders


class Command(BaseCommand):
    help = ("Send today's reminders of calls, projects and adoptions (call deadline, milestones, liaison visits, "
            "adoption results reports).")

    def handle(self, *args, **options):
        self.stdout.write(str({**reminders.run(), **case_reminders.run()}))
