"""Yearly figures and the Malmquist trend of organizations over years."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from tests.topics.helpers import travel
from tupo.analytics import present, services, yearly
from tupo.analytics.models import AnalysisRun, OrgYearFigure, RunKind, RunStatus, YearSnapshot
from tupo.cases.models import Adoption, Case
from tupo.core.models import AuditEvent

pytestmark = pytest.mark.urls("tests.analytics.urls")


def published(org, year, n):
    when = timezone.make_aware(dt.datetime(year, 6, 1, 10))
    for i in range(n):
        Case.objects.create(title=f"case {org.code} {year} {i}", org=org, org_path=org.path, year=year,
                            abstract="x", status="published", published_at=when)


def take(actor, root, year):
    """Take the year's snapshot late in that year, as the periodic job does."""
    with travel(dt.datetime(year, 12, 20, 9, tzinfo=dt.UTC)):
        return services.snapshot_year(actor, root, year)


@pytest.fixture
def panel(tree, personas):
    """People (input; constant) and cases published per year (output) of the county's townships.

    people: A 2, B 1, C 4, D 1 (towns fixture) — cases published:
    2024: A 2, B 1, C 1, D 1   (ratios A 1, B 1, C 0.25, D 1; best 1)
    2025: A 3, B 2, C 1, D 0   (ratios A 1.5, B 2, C 0.25; best 2; D has none: missing in 2025)
    With one input and one output under CRS, θ = ratio / best ratio of the year, so
    effch = θ25/θ24: A 0.75, B 1, C 0.5;  techch = best25/best24 = 2;  tfpch = ratio25/ratio24: A 1.5, B 2, C 1.
    """
    from tests.factories import make_org, make_person

    tree.town_c = make_org("TC", tree.county, name="石桥镇党委")
    tree.town_d = make_org("TD", tree.county, name="东山镇党委")
    for _ in range(4):
        make_person(tree.town_c)
    make_person(tree.town_d)
    for org, n24, n25 in ((tree.village_a1, 2, 3), (tree.town_b, 1, 2), (tree.town_c, 1, 1), (tree.town_d, 1, 0)):
        published(org, 2024, n24)
        published(org, 2025, n25)
    take(personas.dept_admin, tree.county, 2024)
    take(personas.dept_admin, tree.county, 2025)
    return tree


def params(tree, **kw):
    return {"kind": "malmquist", "root_org": tree.county, "depth": 1, "years": [2024, 2025],
            "inputs": ["people"], "outputs": ["published_cases"], **kw}


def rows_by_name(run):
    return {r["name"]: r for r in present.result_rows(run)}


# --- snapshots ----------------------------------------------------------------------------------------

def test_snapshot_counts_dated_records_of_the_year_and_todays_head_counts(panel, personas):
    snap = YearSnapshot.objects.filter(year=2025).get()
    assert snap.skipped == [] and "people" in snap.indicators and "published_cases" in snap.indicators
    figures = yearly.unit_values([panel.town_a, panel.town_b, panel.town_d], 2025, ["people", "published_cases"])
    assert figures["people"] == {panel.town_a.pk: 2.0, panel.town_b.pk: 1.0, panel.town_d.pk: 1.0}
    assert figures["published_cases"] == {panel.town_a.pk: 3.0, panel.town_b.pk: 2.0, panel.town_d.pk: 0.0}
    assert AuditEvent.objects.filter(event_type="analytics.snapshot").count() == 2


def test_a_past_year_gets_dated_figures_but_no_invented_head_counts(panel, personas):
    Adoption.objects.create(case=Case.objects.filter(org=panel.town_b).first(), org=panel.town_c,
                            org_path=panel.town_c.path, started_on=dt.date(2023, 3, 1))
    snap = services.snapshot_year(personas.dept_admin, panel.county, 2023)  # taken today, years later
    assert set(snap.skipped) == {"people", "cadres", "organizations"}
    assert "adoptions" in snap.indicators
    assert not OrgYearFigure.objects.filter(year=2023, indicator="people").exists()
    assert OrgYearFigure.objects.get(year=2023, indicator="adoptions").org_id == panel.town_c.pk


def test_retaking_a_year_replaces_its_figures(panel, personas):
    published(panel.town_c, 2025, 2)
    take(personas.dept_admin, panel.county, 2025)
    assert OrgYearFigure.objects.get(year=2025, indicator="published_cases", org=panel.town_c).value == 3.0
    assert OrgYearFigure.objects.filter(year=2025, indicator="published_cases", org=panel.town_c).count() == 1


def test_a_future_year_cannot_be_taken(panel, personas):
    with pytest.raises(ValidationError) as exc:
        services.snapshot_year(personas.dept_admin, panel.county, timezone.localdate().year + 1)
    assert "has not happened yet" in str(exc.value)


