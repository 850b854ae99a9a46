"""Adoption.report_due_on: when the adopting organization owes its results report.

Existing adoptions get ``TUPO_ADOPTION_REPORT_WORKDAYS`` working days after their start date, counted by the
calendar service over the *historical* override tables; where the calendar has no data for the year the due
day falls in, the date stays empty (never guessed) and ``services.fill_report_due_dates`` fills it later.
"""

from django.db import migrations, models


def fill(apps, schema_editor):
    from tupo.cases.deadlines import report_due_date
    from tupo.core.calendar import WorkCalendar

    class HistoricalCalendar(WorkCalendar):
        """The calendar service, reading the overrides through the migration's models."""

        def __init__(self):
            self._overrides = dict(apps.get_model("core", "WorkCalendarDay").objects.values_list("date", "is_workday"))
            self._entered_years = set(apps.get_model("core", "WorkCalendarYear").objects.values_list("year", flat=True))

    Adoption = apps.get_model("cases", "Adoption")
    cal = HistoricalCalendar()
    for pk, started_on in Adoption.objects.filter(report_due_on__isnull=True).values_list("pk", "started_on"):
        due = report_due_date(started_on, cal)
        if due is not None:
            Adoption.objects.filter(pk=pk).update(report_due_on=due)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_brand_level'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='adoption',
            name='report_due_on',
            field=models.DateField(blank=True, null=True, verbose_name='results report due'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
