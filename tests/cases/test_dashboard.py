"""The cases dashboard: cases and brands by field, level and year; adoption and results; meetings and actions."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.cases.factories import make_case, publish
from tests.cases.test_cases import BRAND
from tupo.cases import queries, services
from tupo.meetings import services as meeting_services

pytestmark = pytest.mark.django_db


def _world(tree, personas, n: int, offset: int = 0):
    """n published cases (alternating fields/levels), one recognized brand, adoptions with and without reports,
    a meeting with an overdue and a finished action."""
    for i in range(offset, offset + n):
        case = publish(make_case(personas.org_admin_a, tree.village_a1, title=f"案例{i}", level=["town", "county"][i % 2],
                                 field=["talent", "grassroots_governance"][i % 2], year=2024 + i % 2),
                       personas.org_admin_a, personas.dept_admin)
        services.adopt_case(personas.org_admin_b, case, tree.village_b1,
                            {"adapted": "x", "started_on": dt.date(2026, 1, 5), "contact": "c"})
        if i % 2 == 0:
            services.report_adoption(personas.org_admin_b, case, tree.village_b1,
                                     {"summary": "好", "rating": 4, "reported_on": dt.date(2026, 3, 1)})
    brand = services.apply_brand(personas.org_admin_a, tree.village_a1, {**BRAND, "name": f"品牌{offset}",
                                                                         "meaning": f"含义{offset}", "level": "town"})
    for step in ("screened", "recognized"):
        services.transition_brand(personas.dept_admin, brand, step)
    m = meeting_services.create_meeting(personas.org_admin_a, tree.town_a, {
        "kind": "onsite", "title": f"现场会{offset}", "place": "p", "starts_at": timezone.now() - dt.timedelta(days=1)})
    meeting_services.add_action(personas.org_admin_a, m, title=f"逾期{offset}", owner=tree.person_a11,
                                deadline=timezone.localdate() - dt.timedelta(days=2))
    done = meeting_services.add_action(personas.org_admin_a, m, title="完成", owner=tree.person_a11,
                                       deadline=timezone.localdate() + dt.timedelta(days=5))
    meeting_services.set_action_status(personas.org_admin_a, done, "done")


def test_figures_by_field_level_year_adoption_and_meetings(tree, personas):
    _world(tree, personas, 4)
    d = queries.dashboard(personas.leader)
    charts = {c["key"]: c for c in d["charts"]}
    assert charts["cb_level"]["table"] == [("Town / street", [2, 1]), ("County", [2, 0])]
    assert charts["cb_field"]["table"] == [("Party building", [0, 1]), ("Grassroots governance", [2, 0]),
                                           ("Talent", [2, 0])]
    assert dict(charts["cb_year"]["table"]) == {"2024": [2, 0], "2025": [2, 1]}
    assert dict(charts["adoption_year"]["table"]) == {"2026": [4, 2]}
    assert dict(charts["adoption_field"]["table"]) == {"Talent": [2, 0], "Grassroots governance": [0, 2]}
    assert d["adoption_rows"] == [("Grassroots governance", 2, 0, 2, None), ("Talent", 2, 2, 0, 4.0)]
    assert d["mean_rating"] == 4 and d["report_total"] == 2 and d["adoption_total"] == 4
    month = f"{timezone.localdate() - dt.timedelta(days=1):%Y-%m}"
    meetings = dict(charts["meetings_month"]["table"])
    assert meetings[month] == [1, 0, 0] and len(meetings) == 12
    assert charts["actions_state"]["rows"] == [("Done", 1), ("Open, on time", 0), ("Open, overdue", 1)]
    assert d["overdue_total"] == 1 and d["meetings_total"] == 1


def test_dashboard_page_charts_with_tables_and_constant_queries(tree, personas, login):
    client = login(personas.dept_admin)
    _world(tree, personas, 2)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/cases/dashboard/").content.decode()
    _world(tree, personas, 6, offset=10)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/cases/dashboard/").content.decode()
    assert len(many) == len(few) <= 35, [q["sql"][:120] for q in many.captured_queries]
    for key in ("cb_field", "cb_level", "cb_year", "adoption_year", "adoption_field", "meetings_month", "actions_state"):
        assert f'id="{key}"' in page  # the json_script data
    assert page.count("data-series-chart=") == 6 and page.count('data-chart="actions_state"') == 1
    assert page.count('<details class="chart-table">') == 7
    assert "cases/dashboard.js" in page and "<script>" not in page and " style=" not in page
    assert "逾期10" in page and "Reported results by field" in page


def test_dashboard_respects_visibility_and_roles(tree, personas, login):
    _world(tree, personas, 2)
    hidden = make_case(personas.org_admin_a, tree.village_a1, title="草稿", level="province")  # a draft in town A
    assert hidden.status == "draft"
    d = queries.dashboard(personas.org_admin_b)  # town B: published cases, its own adoptions; no meeting of town A
    assert dict(d["charts"][1]["table"]).get("Province") is None
    assert d["meetings_total"] == 0 and d["overdue_total"] == 0 and d["adoption_total"] == 2
    for who, status in (("member_a", 403), ("expert", 403), ("auditadmin", 403), ("leader", 200), ("liaison_a", 200)):
        assert login(getattr(personas, who)).get("/cases/dashboard/").status_code == status, who
