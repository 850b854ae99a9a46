"""Brands through the API (bearer token): listing what the caller may see, applying with a logo (multipart)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.test_cases import BRAND, PNG_1PX
from tupo.accounts.services import create_token
from tupo.cases import services
from tupo.cases.models import Brand
from tupo.core.services import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(SYSTEM, user, name='t')[1]}"}


def _form(org, **kw):
    return {"org": org.pk, "name": "红色引擎", "level": "town", "field": "party_building", "year": 2025,
            "meaning": "党建引领发展", "vehicle": "党员先锋岗", "work_method": "三个一工作法", **kw}


def test_list_and_read_only_visible_brands(tree, personas, client):
    applied = services.apply_brand(personas.org_admin_a, tree.village_a1, BRAND)
    other = services.apply_brand(personas.org_admin_a, tree.village_a2,
                                 {**BRAND, "name": "光明驿站", "meaning": "便民服务", "work_method": "五步工作法"})
    for step in ("screened", "recognized"):
        services.transition_brand(personas.dept_admin, other, step)
    h = bearer(personas.org_admin_b)
    assert [b["id"] for b in client.get("/api/v1/brands", **h).json()] == [other.pk]  # only the recognized one
    assert client.get(f"/api/v1/brands/{applied.pk}", **h).status_code == 404
    body = client.get(f"/api/v1/brands/{other.pk}", **h).json()
    assert body["name"] == "光明驿站" and body["status"] == "recognized" and body["has_logo"] is False
    ha = bearer(personas.org_admin_a)
    assert {b["id"] for b in client.get("/api/v1/brands", **ha).json()} == {applied.pk, other.pk}
    assert [b["id"] for b in client.get("/api/v1/brands?status=applied", **ha).json()] == [applied.pk]
    assert client.get("/api/v1/brands?status=bogus", **ha).status_code == 422
    assert client.get("/api/v1/brands", **bearer(personas.auditadmin)).json() == []
    assert client.get("/api/v1/brands").status_code == 401


def test_org_admin_applies_with_logo_multipart(tree, personas, client):
    h = bearer(personas.org_admin_a)
    r = client.post("/api/v1/brands", {**_form(tree.village_a1), "logo": SimpleUploadedFile("logo.png", PNG_1PX)}, **h)
    assert r.status_code == 201, r.content
    brand = Brand.objects.get(pk=r.json()["id"])
    assert (brand.status, brand.level, brand.logo_type, brand.created_by) == ("applied", "town", "image/png", personas.org_admin_a)
    assert r.json()["has_logo"] is True and brand.transitions.count() == 0
    logo = client.get(f"/api/v1/brands/{brand.pk}/logo", **h)
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png" and logo["X-Content-Type-Options"] == "nosniff"
    r = client.post("/api/v1/brands", _form(tree.village_a2, name="无标志品牌", meaning="志愿服务", work_method="积分制"), **h)
    assert r.status_code == 201 and r.json()["has_logo"] is False


def test_logo_that_is_not_an_image_is_refused_and_nothing_written(tree, personas, client, settings):
    h = bearer(personas.org_admin_a)
    fake = SimpleUploadedFile("logo.png", b"<svg onload='alert(1)'></svg>", content_type="image/png")
    r = client.post("/api/v1/brands", {**_form(tree.village_a1), "logo": fake}, **h)
    assert r.status_code == 422 and "logo" in r.json()["errors"]
    assert not Brand.objects.exists() and not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


@pytest.mark.parametrize("changes", [{"name": ""}, {"meaning": ""}, {"level": "galaxy"}, {"year": 1800}, {"org": 999999}])
def test_bad_application_refused(tree, personas, client, changes):
    r = client.post("/api/v1/brands", {**_form(tree.village_a1), **changes}, **bearer(personas.org_admin_a))
    assert r.status_code in (404, 422) and not Brand.objects.exists()


def test_duplicate_of_recognized_brand_refused(tree, personas, client):
    b = services.apply_brand(personas.org_admin_a, tree.village_a1, BRAND)
    for step in ("screened", "recognized"):
        services.transition_brand(personas.dept_admin, b, step)
    r = client.post("/api/v1/brands", _form(tree.village_b1, name="红色引擎·党建品牌", meaning=BRAND["meaning"],
                                            work_method=BRAND["work_method"]), **bearer(personas.org_admin_b))
    assert r.status_code == 422 and "红色引擎党建品牌" in str(r.json()["errors"]["name"])
    assert Brand.objects.count() == 1


@pytest.mark.parametrize("who,org,status", [
    ("org_admin_b", "village_a1", 404),  # outside their subtree: cannot even see the organization
    ("leader", "village_a1", 403),       # sees it, may not apply
    ("liaison_a", "village_a1", 403),
    ("expert", "village_a1", 404),
])
def test_refused_roles_cannot_apply(tree, personas, client, who, org, status):
    r = client.post("/api/v1/brands", _form(getattr(tree, org)), **bearer(getattr(personas, who)))
    assert r.status_code == status and not Brand.objects.exists()


def test_screening_through_api_is_for_the_department(tree, personas, client):
    b = services.apply_brand(personas.org_admin_a, tree.village_a1, BRAND)
    r = client.post(f"/api/v1/brands/{b.pk}/transition", {"to_status": "screened"}, content_type="application/json",
                    **bearer(personas.org_admin_a))
    assert r.status_code == 403 and Brand.objects.get(pk=b.pk).status == "applied"
    h = bearer(personas.dept_admin)
    r = client.post(f"/api/v1/brands/{b.pk}/transition", {"to_status": "screened"}, content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["status"] == "screened"
    r = client.post(f"/api/v1/brands/{b.pk}/transition", {"to_status": "recommended"}, content_type="application/json", **h)
    assert r.status_code == 409
