from django.core.management.base import BaseCommand

from tupo.projects import reminders


class Command(BaseCommand):
    help = "Send today's reminders of calls and projects (call deadline, milestones, liaison visits)."

    def handle(self, *args, **options):
        self.stdout.write(str(reminders.run()))
