"""Journey 2: what an organization administrator and a leader may see of people, and how the numbers look."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from tests.conftest import PASSWORD

from tupo.core.masking import mask_id_number, mask_phone

MASKED_ID = re.compile(r"^\d{4}\*{10}[\dX]{4}$")


def _people_rows(page):
    """{name: (id number cell, phone cell)} of the people table as shown."""
    rows = page.locator("#people-table tbody tr")
    expect(rows.first).to_be_visible()
    out = {}
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        out[cells.nth(0).inner_text().strip()] = (cells.nth(3).inner_text().strip(), cells.nth(4).inner_text().strip())
    return out


@pytest.mark.e2e
def test_org_admin_sees_only_own_town_and_leader_sees_masked_numbers(e2e_db, personas, tree, new_page, log_in, shot):
    # --- organization administrator of town A ------------------------------------------------------------
    page = new_page()
    log_in(page, "org_admin_a", PASSWORD)
    expect(page.locator("nav.sidebar")).to_be_visible()

    # Town B's person and town B itself, by direct address: the 404 page, which says nothing about them.
    for url in (f"/orgs/people/{tree.person_b1.pk}/", f"/orgs/{tree.town_b.pk}/"):
        response = page.goto(url)
        assert response.status == 404, url
        expect(page.locator(".empty-state h1")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text(tree.person_b1.name)
        expect(page.locator("main")).not_to_contain_text(tree.town_b.name)
    shot(page, "org-admin-404")

    # Back home by the page's own link, then the people list from the sidebar.
    page.locator(".empty-state a").click()
    page.locator('nav.sidebar a[href="/orgs/people/"]').click()
    expect(page).to_have_url(re.compile(r"/orgs/people/$"))
    shown = _people_rows(page)
    assert set(shown) == {tree.person_a11.name, tree.person_a2.name}, shown
    # The org admin manages these people: numbers in clear.
    assert shown[tree.person_a11.name] == (tree.person_a11.id_number, tree.person_a11.phone)
    assert shown[tree.person_a2.name][0] == tree.person_a2.id_number
    shot(page, "org-admin-people")

    # --- leader of the county: sees everyone in the county, numbers masked ----------------------------------
    page = new_page()
    log_in(page, "leader", PASSWORD)
    page.locator('nav.sidebar a[href="/orgs/people/"]').click()
    shown = _people_rows(page)
    assert set(shown) == {tree.person_a11.name, tree.person_a2.name, tree.person_b1.name}, shown
    for name, (id_cell, _phone) in shown.items():
        assert MASKED_ID.match(id_cell), (name, id_cell)
    assert shown[tree.person_a11.name] == (mask_id_number(tree.person_a11.id_number), mask_phone(tree.person_a11.phone))
    assert shown[tree.person_a11.name][1] == "138****5678"
    html = page.content()
    for p in (tree.person_a11, tree.person_a2, tree.person_b1):
        assert p.id_number not in html
    shot(page, "leader-people-masked")

    # The leader's person page is masked too.
    page.get_by_role("link", name=tree.person_a11.name, exact=True).click()
    expect(page.locator("h1")).to_contain_text(tree.person_a11.name)
    expect(page.locator("dl.facts dd.mono").first).to_have_text(mask_id_number(tree.person_a11.id_number))
    assert tree.person_a11.id_number not in page.content()
    shot(page, "leader-person-masked")

    assert page.server_errors == []
