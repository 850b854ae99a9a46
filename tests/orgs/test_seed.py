import datetime as dt
import io

import time_machine
from django.core.management import call_command

from tupo.accounts.models import User
from tupo.cases.models import Case
from tupo.orgs.models import Organization, Person
from tupo.topics.models import Call


@time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC))  # deadlines stay inside known calendar data
def test_the_demo_seed_is_complete_and_idempotent(db):
    out = io.StringIO()
    call_command("seed", scale="demo", stdout=out)
    counts = (Organization.objects.count(), Person.objects.count(), Call.objects.count(), Case.objects.count())
    assert counts[0] > 50 and counts[1] > 500 and counts[2] == 3 and counts[3] == 44
    assert set(User.objects.values_list("username", flat=True)) >= {"dept_admin", "sysadmin", "secadmin", "auditadmin"}
    call_command("seed", scale="demo", stdout=out)
    assert (Organization.objects.count(), Person.objects.count(), Call.objects.count(), Case.objects.count()) == counts
    assert "already present" in out.getvalue()


def test_the_demo_still_loads_when_deadlines_reach_a_year_without_calendar_data(db):
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(dt.datetime(2026, 12, 24, 10, 0, tzinfo=dt.UTC)):
        call_command("seed", scale="demo", stdout=out, stderr=err)
    assert "demo topics skipped" in err.getvalue() and "2027" in err.getvalue()
    assert Organization.objects.exists() and Case.objects.count() == 44 and not Call.objects.exists()
