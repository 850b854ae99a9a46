from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from tests.analytics.conftest import org_params
from tupo.analytics import services
from tupo.analytics.models import AnalysisRun, RunStatus

pytestmark = pytest.mark.urls("tests.analytics.urls")


def post_data(tree, **kw):
    data = {"population": "orgs", "root_org": tree.county.pk, "depth": 1, "inputs": ["people"],
            "outputs": ["published_cases"], "rts": "crs", "orientation": "in"}
    data.update(kw)
    return data


def test_form_run_and_result_page(towns, personas, login):
    client = login(personas.dept_admin)
    page = client.get("/analytics/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "People on the register" in html and "Published cases" in html and "How to read the score" in html
    response = client.post("/analytics/new/", post_data(towns))
    run = AnalysisRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/analytics/runs/{run.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "Results" in html and "城关镇党委" in html
    assert "0.333" in html and "0.667" in html
    assert "To reach the frontier: with 2.67 less “People on the register” (−67%)." in html
    assert "Units left out" in html and "东山镇党委" in html and "Published cases: 0" in html
    assert 'data-chart="eff-hist"' in html and 'data-frontier="eff-frontier"' in html
    assert "not a rating of people" in html
    assert "<script>" not in html and "style=" not in html
    # listed with its parameters, and can be run again with them
    listing = client.get("/analytics/").content.decode()
    assert run.title in listing
    again = client.get(f"/analytics/new/?from={run.pk}").content.decode()
    assert re.search(r'name="inputs" value="people"[^>]*checked', again)
    assert re.search(r'name="outputs" value="published_cases"[^>]*checked', again)


def test_form_errors_are_shown(towns, personas, login):
    client = login(personas.dept_admin)
    html = client.post("/analytics/new/", post_data(towns, outputs=["people"])).content.decode()
    assert "cannot be both an input and an output" in html
    html = client.post("/analytics/new/", post_data(towns, inputs=[], outputs=[])).content.decode()
    assert "Choose at least one input." in html and "Choose at least one output." in html
    assert not AnalysisRun.objects.exists()


def test_frontier_chart_only_for_one_input_and_one_output(towns, personas, login):
    run = services.start_run(personas.dept_admin, org_params(towns, inputs=["people", "organizations"]))
    html = login(personas.dept_admin).get(f"/analytics/runs/{run.pk}/").content.decode()
    assert 'data-chart="eff-hist"' in html and "data-frontier" not in html


def test_permissions(towns, personas, login, client):
    run = services.start_run(personas.dept_admin, org_params(towns))
    for user in (personas.org_admin_a, personas.member_a, personas.expert, personas.liaison_a):
        c = login(user)
        assert c.get(f"/analytics/runs/{run.pk}/").status_code == 404
        assert c.get(f"/analytics/runs/{run.pk}/export/").status_code == 404
        assert c.get("/analytics/").status_code == 404
        assert c.get("/analytics/new/").status_code == 404
        client.logout()
    c = login(personas.leader)
    assert c.get(f"/analytics/runs/{run.pk}/").status_code == 200
    assert run.title in c.get("/analytics/").content.decode()


def test_nav_entry_for_analysts_only(towns, personas, login, client):
    assert "/analytics/" in login(personas.dept_admin).get("/analytics/").content.decode()
    client.logout()
    home = login(personas.org_admin_a).get("/").content.decode()
    assert "Input-output analysis" not in home


def test_xlsx_export(towns, personas, login):
    run = services.start_run(personas.dept_admin, org_params(towns))
    response = login(personas.dept_admin).get(f"/analytics/runs/{run.pk}/export/")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Results", "Parameters", "Excluded units", "Warnings"]
    rows = list(wb["Results"].iter_rows(values_only=True))
    assert rows[0][:5] == ("Unit", "Efficiency", "Rank", "Weakly efficient", "Peers to learn from (λ)")
    assert rows[0][5:] == ("People on the register", "People on the register target", "Published cases",
                           "Published cases target", "To reach the frontier")
    body = {r[0]: r for r in rows[1:]}
    assert body["城关镇党委"][1] == pytest.approx(1.0) and body["城关镇党委"][2] == 1
    assert body["石桥镇党委"][1] == pytest.approx(1 / 3, abs=1e-6)
    assert body["石桥镇党委"][4] == "城关镇党委 (λ=0.667)"
    assert body["石桥镇党委"][5:9] == (4, pytest.approx(4 / 3), 2, pytest.approx(2))
    params = dict(wb["Parameters"].iter_rows(values_only=True))
    assert params["Inputs"] == "People on the register" and params["Units excluded"] == "1"
    assert list(wb["Excluded units"].iter_rows(values_only=True))[1] == ("东山镇党委", "Published cases: 0")


def test_progress_page_polls_until_done(towns, personas, login, settings):
    settings.TUPO_ANALYTICS_INLINE_MAX = 1
    run = services.start_run(personas.dept_admin, org_params(towns))  # on_commit never fires in this test
    assert run.status == RunStatus.QUEUED
    client = login(personas.dept_admin)
    html = client.get(f"/analytics/runs/{run.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in html and "0 of 4 units scored" in html
    services.execute_run(AnalysisRun.objects.get(pk=run.pk))
    response = client.get(f"/analytics/runs/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == f"/analytics/runs/{run.pk}/"
    assert "Results" in client.get(f"/analytics/runs/{run.pk}/").content.decode()


def test_projects_tab_renders(towns, personas, login):
    html = login(personas.dept_admin).get("/analytics/new/?population=projects").content.decode()
    assert "Funds budgeted" in html and "Milestones met" in html


def test_failed_run_page_shows_the_message_and_the_units_left_out(towns, personas, login):
    run = services.start_run(personas.dept_admin, org_params(towns, inputs=["people", "cadres"]))
    html = login(personas.dept_admin).get(f"/analytics/runs/{run.pk}/").content.decode()
    assert 'id="run-message"' in html and "needs at least two" in html
    assert "Cadres: 0" in html and "Export to Excel" not in html


def test_long_results_are_cut_on_the_page_not_in_the_export(towns, personas, login, monkeypatch):
    from tupo.analytics import present

    monkeypatch.setattr(present, "PAGE_ROWS", 2)
    monkeypatch.setattr(present, "CHART_POINTS", 2)
    run = services.start_run(personas.dept_admin, org_params(towns))
    client = login(personas.dept_admin)
    html = client.get(f"/analytics/runs/{run.pk}/").content.decode()
    assert "3 units in all; the first 2 by rank are shown." in html
    assert "石桥镇党委" not in html.split('id="results"')[1].split("</table>")[0]
    assert len(present.frontier_chart(run)["points"]) == 2
    wb = load_workbook(io.BytesIO(client.get(f"/analytics/runs/{run.pk}/export/").content))
    assert wb["Results"].max_row == 4
