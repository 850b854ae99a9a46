"""Reminders, the experts' quality record, the review report (.docx) and declared ties."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.reviews.conftest import score_all
from tupo.core.models import Notification
from tupo.reviews import queries, services
from tupo.reviews.choices import AssignmentStatus, RoundStatus
from tupo.reviews.models import Assignment, ReviewEvent

pytestmark = pytest.mark.django_db


def _open(review, admin):
    services.assign_optimal(admin, review)
    services.change_status(admin, review, RoundStatus.OPEN)


def test_remind_notifies_experts_with_unfinished_reviews(personas, review, experts, login, mailoutbox,
                                                         django_capture_on_commit_callbacks):
    admin = personas.dept_admin
    _open(review, admin)
    for e in experts:
        e.email = f"{e.username}@example.org"
        e.save(update_fields=["email"])
    done = experts[0]
    crit = list(review.criteria.all())
    for a in Assignment.objects.filter(round=review, expert=done).select_related("round"):
        services.submit_scorecard(done, a, {crit[0].pk: 7, crit[1].pk: 8}, opinion="ok", confidence=3)
    unfinished = set(Assignment.objects.filter(round=review, status=AssignmentStatus.ASSIGNED)
                     .values_list("expert__username", flat=True))
    assert unfinished and done.username not in unfinished

    # an expert (even one of the round) and an administrator of no subtree are refused
    with pytest.raises(PermissionDenied):
        services.remind(experts[1], review)
    assert login(experts[1]).post(reverse("reviews:remind", args=[review.pk])).status_code in (403, 404)
    assert login(personas.org_admin_a).post(reverse("reviews:remind", args=[review.pk])).status_code in (403, 404)
    assert not Notification.objects.exists()

    client = login(admin)
    assert "Remind experts with unfinished reviews" in client.get(reverse("reviews:round", args=[review.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("reviews:remind", args=[review.pk]))
    assert resp.status_code == 302
    told = Notification.objects.all()
    assert {n.user.username for n in told} == unfinished
    assert all("2026-09-15" in n.title and "2026-09-15" in n.body for n in told)
    # one message per expert: no expert learns who else reviews
    assert sorted(tuple(m.to) for m in mailoutbox) == sorted((f"{u}@example.org",) for u in unfinished)
    assert ReviewEvent.objects.filter(round=review, kind="remind", to_value=str(len(unfinished))).exists()
    from tupo.core.models import AuditEvent

    assert AuditEvent.objects.filter(event_type="review.remind").exists()


def test_remind_only_while_open(personas, review):
    from tupo.core.services import InvalidTransition

    with pytest.raises(InvalidTransition):
        services.remind(personas.dept_admin, review)


HAND = {"e1": (8, 6, 4), "e2": (7, 6, 3), "e3": (4, 6, 2)}  # weighted totals per item (both criteria equal)


def _hand_round(admin, tree):
    from tests.reviews.conftest import make_round

    r = make_round(admin, tree.county, title="Hand-made", reviews_per_item=3, max_load=3)
    items = [services.add_item(admin, r, {"title": f"Item {n}", "text": "党建", "org": org})
             for n, org in enumerate((tree.village_a2, tree.village_b1, tree.branch_a11))]
    services.assign_optimal(admin, r)
    services.change_status(admin, r, RoundStatus.OPEN)
    crit = list(r.criteria.all())
    for a in Assignment.objects.filter(round=r).select_related("expert", "round"):
        v = HAND[a.expert.username][items.index(a.item)]
        services.submit_scorecard(a.expert, a, {crit[0].pk: v, crit[1].pk: v}, opinion="ok", confidence=3)
    return r, items


def test_quality_record_numbers_and_visibility(personas, tree, review, experts, login, django_assert_max_num_queries):
    import datetime as dt

    import numpy as np
    from django.utils import timezone

    from tupo.methods.calibration import calibrate
    from tupo.reviews.models import Scorecard

    admin = personas.dept_admin
    r, items = _hand_round(admin, tree)
    # one of e2's reviews arrived after the deadline (2026-09-15)
    late = Scorecard.objects.filter(assignment__round=r, assignment__expert__username="e2").order_by("id").first()
    late.submitted_at = timezone.make_aware(dt.datetime(2026, 9, 16, 9, 0))
    late.save(update_fields=["submitted_at"])
    # the fixture round: e3 declines one review, e1 recuses from one
    _open(review, admin)
    services.decline(experts[2], Assignment.objects.filter(round=review, expert=experts[2]).first(), "Too busy")
    services.recuse(experts[0], Assignment.objects.filter(round=review, expert=experts[0]).first(), "My cousin")

    rows = {row["expert"].username: row for row in queries.quality_record(admin)}
    assert set(rows) == {"e1", "e2", "e3"}
    assert all(rows[u]["rounds"] == 2 for u in rows)
    assert (rows["e1"]["assigned"], rows["e1"]["submitted"], rows["e1"]["recused"], rows["e1"]["declined"]) == (5, 3, 1, 0)
    assert (rows["e3"]["declined"], rows["e3"]["recused"]) == (1, 0)
    assert rows["e1"]["timeliness"] == 1.0 and rows["e2"]["timeliness"] == pytest.approx(2 / 3)
    # e1: own (8, 6, 4) against the others' means (5.5, 6, 2.5): r = 6 / sqrt(8 × 43/6) by hand
    assert rows["e1"]["agreement"] == pytest.approx(6 / np.sqrt(8 * 43 / 6))
    assert rows["e1"]["agreement"] == pytest.approx(0.79241, abs=1e-4)
    for u in HAND:
        others = [np.mean([HAND[o][i] for o in HAND if o != u]) for i in range(3)]
        assert rows[u]["agreement"] == pytest.approx(np.corrcoef(HAND[u], others)[0, 1])
    cal = calibrate([u for u in HAND for _ in range(3)], [i for _u in HAND for i in range(3)],
                    [v for u in HAND for v in HAND[u]], [3] * 9, n_draws=20)
    for eff in cal.reviewers:
        assert rows[eff.reviewer]["offset"] == pytest.approx(eff.offset, abs=1e-6)
    assert rows["e1"]["offset"] > 0 > rows["e3"]["offset"]  # e1 lenient, e3 strict

    client = login(admin)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("reviews:quality")).content.decode()
    assert "Agreement with the panel" in page and "0.79" in page
    # more experts and reviews: the same number of queries
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(reverse("reviews:quality"))
    from tests.reviews.conftest import make_expert

    extra = [make_expert(f"x{n}", grant_org=tree.county) for n in range(4)]
    for n, e in enumerate(extra):
        Assignment.objects.create(round=r, expert=e, item=items[n % 3])
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("reviews:quality"))
    assert len(after) == len(before)
    # nobody else sees it, including the experts themselves
    for other in (experts[0], personas.expert, personas.org_admin_a, personas.leader):
        assert login(other).get(reverse("reviews:quality")).status_code == 404


@pytest.mark.parametrize("blind", [True, False])
def test_review_report_docx(personas, review, experts, login, blind):
    import io

    import docx

    admin = personas.dept_admin
    review.blind = blind
    review.save(update_fields=["blind"])
    _open(review, admin)
    score_all(review)
    services.change_status(admin, review, RoundStatus.CLOSED)
    services.decide(admin, review.test_items[0], "approved", "Best")
    client = login(admin)
    assert "Review report (Word)" in client.get(reverse("reviews:ranking", args=[review.pk])).content.decode()
    resp = client.get(reverse("reviews:report", args=[review.pk]) + "?k=1")
    assert resp.status_code == 200 and resp["Content-Disposition"].endswith(".docx")
    doc = docx.Document(io.BytesIO(resp.content))
    assert doc.core_properties.author == "Tupo" and doc.core_properties.last_modified_by == "Tupo"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert review.title in text and "Krippendorff" in text and "Calibrated score" in text
    table = doc.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["Rank", "Item", "Calibrated score", "Trimmed mean", "Rank interval", "P(awarded)", "Decision"]
    ranking = services.aggregate(review, k=1)
    assert [r[1] for r in rows[1:]] == [r.item.title for r in ranking.rows]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert rows[1][2] == f"{ranking.rows[0].calibrated:.2f}"
    decided = next(r for r in rows[1:] if r[1] == review.test_items[0].title)
    assert decided[6] == "Approved"
    everything = text + "\n".join(c.text for row in table.rows for c in row.cells) + str(doc.core_properties.author)
    for e in experts + [admin]:
        assert e.username not in everything and str(e) not in everything
    # an expert of the round cannot download it
    assert login(experts[0]).get(reverse("reviews:report", args=[review.pk])).status_code == 404


def test_declare_ties_from_the_profile_page(personas, tree, review, experts, login):
    from tupo.reviews.models import Conflict, ExpertTie

    expert = experts[0]
    client = login(expert)
    page = client.get(reverse("reviews:profile")).content.decode()
    assert "Declared ties" in page and "No ties declared." in page
    url = reverse("reviews:tie_add")
    # unknown ID number: "not found", nothing else
    resp = client.post(url, {"kind": "relative", "id_number": "110101199001011234"}, follow=True)
    assert "Not found" in resp.content.decode() and not ExpertTie.objects.exists()
    # neither or both given
    resp = client.post(url, {"kind": "relative"}, follow=True)
    assert "either a person" in resp.content.decode()
    # a person the expert may not see: the tie is recorded, shown by ID number, never by name
    resp = client.post(url, {"kind": "relative", "id_number": tree.person_a11.id_number.lower(), "note": "cousin"},
                       follow=True)
    page = resp.content.decode()
    assert "Tie declared" in page and tree.person_a11.id_number in page and tree.person_a11.name not in page
    resp = client.post(url, {"kind": "coauthor", "id_number": tree.person_a11.id_number}, follow=True)
    assert "already declared" in resp.content.decode()
    # an organization by its code
    resp = client.post(url, {"kind": "former_colleague", "org_code": tree.village_b1.code}, follow=True)
    assert tree.village_b1.name in resp.content.decode()
    assert ExpertTie.objects.filter(profile__user=expert).count() == 2
    # the ties drive conflicts: item 0 has 李四 on its team, item 2 comes from village B1
    services.compute_conflicts(personas.dept_admin, review)
    tied = set(Conflict.objects.filter(expert=expert, source="tie").values_list("item_id", flat=True))
    assert tied == {review.test_items[0].pk, review.test_items[2].pk}
    # not an expert: refused
    assert login(personas.member_a).post(url, {"kind": "relative", "org_code": tree.county.code}).status_code == 403
