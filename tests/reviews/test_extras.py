"""Reminders, the experts' quality record, the review report (.docx) and declared ties."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tupo.core.models import Notification
from tupo.reviews import services
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
