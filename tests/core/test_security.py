import pytest
from django.test import Client
from tests.factories import PASSWORD


def test_security_headers_are_sent(client, db):
    r = client.get("/accounts/login/")
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"


def test_posts_without_a_csrf_token_are_refused(personas):
    c = Client(enforce_csrf_checks=True)
    r = c.post("/accounts/login/", {"username": "leader", "password": PASSWORD})
    assert r.status_code == 403


def test_pages_load_no_third_party_assets(client, personas, login):
    body = login(personas.dept_admin).get("/").content.decode()
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body


def test_the_ui_is_chinese_by_default(client, db, settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override(None):
        body = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="").content.decode()
    assert "登录" in body


@pytest.mark.parametrize("lang,word", [("en", "Log in"), ("zh-hans", "登录")])
def test_the_language_can_be_switched(client, db, lang, word):
    client.post("/i18n/setlang/", {"language": lang, "next": "/accounts/login/"})
    assert word in client.get("/accounts/login/").content.decode()


def test_the_api_docs_load_swagger_from_our_own_static_files(client, db):
    body = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body and "cdn" not in body


def test_the_sidebar_is_grouped_and_highlights_one_entry(personas, login):
    r = login(personas.dept_admin).get("/orgs/people/")
    titles = [str(t) for t, _entries in r.context["nav_groups"] if t]
    assert titles[:2] == ["Basic data", "Innovation topics"]
    assert r.content.decode().count('aria-current="page"') == 1
    assert r.context["nav_active"] == "people"
