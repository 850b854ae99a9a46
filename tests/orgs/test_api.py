import datetime as dt

import pytest
import time_machine
from tests.factories import make_id_number

from tupo.accounts.services import create_token, revoke_token
from tupo.core.services import SYSTEM
from tupo.orgs.models import Person


@pytest.fixture
def api(client, personas):
    def _api(user):
        _t, key = create_token(SYSTEM, user, name="t", days=30)
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    return _api


def test_healthz_checks_the_database(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_openapi_is_published(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/people/{person_id}" in spec["paths"]


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer tupo_forged", "Token abc"])
def test_missing_or_wrong_tokens_are_refused(client, db, header):
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    assert client.get("/api/v1/me", **kwargs).status_code == 401


def test_expired_and_revoked_tokens_are_refused(client, personas):
    token, key = create_token(SYSTEM, personas.leader, name="t", days=1)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/me", **auth).status_code == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)):
        assert client.get("/api/v1/me", **auth).status_code == 401
    revoke_token(SYSTEM, token)
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_a_token_of_a_disabled_account_stops_working(client, personas, api):
    auth = api(personas.leader)
    personas.leader.is_active = False
    personas.leader.save()
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_creating_a_person_through_the_api_uses_the_same_validation(client, tree, personas, api):
    auth = api(personas.org_admin_a)
    bad = client.post(f"/api/v1/orgs/{tree.village_a2.pk}/people", {"name": "x", "id_number": "123"},
                      content_type="application/json", **auth)
    assert bad.status_code == 422 and "id_number" in bad.json()["errors"]
    number = make_id_number()
    ok = client.post(f"/api/v1/orgs/{tree.village_a2.pk}/people",
                     {"name": "新人", "id_number": number, "joined_on": "2015-07-01", "full_member_on": "2016-07-01"},
                     content_type="application/json", **auth)
    assert ok.status_code == 201, ok.content
    assert Person.objects.get(id_number=number).org == tree.village_a2


def test_forging_another_organizations_id_in_the_api_is_404(client, tree, personas, api):
    auth = api(personas.org_admin_a)
    r = client.post(f"/api/v1/orgs/{tree.village_b1.pk}/people", {"name": "x", "id_number": make_id_number()},
                    content_type="application/json", **auth)
    assert r.status_code == 404
    r = client.post(f"/api/v1/people/{tree.person_a2.pk}/transfer", {"to_org": tree.village_b1.pk, "reason": "x"},
                    content_type="application/json", **auth)
    assert r.status_code == 404


def test_a_stale_version_gets_409_and_changes_nothing(client, tree, personas, api):
    auth = api(personas.dept_admin)
    v = tree.person_a2.version
    first = client.patch(f"/api/v1/people/{tree.person_a2.pk}", {"version": v, "position": "一"}, content_type="application/json", **auth)
    second = client.patch(f"/api/v1/people/{tree.person_a2.pk}", {"version": v, "position": "二"}, content_type="application/json", **auth)
    assert (first.status_code, second.status_code) == (200, 409)
    assert Person.objects.get(pk=tree.person_a2.pk).position == "一"


def test_people_list_masks_numbers_for_view_only_roles(client, tree, personas, api):
    items = client.get("/api/v1/people", **api(personas.leader)).json()["items"]
    assert items and all("*" in p["id_number"] for p in items)
    items = client.get("/api/v1/people", **api(personas.dept_admin)).json()["items"]
    assert any(p["id_number"] == tree.person_a11.id_number for p in items)


def test_dashboard_figures_in_the_api_match_the_page(client, tree, personas, api):
    data = client.get(f"/api/v1/orgs/{tree.county.pk}/dashboard", **api(personas.leader)).json()
    assert data["people_total"] == 3 and data["orgs_total"] == 7
    assert client.get(f"/api/v1/orgs/{tree.county.pk}/dashboard", **api(personas.org_admin_a)).status_code == 404


def test_an_invalid_status_transition_is_409(client, tree, personas, api):
    r = client.post(f"/api/v1/people/{tree.person_a2.pk}/status", {"status": "probationary", "reason": "x"},
                    content_type="application/json", **api(personas.dept_admin))
    assert r.status_code == 409
