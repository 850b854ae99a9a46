"""Journey: a department administrator compares the townships of the county by people and published cases."""

from __future__ import annotations

import openpyxl
import pytest
from playwright.sync_api import expect
from tests.analytics.conftest import towns  # noqa: F401  (fixture)
from tests.conftest import PASSWORD

from tupo.analytics.models import AnalysisRun

pytestmark = [pytest.mark.e2e, pytest.mark.urls("tests.analytics.urls")]


def test_input_output_analysis_journey(e2e_db, towns, personas, new_page, log_in, shot, tmp_path):  # noqa: F811
    page = new_page("en")
    log_in(page, "dept_admin", PASSWORD)
    page.locator('nav.sidebar a[href="/analytics/"]').click()
    expect(page.locator("h1")).to_have_text("Input-output analysis")
    page.click("text=New analysis")

    # Refused: the same indicator on both sides.
    page.select_option("#id_root_org", str(towns.county.pk))
    page.check("#fs-inputs input[value=people]")
    page.check("#fs-outputs input[value=people]")
    page.click("form button[type=submit]")
    expect(page.locator("#fs-outputs .error")).to_contain_text("cannot be both an input and an output")
    shot(page, "refused")

    page.uncheck("#fs-outputs input[value=people]")
    page.check("#fs-outputs input[value=published_cases]")
    page.click("form button[type=submit]")
    expect(page.locator("#results")).to_be_visible()
    run = AnalysisRun.objects.get()
    expect(page.locator("#results tbody tr")).to_have_count(3)
    expect(page.locator("#results tbody tr").nth(2)).to_contain_text("0.333")
    expect(page.locator("#excluded")).to_contain_text("东山镇党委")
    expect(page.locator('[data-frontier="eff-frontier"] svg')).to_be_visible()
    expect(page.locator('[data-chart="eff-hist"] svg')).to_be_visible()
    shot(page, "result")

    with page.expect_download() as info:
        page.click("text=Export to Excel")
    path = tmp_path / "run.xlsx"
    info.value.save_as(path)
    rows = list(openpyxl.load_workbook(path)["Results"].iter_rows(values_only=True))
    assert rows[1][0] == "城关镇党委" and rows[1][2] == 1

    # Chinese page: the list shows the saved run.
    zh = new_page("zh-CN")
    log_in(zh, "dept_admin", PASSWORD)
    zh.goto("/analytics/")
    expect(zh.locator("#runs")).to_contain_text(run.title)
    assert not page.server_errors and not page.console_errors, (page.server_errors, page.console_errors)
