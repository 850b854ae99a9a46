"""Who sees and who changes what: each role × each relation to the target (own, ancestor, descendant,
sibling, unrelated), for pages and for the API. Hidden → 404, visible but not changeable → 403."""

import pytest

from tupo.accounts.services import create_token
from tupo.core.services import SYSTEM

ORGS = ["C", "TA", "A11", "TB", "B1", "X"]
PEOPLE = ["a11", "a2", "b1", "x"]

# persona → (orgs it may open, people it may open, people it may change)
MATRIX = {
    "dept_admin": ({"C", "TA", "A11", "TB", "B1"}, {"a11", "a2", "b1"}, {"a11", "a2", "b1"}),
    "leader": ({"C", "TA", "A11", "TB", "B1"}, {"a11", "a2", "b1"}, set()),
    "org_admin_a": ({"TA", "A11"}, {"a11", "a2"}, {"a11", "a2"}),
    "liaison_a": ({"TA", "A11"}, {"a11", "a2"}, set()),
    "member_a": ({"A11"}, {"a11"}, set()),
    "expert": ({"C"}, set(), set()),
    "sysadmin": (set(ORGS), set(), set()),
    "secadmin": (set(ORGS), set(), set()),
    "auditadmin": (set(), set(), set()),
    "nobody": (set(), set(), set()),
}


def org_by_code(tree, code):
    return {"C": tree.county, "TA": tree.town_a, "A11": tree.branch_a11, "TB": tree.town_b, "B1": tree.village_b1,
            "X": tree.other}[code]


def person_by_key(tree, key):
    return {"a11": tree.person_a11, "a2": tree.person_a2, "b1": tree.person_b1, "x": tree.person_x}[key]


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_organization_pages(persona, tree, personas, login):
    c = login(getattr(personas, persona))
    can_see = MATRIX[persona][0]
    for code in ORGS:
        org = org_by_code(tree, code)
        expected = 200 if code in can_see else 404
        assert c.get(f"/orgs/{org.pk}/").status_code == expected, (persona, code)


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_person_pages_and_edits(persona, tree, personas, login):
    c = login(getattr(personas, persona))
    _orgs, can_see, can_change = MATRIX[persona]
    for key in PEOPLE:
        person = person_by_key(tree, key)
        assert c.get(f"/orgs/people/{person.pk}/").status_code == (200 if key in can_see else 404), (persona, key)
        edit = 200 if key in can_change else 403 if key in can_see else 404
        assert c.get(f"/orgs/people/{person.pk}/edit/").status_code == edit, (persona, key)
        post = c.post(f"/orgs/people/{person.pk}/status/", {"status": "lost_contact", "reason": "x", "version": person.version})
        assert post.status_code == (302 if key in can_change else 403 if key in can_see else 404), (persona, key)


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_api_obeys_the_same_rules(persona, tree, personas, client):
    user = getattr(personas, persona)
    _token, key = create_token(SYSTEM, user, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    orgs, can_see, can_change = MATRIX[persona]
    for code in ORGS:
        org = org_by_code(tree, code)
        assert client.get(f"/api/v1/orgs/{org.pk}", **auth).status_code == (200 if code in orgs else 404), (persona, code)
    for k in PEOPLE:
        person = person_by_key(tree, k)
        assert client.get(f"/api/v1/people/{person.pk}", **auth).status_code == (200 if k in can_see else 404), (persona, k)
        r = client.patch(f"/api/v1/people/{person.pk}", {"version": person.version, "position": "委员"},
                         content_type="application/json", **auth)
        assert r.status_code == (200 if k in can_change else 403 if k in can_see else 404), (persona, k, r.content)


def test_lists_never_include_people_of_a_sibling_organization(tree, personas, login):
    c = login(personas.org_admin_a)
    body = c.get("/orgs/people/").content.decode()
    assert tree.person_a2.name in body and tree.person_b1.name not in body
    forged = c.get(f"/orgs/people/?org={tree.town_b.pk}")
    assert forged.status_code == 404


def test_exports_follow_visibility_and_mask_numbers_for_view_only_roles(tree, personas, login):
    import io

    from openpyxl import load_workbook

    c = login(personas.leader)
    wb = load_workbook(io.BytesIO(c.get("/orgs/people/export/").content))
    rows = list(wb.active.iter_rows(values_only=True))
    names = {r[0] for r in rows[1:]}
    assert names == {tree.person_a11.name, tree.person_a2.name, tree.person_b1.name}
    ids = {r[3] for r in rows[1:]}
    assert all("*" in i for i in ids)
    assert tree.person_a11.id_number not in str(rows)
    c = login(personas.dept_admin)
    wb = load_workbook(io.BytesIO(c.get("/orgs/people/export/").content))
    assert tree.person_a11.id_number in str(list(wb.active.iter_rows(values_only=True)))


def test_lists_mask_numbers_for_a_leader(tree, personas, login):
    body = login(personas.leader).get("/orgs/people/").content.decode()
    assert tree.person_a11.id_number not in body and "138****5678" in body


def test_a_member_sees_their_own_numbers(tree, personas, login):
    body = login(personas.member_a).get(f"/orgs/people/{tree.person_a11.pk}/").content.decode()
    assert tree.person_a11.id_number in body


def test_the_dashboard_is_for_subtree_roles_only(tree, personas, login):
    assert login(personas.leader).get(f"/orgs/{tree.county.pk}/dashboard/").status_code == 200
    assert login(personas.org_admin_a).get(f"/orgs/{tree.county.pk}/dashboard/").status_code == 404
    assert login(personas.member_a).get(f"/orgs/{tree.branch_a11.pk}/dashboard/").status_code == 404


def test_sub_organizations_are_linked_only_where_the_user_may_go(tree, personas, login):
    body = login(personas.expert).get(f"/orgs/{tree.county.pk}/").content.decode()
    assert tree.town_a.name in body
    assert f'href="/orgs/{tree.town_a.pk}/"' not in body
    body = login(personas.dept_admin).get(f"/orgs/{tree.county.pk}/").content.decode()
    assert f'href="/orgs/{tree.town_a.pk}/"' in body
