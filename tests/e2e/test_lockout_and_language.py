"""Journeys 4 and 5: the account lock after wrong passwords, and switching the interface language."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect
from tests.conftest import PASSWORD

from tupo.core.models import AuditEvent

HOME = re.compile(r"^https?://[^/]+/$")


@pytest.mark.e2e
def test_five_wrong_passwords_lock_the_account(e2e_db, personas, page, log_in, shot):
    seen = []
    for attempt in range(1, 6):
        log_in(page, "liaison_a", f"wrong-{attempt}-{PASSWORD}")
        expect(page).not_to_have_url(HOME)
        locked = page.locator("h1", has_text=re.compile("账户已锁定|账号已锁定|Account locked")).count() > 0
        seen.append("locked" if locked else "error")
        if attempt < 5:
            # Before the limit: the ordinary message on the login form, which stays usable.
            expect(page.locator("form.tupo-form .alert-danger")).to_be_visible()
            expect(page.locator("#id_password")).to_be_visible()
    shot(page, "fifth-wrong-password")

    # The sixth attempt, with the right password: still the locked page, and no session.
    log_in(page, "liaison_a", PASSWORD)
    expect(page).not_to_have_url(HOME)
    expect(page.locator(".login-wrap h1")).to_be_visible()
    expect(page.locator("#id_password")).to_have_count(0)
    expect(page.locator("nav.sidebar")).to_have_count(0)
    expect(page.locator(".login-wrap a[href='/accounts/login/']")).to_be_visible()
    text = page.locator(".login-wrap").inner_text()
    assert "15" in text, text  # the lock time of the security policy is stated
    shot(page, "locked-with-right-password")
    # The page address stays the login form; going home still asks for the login.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert AuditEvent.objects.filter(event_type="auth.login_failed", object_repr="liaison_a").count() >= 5
    assert not AuditEvent.objects.filter(event_type="auth.login", actor_username="liaison_a").exists()
    # The fifth wrong password reaches the limit (5) and already answers with the locked page, as the login
    # page announces ("after 5 wrong passwords the account is locked").
    assert seen == ["error"] * 4 + ["locked"], seen
    assert page.server_errors == []


@pytest.mark.e2e
def test_language_switch(e2e_db, personas, page, log_in, shot):
    with translation.override("zh-hans"):
        zh_orgs, zh_logout = translation.gettext("Organizations"), translation.gettext("Log out")
    log_in(page, "dept_admin", PASSWORD)
    expect(page).to_have_url(HOME)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator('nav.sidebar a[href="/orgs/"]')).to_have_text(zh_orgs)
    shot(page, "home-chinese")

    # To the organizations page first, to check that the switch keeps the page.
    page.locator('nav.sidebar a[href="/orgs/"]').click()
    org_url = page.url
    page.locator("header .lang-form button", has_text="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == org_url
    expect(page.locator('nav.sidebar a[href="/orgs/"]')).to_have_text("Organizations")
    expect(page.locator('nav.sidebar a[href="/orgs/people/"]')).to_have_text("People")
    expect(page.locator("header form[action='/accounts/logout/'] button")).to_have_text("Log out")
    expect(page.locator("main")).to_contain_text("Organizations in this subtree")
    shot(page, "org-english")

    # The choice sticks while browsing.
    page.locator('nav.sidebar a[href="/"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Welcome, dept_admin")

    page.locator("header .lang-form button", has_text="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator('nav.sidebar a[href="/orgs/"]')).to_have_text(zh_orgs)
    expect(page.locator("header form[action='/accounts/logout/'] button")).to_have_text(zh_logout)
    expect(page.locator("h1")).not_to_contain_text("Welcome")
    shot(page, "home-chinese-again")
    assert zh_orgs != "Organizations", "the Chinese catalogue is not compiled"
    assert page.server_errors == []
