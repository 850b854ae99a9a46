"""Journeys: a department administrator compares the townships of the county by people and published cases,
follows their productivity change over two years (Malmquist), and cancels a queued run."""

from __future__ import annotations

from types import SimpleNamespace

import openpyxl
import pytest
from playwright.sync_api import expect
from tests.analytics.conftest import towns  # noqa: F401  (fixture)
from tests.analytics.test_malmquist import panel  # noqa: F401  (fixture)
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


def test_malmquist_trend_journey(e2e_db, panel, personas, new_page, log_in, shot, tmp_path):  # noqa: F811
    """The productivity change of the townships from 2024 to 2025, with the township missing in 2025."""
    page = new_page("en")
    log_in(page, "dept_admin", PASSWORD)
    page.goto("/analytics/new/")
    page.click("text=Organizations over years (Malmquist)")
    expect(page.locator("#snapshots")).to_contain_text("2025")

    # Refused: one year only.
    page.select_option("#id_root_org", str(panel.county.pk))
    page.check("#fs-years input[value='2025']")
    page.check("#fs-inputs input[value=people]")
    page.check("#fs-outputs input[value=published_cases]")
    page.click("#malmquist-form button[type=submit]")
    expect(page.locator("#fs-years .error")).to_contain_text("at least two years")
    shot(page, "malmquist-refused")

    page.check("#fs-years input[value='2024']")
    page.click("#malmquist-form button[type=submit]")
    expect(page.locator("#pairs")).to_be_visible()
    expect(page.locator("#pairs tbody tr")).to_have_count(1)
    expect(page.locator("#pairs")).to_contain_text("2024→2025")
    expect(page.locator("#unit-changes tbody tr")).to_have_count(3)
    expect(page.locator("#excluded")).to_contain_text("东山镇党委")
    expect(page.locator('[data-trend="malmquist-trend"] svg')).to_be_visible()
    shot(page, "malmquist-result")

    with page.expect_download() as info:
        page.click("text=Export to Excel")
    path = tmp_path / "trend.xlsx"
    info.value.save_as(path)
    assert "Per unit" in openpyxl.load_workbook(path).sheetnames

    zh = new_page("zh-CN")
    log_in(zh, "dept_admin", PASSWORD)
    zh.goto(page.url.replace(page.url.split("/analytics/")[0], ""))
    expect(zh.locator("#pairs")).to_be_visible()
    shot(zh, "malmquist-result-zh")
    assert not page.server_errors and not page.console_errors, (page.server_errors, page.console_errors)
    assert not zh.server_errors and not zh.console_errors, (zh.server_errors, zh.console_errors)


def test_cancelling_a_queued_run_journey(e2e_db, towns, personas, new_page, log_in, shot, settings,  # noqa: F811
                                         monkeypatch):
    from tests.analytics.conftest import org_params

    from tupo.analytics import services, tasks

    settings.TUPO_ANALYTICS_INLINE_MAX = 1
    monkeypatch.setattr(tasks, "run_analysis", SimpleNamespace(enqueue=lambda *a: None))  # no worker running
    run = services.start_run(personas.dept_admin, org_params(towns))
    page = new_page("en")
    log_in(page, "dept_admin", PASSWORD)
    page.goto(f"/analytics/runs/{run.pk}/")
    expect(page.locator("#progress")).to_contain_text("0 of 4 units scored")
    shot(page, "queued")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#cancel-run")
    expect(page.locator("#run-message")).to_contain_text("Cancelled by dept_admin")
    expect(page.locator("#cancel-run")).to_have_count(0)
    shot(page, "cancelled")
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert not page.server_errors and not page.console_errors, (page.server_errors, page.console_errors)


def test_large_run_export_and_snapshot_button_journey(e2e_db, towns, personas, new_page, log_in, shot,  # noqa: F811
                                                      settings, tmp_path):
    """A run treated as very large: its Excel file is prepared by the worker and then offered; and the
    department administrator takes this year's figures from the Malmquist tab."""
    from tests.analytics.conftest import org_params

    from tupo.analytics import services
    from tupo.analytics.models import YearSnapshot

    settings.TUPO_ANALYTICS_EXPORT_INLINE_MAX = 2
    settings.MEDIA_ROOT = tmp_path / "media"
    run = services.start_run(personas.dept_admin, org_params(towns))
    page = new_page("en")
    log_in(page, "dept_admin", PASSWORD)
    page.goto(f"/analytics/runs/{run.pk}/")
    expect(page.locator("#export")).to_contain_text("prepared in the background")
    expect(page.locator("text=Export to Excel")).to_have_count(0)
    shot(page, "export-panel")
    page.click("#prepare-export")  # the test worker runs the task at once, on commit
    expect(page.locator("#download-export")).to_be_visible()
    shot(page, "export-ready")
    with page.expect_download() as info:
        page.click("#download-export")
    path = tmp_path / "large.xlsx"
    info.value.save_as(path)
    rows = list(openpyxl.load_workbook(path)["Results"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["城关镇党委", "龙泉镇党委", "石桥镇党委"]

    page.goto("/analytics/new/?kind=malmquist")
    page.select_option("#snapshot-form select", str(towns.county.pk))
    page.click("#snapshot-form button[type=submit]")
    snap = YearSnapshot.objects.get()
    expect(page.locator(".messages")).to_contain_text(f"The figures of {snap.year} were taken")
    expect(page.locator("#snapshots tbody")).to_contain_text(str(snap.year))
    shot(page, "snapshot-taken")
    assert not page.server_errors and not page.console_errors, (page.server_errors, page.console_errors)
