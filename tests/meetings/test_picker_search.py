"""The invitee picker: prefix matches on the name indexes, and the last 4 digits of an ID number for the roles
that may see ID numbers (``orgs.view_personal_numbers``: managing roles over the person), never shown unmasked."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import make_id_number, make_org, make_person
from tupo.core.masking import mask_id_number
from tupo.meetings import queries, services
from tupo.orgs.models import Organization, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(tree, personas):
    start = timezone.make_aware(dt.datetime(2026, 6, 3, 14, 0))
    return services.create_meeting(personas.org_admin_a, tree.town_a, {
        "kind": "exchange", "title": "基层治理经验交流会", "starts_at": start, "place": "镇会议室"})


def _search(client, meeting, q):
    return client.get(f"/meetings/{meeting.pk}/invitees/search/", {"q": q}, HTTP_HX_REQUEST="true").content.decode()


def test_manager_finds_a_person_by_the_last_four_digits_masked(tree, personas, meeting, login):
    number = tree.person_a2.id_number
    html = _search(login(personas.org_admin_a), meeting, number[-4:])
    assert "王五" in html and mask_id_number(number) in html and number not in html
    assert number[4:-4] not in html  # nothing between the first and last four digits
    assert "ends with these digits" in html and "No organization matches" not in html  # no organization section
    assert "李四" not in html or tree.person_a11.id_number.endswith(number[-4:])


def test_id_search_stays_in_the_meeting_scope_and_the_managed_subtrees(tree, personas, meeting, login):
    outsider = tree.person_b1.id_number[-4:]  # town B: the department sees him, but he is outside the meeting
    html = _search(login(personas.dept_admin), meeting, outsider)
    assert "赵六" not in html or tree.person_a2.id_number.endswith(outsider)
    inside = make_person(tree.village_a1, name="孙八", birth=dt.date(1977, 1, 2))
    html = _search(login(personas.dept_admin), meeting, inside.id_number[-4:])
    assert "孙八" in html and inside.id_number not in html and mask_id_number(inside.id_number) in html


def test_id_search_refused_to_roles_that_may_not_see_id_numbers(tree, personas, meeting):
    # A liaison of town A sees its people (masked) but may not see ID numbers: the search finds nobody.
    found = queries.invitee_candidates(personas.liaison_a, meeting, tree.person_a2.id_number[-4:])
    assert found["people"] == [] and found["by_id"] and found["id_refused"]
    found = queries.invitee_candidates(personas.org_admin_a, meeting, tree.person_a2.id_number[-4:])
    assert found["people"] == [tree.person_a2] and not found["id_refused"]
    # Only exactly four digits (the last may be X) search ID numbers; anything else is a name search.
    for q in ("12345", "12a4", "１２３４"):
        assert not queries.invitee_candidates(personas.org_admin_a, meeting, q)["by_id"]


def test_id_tail_with_x_is_matched_case_insensitively(tree, personas, meeting):
    births = (dt.date(1980, 1, 1) + dt.timedelta(days=i) for i in range(400))
    number = next(n for n in (make_id_number(b) for b in births) if n.endswith("X"))
    person = make_person(tree.village_a2, name="周九", id_number=number)
    assert queries.invitee_candidates(personas.org_admin_a, meeting, number[-4:].lower())["people"] == [person]


def test_organizations_starting_with_the_text_come_first_then_those_containing_it(tree, personas, meeting, login):
    make_org("GM", tree.town_a, name="城关光明社区党委")
    found = queries.invitee_candidates(personas.org_admin_a, meeting, "光明")
    assert [o.name for o in found["orgs"]] == ["光明村党支部", "城关光明社区党委"]
    assert [p.name for p in queries.invitee_candidates(personas.org_admin_a, meeting, "王")["people"]] == ["王五"]
    assert queries.invitee_candidates(personas.org_admin_a, meeting, "五")["people"] == []  # names: prefix only


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
def test_prefix_searches_use_the_name_indexes(tree, personas):
    org_plan = _plan(Organization.objects.filter(queries.name_prefix_q("光明")).order_by("name", "id")[:10])
    assert "org_name_prefix_idx (name>? AND name<?)" in org_plan, org_plan
    person_plan = _plan(Person.objects.filter(queries.name_prefix_q("王")).order_by("name", "id")[:10])
    assert "person_name_idx (name>? AND name<?)" in person_plan, person_plan
    # What the picker used before: Django's startswith (LIKE … ESCAPE) cannot use the index on SQLite.
    assert "name>?" not in _plan(Person.objects.filter(name__startswith="王").order_by("name", "id")[:10])


def test_prefix_range_matches_exactly_the_names_starting_with_the_text(tree):
    for name in ("光明", "光明村党支部", "光", "光明\U0001f600", "光明 ", "光昍"):
        make_org(f"N{len(Organization.objects.all())}", tree.town_a, name=name)
    found = set(Organization.objects.filter(queries.name_prefix_q("光明")).values_list("name", flat=True))
    assert found == {"光明", "光明村党支部", "光明\U0001f600", "光明 "}
