"""Journey (public side of the award): read the published notice without login, object under real name,
receive a receipt number and look up the outcome; a missing name is refused with a clear message."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.awards.helpers import build

from tupo.awards.models import Objection


@pytest.mark.e2e
def test_awards_public_journey(e2e_db, personas, tree, new_page, shot):
    w = build(tree, personas)
    page = new_page(locale="en")
    page.goto(f"/awards/public/{w.cycle.pk}/notice/")
    expect(page.locator("#notice h1")).to_have_text(w.notice.title)
    expect(page.locator("#notice")).to_contain_text("积分制管理激活村级组织")
    expect(page.locator("#notice")).not_to_contain_text(w.b1.title)
    shot(page, "public-notice")
    page.get_by_role("link", name="Submit an objection (real name)").click()
    page.fill("#id_content", "成效数据与实际不符。")
    page.click("#objection-form button[type=submit]")
    expect(page.locator("#objection-form")).to_contain_text("Give your real name")
    page.fill("#id_name", "王某")
    page.fill("#id_contact", "13800000000")
    page.select_option("#id_nomination", str(w.a1.pk))
    page.click("#objection-form button[type=submit]")
    receipt = Objection.objects.get().receipt
    expect(page.locator("#receipt")).to_have_text(receipt)
    expect(page.locator("#receipt-result")).to_contain_text("Being handled")
    shot(page, "objection-receipt")
    assert not page.server_errors and not page.console_errors
