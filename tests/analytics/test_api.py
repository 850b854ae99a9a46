"""API of the input-output analysis: the same services and rules as the pages (404 outside the subtree or without
an analytics role, 403 for what one sees but may not change, 422 with a message per field for bad input)."""

from __future__ import annotations

import pytest

from tests.analytics.conftest import org_params
from tests.analytics.test_malmquist import panel  # noqa: F401 - the fixture of the yearly figures
from tests.factories import make_user
from tupo.accounts.choices import Role
from tupo.accounts.services import create_token
from tupo.analytics import services
from tupo.analytics.models import AnalysisRun, YearSnapshot
from tupo.core.models import AuditEvent
from tupo.core.services import SYSTEM

pytestmark = pytest.mark.urls("tests.analytics.urls")


@pytest.fixture
def api(client):
    """api(user).get(path) / .post(path, payload): the API with a bearer token of ``user``."""

    class Caller:
        def __init__(self, user):
            _t, key = create_token(SYSTEM, user, name="api", days=None)
            self.h = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

        def get(self, path):
            return client.get(f"/api/v1/analytics{path}", **self.h)

        def post(self, path, payload=None):
            return client.post(f"/api/v1/analytics{path}", payload or {}, content_type="application/json", **self.h)

    return Caller


def api_params(tree, **kw):
    p = org_params(tree, **kw)
    p["root_org_id"] = p.pop("root_org").pk
    return p


# --- runs -------------------------------------------------------------------------------------------------------

def test_a_run_is_started_read_and_its_results_paged(towns, personas, api):
    admin = api(personas.dept_admin)
    r = admin.post("/runs", api_params(towns, title="乡镇效率"))
    assert r.status_code == 201, r.json()
    run = r.json()
    assert (run["status"], run["title"], run["unit_count"], run["summary"]["n"]) == ("done", "乡镇效率", 4, 3)
    assert [e["name"] for e in run["excluded"]] == ["东山镇党委"]  # no published case: excluded and listed
    assert [x["id"] for x in admin.get("/runs").json()] == [run["id"]]
    assert api(personas.leader).get(f"/runs/{run['id']}").json()["inputs"] == ["people"]
    page = admin.get(f"/runs/{run['id']}/results?offset=1&limit=1").json()
    assert (page["total"], page["offset"], page["limit"], len(page["rows"])) == (3, 1, 1, 1)
    first = admin.get(f"/runs/{run['id']}/results").json()["rows"]
    assert [(x["rank"], round(x["efficiency"], 6)) for x in first] == [(1, 1.0), (2, round(2 / 3, 6)),
                                                                      (3, round(1 / 3, 6))]
    progress = admin.get(f"/runs/{run['id']}/progress").json()
    assert (progress["status"], progress["percent"]) == ("done", 100)
    assert AuditEvent.objects.filter(event_type="analytics.run", object_id=str(run["id"])).exists()


@pytest.mark.parametrize(("change", "field", "text"), [
    ({"inputs": []}, "inputs", "at least one input"),
    ({"outputs": ["people"]}, "outputs", "both an input and an output"),
    ({"inputs": ["nonsense"]}, "inputs", "Unknown indicator"),
    ({"depth": 9}, "depth", "1 to 6 levels"),
    ({"rts": "xyz"}, "rts", "returns to scale"),
    ({"population": "people"}, "population", "organizations or projects"),
    ({"kind": "regression"}, "kind", "dea or malmquist"),
    ({"root_org_id": 999999}, "root_org", "subtree is analysed"),
])
def test_bad_run_parameters_get_422_naming_the_field_and_nothing_is_saved(towns, personas, api, change, field, text):
    r = api(personas.dept_admin).post("/runs", {**api_params(towns), **change})
    assert r.status_code == 422
    assert text in " ".join(r.json()["errors"][field])
    assert not AnalysisRun.objects.exists()


def test_a_payload_of_the_wrong_shape_gets_422(towns, personas, api):
    admin = api(personas.dept_admin)
    assert admin.post("/runs", {**api_params(towns), "inputs": "people"}).status_code == 422
    assert admin.post("/runs", {"inputs": ["people"]}).status_code == 422  # no root organization
    assert not AnalysisRun.objects.exists()


def test_a_malmquist_run_through_the_api(panel, personas, api):  # noqa: F811 - the fixture
    admin = api(personas.dept_admin)
    body = {"kind": "malmquist", "root_org_id": panel.county.pk, "depth": 1, "years": [2024, 2025],
            "inputs": ["people"], "outputs": ["published_cases"]}
    r = admin.post("/runs", body)
    assert r.status_code == 201 and r.json()["status"] == "done"
    rows = admin.get(f"/runs/{r.json()['id']}/results").json()["rows"]
    assert {x["name"]: round(x["tfpch"], 6) for x in rows} == {"城关镇党委": 1.5, "龙泉镇党委": 2.0, "石桥镇党委": 1.0}
    missing = admin.post("/runs", {**body, "years": [2019, 2024]})
    assert missing.status_code == 422 and "No figures of 2019" in missing.json()["errors"]["years"][0]
    assert admin.post("/runs", {**body, "years": [2024]}).status_code == 422