def test_only_department_administrators_of_the_subtree_take_snapshots(panel, personas):
    # the leader analyses the county but only reads its figures: writing them is the department's
    for actor, root in ((personas.org_admin_a, panel.town_a), (personas.dept_admin, panel.other),
                        (personas.leader, panel.county)):
        with pytest.raises(PermissionDenied):
            services.snapshot_year(actor, root, 2025)
    assert AuditEvent.objects.filter(event_type="denied:analytics.take_snapshot").count() == 3


def test_snapshot_command_and_dry_run(panel, capsys):
    before = OrgYearFigure.objects.count()
    call_command("analytics_snapshot", "--year", "2022", "--root", "C", "--dry-run")
    out = capsys.readouterr().out
    assert "would write" in out and "head-counts skipped for a past year" in out
    assert OrgYearFigure.objects.count() == before and not YearSnapshot.objects.filter(year=2022).exists()
    call_command("analytics_snapshot", "--year", "2022", "--root", "C")
    assert YearSnapshot.objects.filter(year=2022, root_org=panel.county).exists()


def test_snapshot_task_is_idempotent(panel):
    from tupo.analytics.tasks import snapshot_figures

    snapshot_figures.call(panel.county.pk, 2024)
    first = sorted(OrgYearFigure.objects.filter(year=2024).values_list("org_id", "indicator", "value"))
    snapshot_figures.call(panel.county.pk, 2024)
    assert sorted(OrgYearFigure.objects.filter(year=2024).values_list("org_id", "indicator", "value")) == first


# --- the run --------------------------------------------------------------------------------------------

def test_malmquist_of_townships_matches_the_hand_computed_indices(panel, personas):
    run = services.start_run(personas.dept_admin, params(panel))
    assert run.kind == RunKind.MALMQUIST and run.status == RunStatus.DONE, run.message
    rows = rows_by_name(run)
    assert set(rows) == {"城关镇党委", "龙泉镇党委", "石桥镇党委"}
    a, b, c = rows["城关镇党委"], rows["龙泉镇党委"], rows["石桥镇党委"]
    assert (a["from"], a["to"]) == (2024, 2025)
    assert a["effch"] == pytest.approx(0.75) and b["effch"] == pytest.approx(1.0) and c["effch"] == pytest.approx(0.5)
    for r in (a, b, c):
        assert r["techch"] == pytest.approx(2.0)
        assert r["tfpch"] == pytest.approx(r["effch"] * r["techch"])
        assert r["sech"] == pytest.approx(r["effch"] / r["pech"])
    assert (a["tfpch"], b["tfpch"], c["tfpch"]) == (pytest.approx(1.5), pytest.approx(2.0), pytest.approx(1.0))
    (pair,) = run.results["pairs"]
    assert pair["n"] == 3 and pair["tfpch"] == pytest.approx((1.5 * 2.0 * 1.0) ** (1 / 3))
    assert pair["missing_from"] == ["东山镇党委"]
    # the unit missing in 2025 is listed, with why, and not compared: no crash
    assert [(e["name"], e["year"]) for e in run.excluded] == [("东山镇党委", 2025)]
    assert AuditEvent.objects.filter(event_type="analytics.run", object_id=str(run.pk)).exists()


@pytest.mark.parametrize(("change", "field", "text"), [
    ({"years": [2025]}, "years", "at least two years"),
    ({"years": []}, "years", "at least two years"),
    ({"outputs": ["people"]}, "outputs", "both an input and an output"),
    ({"inputs": []}, "inputs", "at least one input"),
    ({"inputs": ["nonsense"]}, "inputs", "Unknown indicator"),
    ({"years": [2019, 2025]}, "years", "No figures of 2019"),
])
def test_bad_malmquist_parameters_are_refused_with_a_message(panel, personas, change, field, text):
    with pytest.raises(ValidationError) as exc:
        services.start_run(personas.dept_admin, params(panel, **change))
    assert text in " ".join(exc.value.message_dict[field])
    assert not AnalysisRun.objects.exists()


def test_head_counts_of_a_year_without_its_own_snapshot_are_refused(panel, personas):
    published(panel.town_a, 2023, 1)
    services.snapshot_year(personas.dept_admin, panel.county, 2023)  # taken now: dated figures only
    with pytest.raises(ValidationError) as exc:
        services.start_run(personas.dept_admin, params(panel, years=[2023, 2024]))
    assert "2023 has no People on the register" in " ".join(exc.value.message_dict["years"])
    # the dated indicators of that year are fine
    run = services.start_run(personas.dept_admin, params(panel, years=[2023, 2024], inputs=["adoptions"]))
    assert run.status == RunStatus.FAILED  # nobody adopted a case in 2023: every unit lacks the input
    assert "fewer than two units" in run.message and "2023 (0 unit(s))" in run.message


def test_a_year_with_fewer_than_two_usable_units_fails_with_a_message(panel, personas):
    run = services.start_run(personas.dept_admin, params(panel, root_org=panel.town_a))  # two villages
    assert run.status == RunStatus.FAILED
    assert "Each year needs at least two" in run.message
    assert {e["name"] for e in run.excluded} >= {"光明村党支部"}


