"""Pages and API: who sees what (404), who may act (403), crafted posts after the deadline, concurrency."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from tests.awards.helpers import CASE, IN_PERIOD, OPEN_DAY, build, make_cycle, nominate, pdf, travel
from tupo.accounts import services as account_services
from tupo.awards import services
from tupo.awards.models import Nomination


def test_admin_pages_render_in_each_phase(tree, personas, login):
    w = build(tree, personas)
    c = login(personas.dept_admin)
    with travel(IN_PERIOD):
        for url in (reverse("awards:index"), reverse("awards:cycle", args=[w.cycle.pk]), reverse("awards:cycle_new"),
                    reverse("awards:nomination", args=[w.a1.pk])):
            assert c.get(url).status_code == 200, url
        r = c.post(reverse("awards:objection_record", args=[w.cycle.pk]), {
            "channel": "phone", "name": "赵某", "contact": "139", "content": "电话反映", "received_on": "2026-10-09"})
    assert r.status_code == 302 and w.cycle.objections.get().channel == "phone"


def test_panel_phone_page_shows_trimmed_mean_after_last_score(tree, personas, client):
    w = build(tree, personas, upto="presentation")
    with travel(dt.datetime(2026, 9, 22, 10, 0)):
        slot = services.schedule_slot(personas.dept_admin, w.a1, dt.datetime(2026, 9, 22, 14, 0, tzinfo=dt.UTC),
                                      w.experts)
        url = reverse("awards:score", args=[slot.pk])
        for member, v in zip(w.experts, ("90", "70", "75"), strict=True):
            client.force_login(member)
            client.post(url, {"value": v})
        page = client.get(url).content.decode()
        client.force_login(personas.org_admin_a)
        assert client.get(url).status_code == 404
    assert "75.0" in page and "Trimmed mean" in page


def test_cycle_hidden_from_other_tree_and_draft_hidden_from_nominees(tree, personas, login):
    cycle = make_cycle(personas.dept_admin, tree.county)
    with travel(OPEN_DAY):
        draft = services.create_cycle(personas.dept_admin, org=tree.county, data={
            **{k: getattr(cycle, k) for k in services.CYCLE_FIELDS}, "name": "草稿"})
    with travel(OPEN_DAY):
        c = login(personas.org_admin_a)
        assert c.get(reverse("awards:nominate", args=[draft.pk])).status_code == 404
        assert c.get(reverse("awards:nominate", args=[cycle.pk])).status_code == 200
        assert cycle.name in c.get(reverse("awards:mine")).content.decode()
        assert c.post(reverse("awards:cycle_status", args=[cycle.pk]), {"to": "screening"}).status_code == 403
        c = login(personas.org_admin_b)  # town B is in the county's scope but the other tree is not
        assert c.get(reverse("awards:nominate", args=[cycle.pk])).status_code == 200


def test_crafted_submit_after_deadline_refused(tree, personas, login):
    cycle = make_cycle(personas.dept_admin, tree.county)
    nom = nominate(personas.org_admin_a, cycle, tree.village_a1, "迟交", submit=False)
    with travel(OPEN_DAY):
        services.add_attachment(personas.org_admin_a, nom, pdf(), "application_form")
    c = login(personas.org_admin_a)
    with travel(dt.datetime(2026, 9, 25, 9, 0)):
        r = c.post(reverse("awards:nomination", args=[nom.pk]), {"submit": "1"}, follow=True)
    assert "accepted from" in r.content.decode()
    assert Nomination.objects.get(pk=nom.pk).status == "draft"


def test_nominee_flow_through_pages(tree, personas, login):
    cycle = make_cycle(personas.dept_admin, tree.county)
    c = login(personas.org_admin_a)
    with travel(OPEN_DAY):
        r = c.post(reverse("awards:nominate", args=[cycle.pk]), {"org": tree.village_a2.pk, "category": "围绕中心",
                                                                 "title": "光明村网格党建"})
        nom = Nomination.objects.get(title="光明村网格党建")
        assert r.status_code == 302
        c.post(reverse("awards:nomination", args=[nom.pk]), {"save": "1", "version": 0, "title": nom.title, **CASE})
        c.post(reverse("awards:nomination", args=[nom.pk]), {"upload": "1", "kind": "application_form", "file": pdf()})
        c.post(reverse("awards:nomination", args=[nom.pk]), {"submit": "1"})
        # outside scope: town B's village is not offered, and a crafted post is refused
        r2 = c.post(reverse("awards:nominate", args=[cycle.pk]), {"org": tree.village_b1.pk, "category": "围绕中心",
                                                                  "title": "x"})
    nom.refresh_from_db()
    assert nom.status == "submitted" and nom.abstract == CASE["abstract"]
    assert r2.status_code == 200 and not Nomination.objects.filter(title="x").exists()


def test_api_cycles_and_own_nominations(tree, personas, client):
    w = build(tree, personas, upto="submitted")
    _token, raw = account_services.create_token(personas.org_admin_b, personas.org_admin_b, name="t")
    h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    titles = [n["title"] for n in client.get("/api/v1/awards/nominations", **h).json()]
    assert titles == [w.b1.title]
    assert client.get(f"/api/v1/awards/nominations/{w.a1.pk}", **h).status_code == 404
    assert [c["id"] for c in client.get("/api/v1/awards/cycles", **h).json()] == [w.cycle.pk]


# --- two submissions at the same moment (PostgreSQL) --------------------------------------------------------

@pytest.fixture
def postgres_only(django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections need PostgreSQL")
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")


@pytest.fixture
def flushable(transactional_db):
    yield
    connections.close_all()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")


def test_two_submissions_at_once_respect_the_quota(postgres_only, transactional_db, flushable, tree, personas):
    cycle = make_cycle(personas.dept_admin, tree.county)
    with travel(OPEN_DAY):
        # two drafts exist (made before the quota was lowered to one): both are submitted at the same moment
        services.update_cycle(personas.dept_admin, cycle, {"max_per_org": 2}, expected_version=cycle.version)
        drafts = [nominate(personas.org_admin_a, cycle, tree.village_a1, f"同时{n}", submit=False) for n in (1, 2)]
        for d in drafts:
            services.add_attachment(personas.org_admin_a, d, pdf(), "application_form")
        cycle.refresh_from_db()
        services.update_cycle(personas.dept_admin, cycle, {"max_per_org": 1}, expected_version=cycle.version)
        barrier = threading.Barrier(2)
        outcomes = []

        def submit(nom):
            try:
                barrier.wait()
                services.submit_nomination(personas.org_admin_a, Nomination.objects.get(pk=nom.pk))
                outcomes.append("ok")
            except Exception as exc:  # noqa: BLE001 - the loser's error is the point
                outcomes.append(type(exc).__name__)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=submit, args=(d,)) for d in drafts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == ["ValidationError", "ok"]
    assert Nomination.objects.filter(cycle=cycle, status="submitted").count() == 1


def test_histories_show_readable_steps_not_codes(tree, personas, login):
    """The cycle history and the nominee's status list name each step in words, not the stored codes."""
    w = build(tree, personas)
    with travel(IN_PERIOD):
        cycle_page = login(personas.dept_admin).get(reverse("awards:cycle", args=[w.cycle.pk])).content.decode()
        nominee_page = login(personas.org_admin_a).get(reverse("awards:nomination", args=[w.a1.pk])).content.decode()
    history = cycle_page.split('id="history"')[1].split("</ul>")[0]
    assert "Public notice published" in history and "Nomination submitted" in history
    assert "notice_publish" not in history and "screened_pass" not in history
    status_list = nominee_page.split("Status and reasons")[1].split("</ul>")[0]
    assert "Submitted" in status_list and "submitted" not in status_list.replace("Submitted", "")
