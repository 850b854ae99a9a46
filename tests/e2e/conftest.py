"""Browser fixtures for the end-to-end journeys (Playwright's sync API against Debian chromium).

pytest-playwright is not installed on purpose: these few fixtures are all the journeys need.
Screenshots of every important step land in ``tests/e2e/artifacts/`` (ignored by git).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in this thread; Django would then refuse the test's own
# ORM calls (SynchronousOnlyOperation). The live server runs in its own thread and is unaffected.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        pw.stop()


@pytest.fixture
def new_page(browser, live_server, request):
    """Factory: a fresh browser context (own cookies) and page pointed at the live server, Chinese by default."""
    contexts = []

    def _new_page(locale: str = "zh-CN"):
        context = browser.new_context(base_url=live_server.url, locale=locale, accept_downloads=True,
                                      viewport={"width": 1280, "height": 900},
                                      extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9" if locale == "zh-CN" else "en"})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.server_errors = []
        page.on("response", lambda r: r.status >= 500 and page.server_errors.append(f"{r.status} {r.url}"))
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        return page

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def shot(request):
    """shot(page, "step") saves artifacts/<test name>/<nn>-step.png (full page)."""
    ARTIFACTS.mkdir(exist_ok=True)
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    counter = iter(range(1, 1000))

    def _shot(page, name: str) -> Path:
        path = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def log_in():
    """log_in(page, username, password): open the login page, fill the form and submit it as a person would."""

    def _log_in(page, username: str, password: str):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form.tupo-form button[type=submit]")
        page.wait_for_load_state()
        return page

    return _log_in


# --- the append-only audit table versus the transactional test database ----------------------------------
# A live server needs ``transactional_db``, which empties every table after the test with a flush. The audit
# table refuses deletes (database triggers), so the triggers are dropped just before the flush and put back
# just after it, for the tests that run later in the same session.

def _audit_trigger_sql(create: bool) -> list[str]:
    from importlib import import_module

    from django.db import connection

    mig = import_module("tupo.core.migrations.0002_audit_append_only")
    if connection.vendor == "postgresql":
        return mig.POSTGRES if create else mig.POSTGRES_REVERSE
    return mig.SQLITE if create else mig.SQLITE_REVERSE


@pytest.fixture
def e2e_db(transactional_db, request, django_db_blocker):
    """The database for a browser journey: transactional, with the audit triggers lifted before the flush."""
    yield
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in _audit_trigger_sql(create=False):
            cursor.execute(sql)
    request.node._e2e_restore_audit_triggers = django_db_blocker


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After every fixture is torn down (the flush included), put the audit triggers back."""
    yield
    blocker = getattr(item, "_e2e_restore_audit_triggers", None)
    if blocker is not None:
        from django.db import connection

        with blocker.unblock(), connection.cursor() as cursor:
            for sql in _audit_trigger_sql(create=True):
                cursor.execute(sql)