def test_only_analysts_of_the_subtree_run_the_trend(panel, personas):
    with pytest.raises(PermissionDenied):
        services.start_run(personas.org_admin_a, params(panel, root_org=panel.town_a))
    with pytest.raises(PermissionDenied):
        services.start_run(personas.dept_admin, params(panel, root_org=panel.other))
    assert services.start_run(personas.leader, params(panel)).status == RunStatus.DONE


def test_large_trend_goes_through_the_task(panel, personas, settings, django_capture_on_commit_callbacks):
    settings.TUPO_ANALYTICS_INLINE_MAX = 1
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(personas.dept_admin, params(panel))
        assert AnalysisRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.percent == 100
    assert run.unit_results.count() == 3


# --- pages --------------------------------------------------------------------------------------------

def test_trend_form_run_result_page_and_export(panel, personas, login):
    client = login(personas.dept_admin)
    html = client.get("/analytics/new/?kind=malmquist").content.decode()
    assert 'name="years" value="2024"' in html and 'name="years" value="2025"' in html
    assert "Yearly figures available" in html and "head-count" in html
    response = client.post("/analytics/new/?kind=malmquist", {
        "kind": "malmquist", "root_org": panel.county.pk, "depth": 1, "years": ["2024", "2025"],
        "inputs": ["people"], "outputs": ["published_cases"]})
    run = AnalysisRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/analytics/runs/{run.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert 'id="pairs"' in html and "2024→2025" in html and "Productivity rose by" in html
    assert 'data-trend="malmquist-trend"' in html and 'id="unit-changes"' in html
    assert "+50.0%" in html and "−25.0%" in html  # town A: TFP 1.5, efficiency change 0.75
    assert "Units missing in a year" in html and "东山镇党委" in html
    assert "above 1 means improvement" in html
    assert "<script>" not in html and "style=" not in html
    # the saved run is listed, and "run again" opens the trend form with its parameters
    listing = client.get("/analytics/").content.decode()
    assert run.title in listing and "Malmquist · 2024, 2025" in listing
    again = client.get(f"/analytics/new/?from={run.pk}").content.decode()
    assert 'id="malmquist-form"' in again
    assert re.search(r'name="years" value="2024"[^>]*checked', again)
    assert re.search(r'name="inputs" value="people"[^>]*checked', again)
    wb = load_workbook(io.BytesIO(client.get(f"/analytics/runs/{run.pk}/export/").content))
    assert wb.sheetnames == ["Per unit", "Geometric means per year pair", "Parameters", "Units missing in a year"]
    body = {r[0]: r for r in list(wb["Per unit"].iter_rows(values_only=True))[1:]}
    assert body["城关镇党委"][1:3] == (2024, 2025) and body["城关镇党委"][3] == pytest.approx(1.5)
    assert list(wb["Units missing in a year"].iter_rows(values_only=True))[1][:2] == ("东山镇党委", 2025)
    assert AuditEvent.objects.filter(event_type="analytics.export", object_id=str(run.pk)).exists()


def test_trend_form_shows_the_reason_for_refused_years(panel, personas, login):
    client = login(personas.dept_admin)
    html = client.post("/analytics/new/", {
        "kind": "malmquist", "root_org": panel.county.pk, "depth": 1, "years": ["2025"],
        "inputs": ["people"], "outputs": ["people"]}).content.decode()
    assert "Choose at least two years" in html and "cannot be both an input and an output" in html
    html = client.post("/analytics/new/", {
        "kind": "malmquist", "root_org": panel.county.pk, "depth": 1, "years": ["2018", "2025"],
        "inputs": ["people"], "outputs": ["published_cases"]}).content.decode()
    assert "No figures of 2018" in html
    assert not AnalysisRun.objects.exists()


def test_trend_pages_are_hidden_outside_the_subtree(panel, personas, login, client):
    run = services.start_run(personas.dept_admin, params(panel))
    for user in (personas.org_admin_a, personas.member_a, personas.expert):
        c = login(user)
        assert c.get("/analytics/new/?kind=malmquist").status_code == 404
        assert c.get(f"/analytics/runs/{run.pk}/").status_code == 404
        assert c.get(f"/analytics/runs/{run.pk}/export/").status_code == 404
        client.logout()
    assert login(personas.leader).get(f"/analytics/runs/{run.pk}/").status_code == 200


def test_demo_loader_gives_the_trend_three_years(tree, personas):
    from tests.factories import make_org
    from tupo.analytics import demo

    for i in range(3):
        make_org(f"DT{i}", tree.county, name=f"示范镇{i}")
    made = demo.load(tree.county)
    this_year = timezone.localdate().year
    assert made["years"] == [this_year - 3, this_year - 2, this_year - 1, this_year]
    run = services.start_run(personas.dept_admin, params(tree, years=made["years"][:3],
                                                         inputs=["people", "project_budget"],
                                                         outputs=["published_cases", "adoptions"]))
    assert run.status == RunStatus.DONE, run.message
    assert len(run.results["pairs"]) == 2 and all(p["n"] >= 5 for p in run.results["pairs"])
