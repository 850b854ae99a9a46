"""Linking cases to a brand ("the cases that show it"), on the brand page and through the brands API.

Personas: org_admin_a manages town A (the brand's organization is village A1), dept_admin the county; leader and
liaison_a see the brand but may not link (403); org_admin_b sees the brand only once it is recognized.
"""

import pytest

from tests.cases.factories import make_case, publish
from tests.cases.test_brands_api import bearer
from tests.cases.test_cases import BRAND
from tupo.cases import services
from tupo.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand(tree, personas):
    b = services.apply_brand(personas.org_admin_a, tree.village_a1, BRAND)
    for step in ("screened", "recognized"):
        b = services.transition_brand(personas.dept_admin, b, step)
    return b


@pytest.fixture
def published(tree, personas):
    """A published case of town B: every business user sees it."""
    return publish(make_case(personas.org_admin_b, tree.village_b1, title="向阳村红色议事厅"), personas.org_admin_b,
                   personas.dept_admin)


def test_org_admin_links_and_unlinks_on_the_brand_page(tree, personas, brand, published, login):
    client = login(personas.org_admin_a)
    page = client.get(f"/cases/brands/{brand.pk}/").content.decode()
    assert "Link a published case" in page and f'<option value="{published.pk}">' in page
    r = client.post(f"/cases/brands/{brand.pk}/cases/", {"case": published.pk}, follow=True)
    assert "linked to the brand" in r.content.decode()
    assert list(brand.cases.all()) == [published]
    page = client.get(f"/cases/brands/{brand.pk}/").content.decode()
    assert f'data-unlink-case="{published.pk}"' in page and f'<option value="{published.pk}">' not in page
    r = client.post(f"/cases/brands/{brand.pk}/cases/", {"case": published.pk}, follow=True)
    assert "already linked" in r.content.decode() and brand.cases.count() == 1
    # Anyone who sees the brand sees the case on its page; only managers get the buttons.
    other = login(personas.org_admin_b).get(f"/cases/brands/{brand.pk}/").content.decode()
    assert "向阳村红色议事厅" in other and "data-unlink-case" not in other and "Link a published case" not in other
    client = login(personas.org_admin_a)  # the login fixture reuses one client
    r = client.post(f"/cases/brands/{brand.pk}/cases/{published.pk}/unlink/", follow=True)
    assert "unlinked from the brand" in r.content.decode() and not brand.cases.exists()
    events = [e.event_type for e in AuditEvent.objects.filter(event_type__startswith="brand.").order_by("id")]
    assert events[-2:] == ["brand.link_case", "brand.unlink_case"]


def test_page_refuses_unpublished_and_hidden_cases(tree, personas, brand, published, login):
    draft = make_case(personas.org_admin_a, tree.village_a2, title="光明村草稿案例")  # org_admin_a sees it
    hidden = make_case(personas.org_admin_b, tree.village_b1, title="龙泉镇草稿案例")  # org_admin_a does not
    client = login(personas.org_admin_a)
    assert f'<option value="{draft.pk}">' not in client.get(f"/cases/brands/{brand.pk}/").content.decode()
    r = client.post(f"/cases/brands/{brand.pk}/cases/", {"case": draft.pk}, follow=True)
    assert "Only published cases can be linked" in r.content.decode()
    assert client.post(f"/cases/brands/{brand.pk}/cases/", {"case": hidden.pk}).status_code == 404
    assert client.post(f"/cases/brands/{brand.pk}/cases/", {"case": "abc"}).status_code == 404
    assert not brand.cases.exists()


@pytest.mark.parametrize("who,status", [("leader", 403), ("liaison_a", 403), ("org_admin_b", 403), ("expert", 403),
                                        ("member_a", 403), ("auditadmin", 404)])
def test_page_refused_roles(tree, personas, brand, published, login, who, status):
    client = login(getattr(personas, who))
    assert client.post(f"/cases/brands/{brand.pk}/cases/", {"case": published.pk}).status_code == status
    assert not brand.cases.exists()
    services.link_brand_case(personas.org_admin_a, brand, published)
    assert client.post(f"/cases/brands/{brand.pk}/cases/{published.pk}/unlink/").status_code == status
    assert brand.cases.count() == 1


def test_department_links_through_the_api(tree, personas, brand, published, client):
    h = bearer(personas.dept_admin)
    r = client.post(f"/api/v1/brands/{brand.pk}/cases", {"case": published.pk}, content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["case_ids"] == [published.pk] and r.json()["changed"] is True
    r = client.post(f"/api/v1/brands/{brand.pk}/cases", {"case": published.pk}, content_type="application/json", **h)
    assert r.json()["changed"] is False and "already linked" in r.json()["detail"]
    assert client.get(f"/api/v1/brands/{brand.pk}", **bearer(personas.org_admin_b)).json()["case_ids"] == [published.pk]
    r = client.delete(f"/api/v1/brands/{brand.pk}/cases/{published.pk}", **h)
    assert r.status_code == 200 and r.json()["case_ids"] == [] and r.json()["changed"] is True
    assert client.delete(f"/api/v1/brands/{brand.pk}/cases/{published.pk}", **h).json()["changed"] is False
    assert AuditEvent.objects.filter(event_type__in=["brand.link_case", "brand.unlink_case"]).count() == 2


def test_api_refusals(tree, personas, brand, published, client):
    h = bearer(personas.org_admin_a)
    url = f"/api/v1/brands/{brand.pk}/cases"
    hidden = make_case(personas.org_admin_b, tree.village_b1, title="龙泉镇草稿案例")
    assert client.post(url, {"case": hidden.pk}, content_type="application/json", **h).status_code == 404
    submitted = services.transition_case(personas.org_admin_a, make_case(personas.org_admin_a, tree.village_a2), "submitted")
    r = client.post(url, {"case": submitted.pk}, content_type="application/json", **h)
    assert r.status_code == 422 and "Only published cases" in r.json()["errors"]["case"][0]
    assert client.post(url, {"case": "x"}, content_type="application/json", **h).status_code == 422
    for who, status in (("leader", 403), ("liaison_a", 403), ("org_admin_b", 403), ("auditadmin", 404)):
        r = client.post(url, {"case": published.pk}, content_type="application/json", **bearer(getattr(personas, who)))
        assert r.status_code == status, who
    applied = services.apply_brand(personas.org_admin_a, tree.village_a2,
                                   {**BRAND, "name": "光明驿站", "meaning": "便民服务", "work_method": "五步工作法"})
    r = client.post(f"/api/v1/brands/{applied.pk}/cases", {"case": published.pk}, content_type="application/json",
                    **bearer(personas.org_admin_b))
    assert r.status_code == 404  # a brand still applied for is not visible outside its scope
    assert not brand.cases.exists() and not applied.cases.exists()