def test_runs_are_hidden_outside_the_subtree_and_from_other_roles(towns, personas, api):
    run = services.start_run(personas.dept_admin, org_params(towns))
    far = make_user("far_admin", Role.DEPT_ADMIN, towns.other)
    assert api(far).get("/runs").json() == []
    for user in (far, personas.org_admin_a, personas.member_a, personas.expert):
        caller = api(user)
        for path in (f"/runs/{run.pk}", f"/runs/{run.pk}/progress", f"/runs/{run.pk}/results"):
            assert caller.get(path).status_code == 404, (user, path)
        assert caller.post(f"/runs/{run.pk}/cancel").status_code == 404
    assert api(personas.org_admin_a).get("/runs").status_code == 404  # no analytics role: nothing here
    # a root outside one's subtree: refused (403, audited), nothing saved
    r = api(far).post("/runs", api_params(towns))
    assert r.status_code == 403
    assert AnalysisRun.objects.count() == 1
    assert AuditEvent.objects.filter(event_type="denied:analytics.run_analysis").exists()


def test_cancel_progress_and_results_of_a_queued_run(towns, personas, api, settings):
    settings.TUPO_ANALYTICS_INLINE_MAX = 1
    run = services.start_run(personas.dept_admin, org_params(towns))
    admin, leader = api(personas.dept_admin), api(personas.leader)
    progress = admin.get(f"/runs/{run.pk}/progress").json()
    assert (progress["status"], progress["percent"], progress["progress_total"]) == ("queued", 0, 4)
    r = admin.get(f"/runs/{run.pk}/results")
    assert r.status_code == 409 and "Queued" in r.json()["detail"]
    assert leader.post(f"/runs/{run.pk}/cancel").status_code == 403  # sees it, did not start it
    r = admin.post(f"/runs/{run.pk}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    again = admin.post(f"/runs/{run.pk}/cancel")
    assert again.status_code == 409 and "already finished" in again.json()["detail"]
    assert AuditEvent.objects.filter(event_type="analytics.cancel").count() == 1


def test_bad_paging_gets_422(towns, personas, api):
    run = services.start_run(personas.dept_admin, org_params(towns))
    admin = api(personas.dept_admin)
    for query, field in (("limit=0", "limit"), ("limit=5000", "limit"), ("offset=-1", "offset")):
        r = admin.get(f"/runs/{run.pk}/results?{query}")
        assert r.status_code == 422 and field in r.json()["errors"], query
    assert admin.get(f"/runs/{run.pk}/results?limit=abc").status_code == 422


# --- yearly snapshots ---------------------------------------------------------------------------------------------

def test_snapshots_are_listed_and_taken_by_department_administrators(towns, personas, api):
    admin = api(personas.dept_admin)
    r = admin.post("/snapshots", {"root_org_id": towns.county.pk})
    assert r.status_code == 201, r.json()
    snap = r.json()
    assert snap["taken_by"] == "dept_admin" and "people" in snap["indicators"] and snap["skipped"] == []
    r = admin.post("/snapshots", {"root_org_id": towns.county.pk, "year": 2024})  # a past year: no head-counts
    assert r.status_code == 201 and "people" in r.json()["skipped"]
    assert [s["year"] for s in api(personas.leader).get("/snapshots").json()] == [snap["year"], 2024]
    assert AuditEvent.objects.filter(event_type="analytics.snapshot").count() == 2


def test_snapshot_refusals(towns, personas, api):
    far = make_user("far_admin", Role.DEPT_ADMIN, towns.other)
    assert api(personas.leader).post("/snapshots", {"root_org_id": towns.county.pk}).status_code == 403
    assert api(far).post("/snapshots", {"root_org_id": towns.county.pk}).status_code == 403
    assert api(far).get("/snapshots").json() == []
    assert api(personas.org_admin_a).post("/snapshots", {"root_org_id": towns.town_a.pk}).status_code == 404
    admin = api(personas.dept_admin)
    r = admin.post("/snapshots", {"root_org_id": towns.county.pk, "year": 2999})
    assert r.status_code == 422 and "has not happened yet" in r.json()["errors"]["year"][0]
    r = admin.post("/snapshots", {"root_org_id": 999999})
    assert r.status_code == 422 and "root_org_id" in r.json()["errors"]
    assert admin.post("/snapshots", {"root_org_id": towns.county.pk, "year": "last"}).status_code == 422
    assert not YearSnapshot.objects.exists()
    assert AuditEvent.objects.filter(event_type="denied:analytics.take_snapshot").count() == 2


def test_a_large_subtree_is_snapshotted_by_the_worker_in_the_actors_name(towns, personas, api, settings,
                                                                         django_capture_on_commit_callbacks):
    settings.TUPO_ANALYTICS_SNAPSHOT_INLINE_MAX = 1
    with django_capture_on_commit_callbacks(execute=True):
        r = api(personas.dept_admin).post("/snapshots", {"root_org_id": towns.county.pk})
    assert r.status_code == 202
    snap = YearSnapshot.objects.get()
    assert snap.taken_by == personas.dept_admin and snap.root_org == towns.county
    assert AuditEvent.objects.filter(event_type="analytics.snapshot.request").exists()
