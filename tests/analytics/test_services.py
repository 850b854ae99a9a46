from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.analytics.conftest import org_params
from tests.factories import make_org, make_person
from tupo.analytics import present, services
from tupo.analytics.models import AnalysisRun, RunStatus
from tupo.core.models import AuditEvent

pytestmark = pytest.mark.urls("tests.analytics.urls")


def by_name(run):
    return {r["name"]: r for r in list(present.result_rows(run))}


def test_single_input_output_is_ratio_over_best_ratio(towns, personas):
    run = services.start_run(personas.dept_admin, org_params(towns))
    assert run.status == RunStatus.DONE, run.message
    rows = by_name(run)
    # ratios cases/people: A 3/2 = 1.5 (best), B 1/1 = 1, C 2/4 = 0.5; D has no case and is left out
    assert set(rows) == {"城关镇党委", "龙泉镇党委", "石桥镇党委"}
    assert rows["城关镇党委"]["efficiency"] == pytest.approx(1.0)
    assert rows["龙泉镇党委"]["efficiency"] == pytest.approx(1 / 1.5)
    assert rows["石桥镇党委"]["efficiency"] == pytest.approx(0.5 / 1.5)
    assert [rows[n]["rank"] for n in ("城关镇党委", "龙泉镇党委", "石桥镇党委")] == [1, 2, 3]
    # the inefficient towns learn from town A; input-oriented target = θ × people
    assert [p["name"] for p in rows["石桥镇党委"]["peers"]] == ["城关镇党委"]
    assert rows["石桥镇党委"]["targets"]["people"] == pytest.approx(4 / 3)
    assert rows["龙泉镇党委"]["values"] == {"people": 1.0, "published_cases": 1.0}
    assert run.excluded == [{"id": towns.town_d.pk, "name": "东山镇党委",
                             "reasons": [{"key": "published_cases", "value": 0.0}]}]
    assert run.unit_count == 4 and run.progress_done == run.progress_total == 3
    assert run.warnings and run.warnings[0]["code"] == "weak"
    assert AuditEvent.objects.filter(event_type="analytics.run", object_id=str(run.pk)).exists()


def test_output_orientation_vrs_and_super_efficiency(towns, personas):
    run = services.start_run(personas.dept_admin, org_params(towns, rts="vrs", orientation="out",
                                                             super_efficiency=True))
    assert run.status == RunStatus.DONE, run.message
    rows = by_name(run)
    for r in rows.values():
        assert 0 < r["efficiency"] <= 1 + 1e-9
        assert r["phi"] == pytest.approx(1 / r["efficiency"])
    assert rows["城关镇党委"]["rank"] == 1


def test_zero_values_are_reported_and_the_rest_compared(towns, personas):
    params = org_params(towns, inputs=["people", "cadres"])  # nobody is a cadre: every town has 0
    run = services.start_run(personas.dept_admin, params)
    assert run.status == RunStatus.FAILED
    assert "at least two" in run.message
    assert len(run.excluded) == 4
    assert {r["key"] for e in run.excluded for r in e["reasons"]} >= {"cadres"}


@pytest.mark.parametrize(("change", "field", "text"), [
    ({"outputs": ["people"]}, "outputs", "both an input and an output"),
    ({"inputs": []}, "inputs", "at least one input"),
    ({"outputs": []}, "outputs", "at least one output"),
    ({"inputs": ["nonsense"]}, "inputs", "Unknown indicator"),
    ({"rts": "xyz"}, "rts", "returns to scale"),
    ({"depth": 9}, "depth", "levels below"),
])
def test_bad_parameters_are_refused_with_a_message(towns, personas, change, field, text):
    with pytest.raises(ValidationError) as exc:
        services.start_run(personas.dept_admin, org_params(towns, **change))
    assert text in " ".join(exc.value.message_dict[field])
    assert not AnalysisRun.objects.exists()


def test_empty_population_is_refused(towns, personas):
    with pytest.raises(ValidationError) as exc:
        services.start_run(personas.dept_admin, org_params(towns, root_org=towns.branch_a11))
    assert "no units" in str(exc.value)


