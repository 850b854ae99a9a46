import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.factories import make_id_number, make_person

from tupo.core.models import AuditEvent
from tupo.core.services import ConcurrentEditError, InvalidTransition
from tupo.orgs import services, stats
from tupo.orgs.models import Organization, Person, PersonEvent


def test_creating_a_person_derives_birth_date_and_sex_from_the_id_number(tree, personas):
    number = make_id_number(dt.date(1988, 2, 29), male=False)
    p = services.create_person(personas.org_admin_a, tree.village_a2, {
        "name": "孙八", "id_number": number, "joined_on": dt.date(2010, 1, 1), "full_member_on": dt.date(2011, 1, 1),
        "phone": "139 0000 1111"})
    assert (p.birth_date, p.sex, p.phone) == (dt.date(1988, 2, 29), "female", "13900001111")
    assert p.org_path == tree.village_a2.path
    assert PersonEvent.objects.filter(person=p, kind="created").exists()
    assert AuditEvent.objects.filter(event_type="person.create", object_id=str(p.pk), actor_id=personas.org_admin_a.pk).exists()


def test_a_contradicting_birth_date_is_refused_and_nothing_is_written(tree, personas):
    before = Person.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_person(personas.dept_admin, tree.town_a, {
            "name": "x", "id_number": make_id_number(dt.date(1990, 1, 1)), "birth_date": dt.date(1991, 1, 1),
            "joined_on": dt.date(2015, 1, 1), "full_member_on": dt.date(2016, 1, 1)})
    assert "birth_date" in exc.value.message_dict
    assert Person.objects.count() == before


def test_a_duplicate_id_number_is_refused(tree, personas):
    with pytest.raises(ValidationError) as exc:
        services.create_person(personas.dept_admin, tree.town_a, {
            "name": "x", "id_number": tree.person_b1.id_number, "joined_on": dt.date(2015, 1, 1),
            "full_member_on": dt.date(2016, 1, 1)})
    assert "already registered" in str(exc.value)


def test_an_admin_cannot_add_people_outside_their_subtree(tree, personas):
    with pytest.raises(PermissionDenied):
        make_person_as(personas.org_admin_a, tree.village_b1)
    assert AuditEvent.objects.filter(event_type="denied:orgs.add_person", result="denied").exists()


def make_person_as(actor, org):
    return services.create_person(actor, org, {"name": "x", "id_number": make_id_number(), "joined_on": dt.date(2015, 1, 1),
                                               "full_member_on": dt.date(2016, 1, 1)})


def test_the_second_of_two_concurrent_edits_is_told_not_overwritten(tree, personas):
    first = Person.objects.get(pk=tree.person_a2.pk)
    second = Person.objects.get(pk=tree.person_a2.pk)
    services.update_person(personas.dept_admin, first, {"position": "组织委员"}, expected_version=first.version)
    with pytest.raises(ConcurrentEditError):
        services.update_person(personas.org_admin_a, second, {"position": "宣传委员"}, expected_version=second.version)
    assert Person.objects.get(pk=tree.person_a2.pk).position == "组织委员"


def test_a_transfer_moves_the_person_keeps_history_and_updates_both_subtrees(tree, personas):
    p = services.transfer_person(personas.dept_admin, tree.person_a2, tree.village_b1, reason="工作调动")
    assert p.org == tree.village_b1 and p.org_path == tree.village_b1.path
    event = PersonEvent.objects.get(person=p, kind="transfer")
    assert (event.from_org, event.to_org, event.reason) == (tree.village_a2, tree.village_b1, "工作调动")
    assert stats.figures_for(tree.town_a).get_count("people") == 1
    assert stats.figures_for(tree.town_b).get_count("people") == 2


def test_an_org_admin_cannot_transfer_into_another_subtree(tree, personas):
    with pytest.raises(PermissionDenied):
        services.transfer_person(personas.org_admin_a, tree.person_a2, tree.village_b1, reason="x")
    assert Person.objects.get(pk=tree.person_a2.pk).org == tree.village_a2


def test_a_transfer_needs_a_reason(tree, personas):
    with pytest.raises(ValidationError):
        services.transfer_person(personas.dept_admin, tree.person_a2, tree.village_b1, reason="  ")


def test_probationary_member_becomes_full_with_a_date(tree, personas):
    p = make_person(tree.village_a2, status="probationary", full_member_on=None, joined_on=dt.date(2025, 1, 1))
    p = services.change_status(personas.org_admin_a, p, "full", reason="按期转正", on=dt.date(2026, 1, 2))
    assert p.status == "full" and p.full_member_on == dt.date(2026, 1, 2)


@pytest.mark.parametrize("start,target", [("full", "probationary"), ("full", "full"), ("non_member", "full")])
def test_forbidden_status_transitions_are_refused(tree, personas, start, target):
    kwargs = {"status": start}
    if start == "non_member":
        kwargs.update(joined_on=None, full_member_on=None)
    p = make_person(tree.village_a2, **kwargs)
    with pytest.raises(InvalidTransition):
        services.change_status(personas.dept_admin, p, target, reason="x")
    assert Person.objects.get(pk=p.pk).status == start


def test_a_leader_may_view_but_not_change(tree, personas):
    with pytest.raises(PermissionDenied):
        services.update_person(personas.leader, tree.person_a2, {"position": "x"}, expected_version=tree.person_a2.version)


def test_assigning_a_secretary_replaces_the_previous_one(tree, personas):
    services.assign_post(personas.dept_admin, tree.village_a2, tree.person_a2, "secretary")
    other = make_person(tree.village_a2, name="新书记")
    services.assign_post(personas.dept_admin, tree.village_a2, other, "secretary")
    org = Organization.objects.get(pk=tree.village_a2.pk)
    assert org.secretary == other
    assert org.posts.filter(post="secretary", ended_on__isnull=True).count() == 1


def test_a_post_needs_a_person_from_the_organization(tree, personas):
    with pytest.raises(ValidationError):
        services.assign_post(personas.dept_admin, tree.village_a2, tree.person_b1, "secretary")


def test_transfer_ends_the_posts_held_in_the_old_organization(tree, personas):
    services.assign_post(personas.dept_admin, tree.village_a2, tree.person_a2, "secretary")
    services.transfer_person(personas.dept_admin, tree.person_a2, tree.village_b1, reason="调动")
    assert Organization.objects.get(pk=tree.village_a2.pk).secretary is None


def test_incremental_rollups_equal_a_rebuild_after_many_changes(tree, personas):
    for i in range(6):
        make_person(tree.branch_a11 if i % 2 else tree.village_b1, name=f"人{i}", male=i % 3 == 0,
                    birth=dt.date(1960 + i * 7, 1, 1))
    services.transfer_person(personas.dept_admin, tree.person_a2, tree.village_b1, reason="x")
    services.change_status(personas.dept_admin, tree.person_b1, "lost_contact", reason="x")
    services.assign_post(personas.dept_admin, tree.town_b, tree.person_b1, "secretary")
    services.update_organization(personas.dept_admin, tree.village_a1, {"org_category": "school"}, expected_version=tree.village_a1.version)
    incremental = {o.pk: stats.stored_figures(o) for o in Organization.objects.filter(depth__lte=stats.MATERIALIZED_DEPTH)}
    stats.rebuild()
    for org in Organization.objects.filter(depth__lte=stats.MATERIALIZED_DEPTH):
        assert stats.stored_figures(org) == incremental[org.pk], org.name
        assert stats.live_figures(org.path) == incremental[org.pk], org.name
