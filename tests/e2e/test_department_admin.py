"""Journey 1: a department administrator registers, transfers and imports people, then reads the basic data."""

from __future__ import annotations

import re

import openpyxl
import pytest
from playwright.sync_api import expect
from tests.conftest import PASSWORD, make_id_number

from tupo.orgs.models import Organization, Person, PersonEvent
from tupo.orgs.stats import figures_for

HOME = re.compile(r"^https?://[^/]+/$")  # the home page, no query string


def _wrong_check_digit(number: str) -> str:
    """The same number with a different (hence wrong) GB 11643 check digit."""
    return number[:-1] + ("0" if number[-1] != "0" else "1")


@pytest.mark.e2e
def test_department_admin_journey(e2e_db, personas, tree, page, log_in, shot, tmp_path):
    # --- log in through the form; home shows the figures of the county --------------------------------
    log_in(page, "dept_admin", PASSWORD)
    expect(page).to_have_url(HOME)
    figures = figures_for(tree.county)
    stats = page.locator(".card-grid .stat .num")
    expect(stats).to_have_count(4)
    expect(stats.nth(0)).to_have_text(str(figures.get_count("orgs")))
    expect(stats.nth(1)).to_have_text(str(figures.get_count("people")))
    assert figures.get_count("people") == 3  # the county holds 李四, 王五, 赵六
    shot(page, "home")

    # --- sidebar → organizations: the county page, then down the tree to branch A1-1 --------------------
    page.locator('nav.sidebar a[href="/orgs/"]').click()
    expect(page.locator("h1")).to_have_text(tree.county.name)
    expect(page.locator("nav.sidebar a.active")).to_have_attribute("href", "/orgs/")
    page.get_by_role("link", name=tree.town_a.name, exact=True).click()
    expect(page.locator("h1")).to_have_text(tree.town_a.name)
    # Expand village A1 in place (htmx), then open its branch.
    page.locator(f"#org-{tree.village_a1.pk} .tree-toggle").click()
    branch_link = page.locator(f"#sub-{tree.village_a1.pk}").get_by_role("link", name=tree.branch_a11.name)
    expect(branch_link).to_be_visible()
    shot(page, "town-a-expanded")
    branch_link.click()
    expect(page.locator("h1")).to_have_text(tree.branch_a11.name)
    shot(page, "branch")

    # --- add a person: a wrong check digit first (error next to the field, nothing saved) ----------------
    page.locator(f'a[href="/orgs/{tree.branch_a11.pk}/people/new/"]').click()
    expect(page).to_have_url(re.compile(rf"/orgs/{tree.branch_a11.pk}/people/new/$"))
    good_number = make_id_number()
    people_before = Person.objects.count()
    page.fill("#id_name", "孙八")
    page.fill("#id_id_number", _wrong_check_digit(good_number))
    page.fill("#id_joined_on", "2018-07-01")
    page.click("main form button[type=submit]")
    error = page.locator(".field.has-error", has=page.locator("#id_id_number")).locator(".error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("GB 11643")
    assert Person.objects.count() == people_before
    assert not Person.objects.filter(name="孙八").exists()
    shot(page, "add-person-bad-id")

    page.fill("#id_id_number", good_number)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/orgs/people/\d+/$"))
    person = Person.objects.get(id_number=good_number)
    assert page.url.endswith(f"/orgs/people/{person.pk}/")
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("孙八")
    # The department administrator manages the person: numbers in clear.
    expect(page.locator("dl.facts dd.mono").first).to_have_text(good_number)
    assert person.org_id == tree.branch_a11.pk
    assert person.birth_date.isoformat() == "1990-03-07"
    shot(page, "person-added")

    # --- transfer to village A2 by code, with a reason; the history shows it --------------------------------
    transfer = page.locator(f'form[action="/orgs/people/{person.pk}/transfer/"]')
    transfer.locator('input[name="to_org_code"]').fill(tree.village_a2.code)
    transfer.locator('textarea[name="reason"]').fill("工作调动到光明村")
    transfer.locator("button").click()
    expect(page.locator(".messages .alert-success")).to_contain_text(tree.village_a2.name)
    history = page.locator("ul.timeline")
    expect(history).to_contain_text(f"{tree.branch_a11.name} → {tree.village_a2.name}")
    expect(history).to_contain_text("工作调动到光明村")
    person.refresh_from_db()
    assert person.org_id == tree.village_a2.pk
    assert PersonEvent.objects.filter(person=person, kind="transfer", to_org=tree.village_a2).count() == 1
    shot(page, "person-transferred")

    # --- import: the template, a file with one bad row (nothing imported), then a good file ----------------
    page.locator('nav.sidebar a[href="/orgs/import/"]').click()
    expect(page).to_have_url(re.compile(r"/orgs/import/$"))
    with page.expect_download() as info:
        page.locator('a[href="/orgs/import/template/people.xlsx"]').click()
    download = info.value
    assert download.suggested_filename == "members-template.xlsx"
    template = tmp_path / download.suggested_filename
    download.save_as(template)
    header = [c.value for c in openpyxl.load_workbook(template).worksheets[0][1]]
    assert len(header) == 13 and all(header), header
    shot(page, "import-page")

    def workbook(rows, name):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(header)
        for row in rows:
            ws.append([row.get(i) for i in range(len(header))])
        path = tmp_path / name
        wb.save(path)
        return path

    # Columns by position, as in the template: 0 organization code, 1 name, 2 ID number, 9 joined the Party on,
    # 10 full membership on (a full member needs both dates).
    good_1, good_2 = make_id_number(), make_id_number(male=False)
    dates = {9: "2015-07-01", 10: "2016-07-01"}
    bad_file = workbook([{0: "A1", 1: "周九", 2: good_1, **dates},
                         {0: "A1", 1: "吴十", 2: _wrong_check_digit(good_2), **dates}], "bad.xlsx")
    count_before = Person.objects.count()
    page.select_option("#id_kind", "people")
    page.set_input_files("#id_file", str(bad_file))
    page.click("main form button[type=submit]")
    result = page.locator("#import-result")
    expect(result).to_be_visible()
    shot(page, "import-rejected")
    rows = result.locator("tbody tr")
    expect(rows).to_have_count(1)
    cells = rows.first.locator("td")
    expect(cells.nth(0)).to_have_text("3")          # Excel row 3: the second data row
    expect(cells.nth(1)).to_have_text(header[2])    # the ID-number column, named as in the template
    expect(cells.nth(2)).to_contain_text("GB 11643")
    assert Person.objects.count() == count_before
    assert not Person.objects.filter(name__in=["周九", "吴十"]).exists()

    good_file = workbook([{0: "A1", 1: "周九", 2: good_1, **dates}, {0: "A1", 1: "吴十", 2: good_2, **dates}],
                         "good.xlsx")
    page.select_option("#id_kind", "people")
    page.set_input_files("#id_file", str(good_file))
    page.click("main form button[type=submit]")
    expect(page.locator("#import-result.alert-success")).to_contain_text("2")
    expect(page.locator(".messages .alert-success")).to_contain_text("2")
    assert Person.objects.count() == count_before + 2
    assert set(Person.objects.filter(name__in=["周九", "吴十"]).values_list("org__code", flat=True)) == {"A1"}
    shot(page, "import-done")

    # --- basic-data dashboard: charts render, "show as a table" opens a table -------------------------------
    page.locator('nav.sidebar a[href="/orgs/dashboard/"]').click()
    expect(page).to_have_url(re.compile(rf"/orgs/{tree.county.pk}/dashboard/$"))
    stats = page.locator(".card-grid .stat .num")
    expect(stats.nth(1)).to_have_text(str(figures_for(Organization.objects.get(pk=tree.county.pk)).get_count("people")))
    assert figures_for(tree.county).get_count("people") == 6  # 3 + 孙八 + two imported
    charts = page.locator(".chart-box")
    assert charts.count() >= 1
    expect(charts.first.locator("svg")).to_be_attached()
    for i in range(charts.count()):
        expect(charts.nth(i).locator("svg").first).to_be_attached()
    details = page.locator("details.chart-table").first
    table = details.locator("table")
    expect(table).to_be_hidden()
    details.locator("summary").click()
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").first).to_be_visible()
    shot(page, "dashboard")

    assert page.server_errors == []
    assert page.console_errors == []