def test_only_department_admins_and_leaders_of_the_subtree_start_runs(towns, personas):
    with pytest.raises(PermissionDenied):
        services.start_run(personas.org_admin_a, org_params(towns, root_org=towns.town_a))
    with pytest.raises(PermissionDenied):
        services.start_run(personas.dept_admin, org_params(towns, root_org=towns.other))
    assert services.start_run(personas.leader, org_params(towns)).status == RunStatus.DONE
    assert AuditEvent.objects.filter(event_type="denied:analytics.run_analysis").count() == 2


def test_one_unit_fails_with_a_clear_message(towns, personas):
    run = services.start_run(personas.dept_admin, org_params(towns, root_org=towns.town_b))
    assert run.status == RunStatus.FAILED
    assert "1 unit(s) left" in run.message and "at least two" in run.message


def test_identical_units_all_score_one(tree, personas):
    root = make_org("R", tree.county, name="root")
    for i in range(3):
        unit = make_org(f"R{i}", root, name=f"unit {i}")
        make_person(unit)
        from tests.analytics.conftest import publish_cases

        publish_cases(unit, 2)
    run = services.start_run(personas.dept_admin, org_params(tree, root_org=root))
    assert run.status == RunStatus.DONE, run.message
    assert [r["efficiency"] for r in list(present.result_rows(run))] == pytest.approx([1.0, 1.0, 1.0])
    assert {r["rank"] for r in list(present.result_rows(run))} == {1}


def test_deeper_units_count_their_subtree(towns, personas):
    # villages of the county (2 levels below): A1 has 1 person (in its branch) and 2 cases
    run = services.start_run(personas.dept_admin, org_params(towns, depth=2))
    names = {r["name"] for r in list(present.result_rows(run))} | {e["name"] for e in run.excluded}
    assert names == {"幸福村党总支", "光明村党支部", "向阳村党支部"}
    a1 = by_name(run)["幸福村党总支"]
    assert a1["values"] == {"people": 1.0, "published_cases": 2.0}


def test_large_population_goes_to_the_task_and_progress_reaches_total(towns, personas, settings,
                                                                      django_capture_on_commit_callbacks):
    settings.TUPO_ANALYTICS_INLINE_MAX = 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = services.start_run(personas.dept_admin, org_params(towns))
        assert AnalysisRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.message
    assert run.progress_done == run.progress_total == 3
    assert run.percent == 100


def test_task_never_crashes_on_bad_data(towns, personas, settings, django_capture_on_commit_callbacks):
    settings.TUPO_ANALYTICS_INLINE_MAX = 0
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(personas.dept_admin, org_params(towns, root_org=towns.town_b))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.message and run.finished_at


def test_progress_is_written_while_the_method_runs(towns, personas, monkeypatch):
    import tupo.methods.dea as method

    real, seen = method.dea, []
    monkeypatch.setattr(services, "PROGRESS_EVERY_S", 0.0)

    def spy(*args, progress, **kwargs):
        def watched(done, total):
            progress(done, total)
            row = AnalysisRun.objects.latest("id")
            seen.append((row.status, row.progress_done, row.progress_total))

        return real(*args, progress=watched, **kwargs)

    monkeypatch.setattr(method, "dea", spy)
    run = services.start_run(personas.dept_admin, org_params(towns))
    assert run.status == RunStatus.DONE
    assert seen and seen[-1] == ("running", 3, 3)


def test_method_input_error_is_a_failed_run_with_its_message(towns, personas, monkeypatch):
    import tupo.methods.dea as method

    def refuse(*args, **kwargs):
        raise method.DEAInputError("unit '7', input 'people': value 0 is not positive")

    monkeypatch.setattr(method, "dea", refuse)
    run = services.start_run(personas.dept_admin, org_params(towns))
    assert run.status == RunStatus.FAILED
    assert run.message == "The data cannot be analysed: unit '7', input 'people': value 0 is not positive"
    assert AnalysisRun.objects.get(pk=run.pk).status == RunStatus.FAILED
