"""The score sheet's per-item sheet and the review report as PDF; blind rounds name nobody, metadata included."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.reviews.conftest import score_all
from tupo.core.models import AuditEvent
from tupo.reviews import services
from tupo.reviews.choices import RoundStatus
from tupo.reviews.models import Score

pytestmark = pytest.mark.django_db


def _closed(review, admin, experts):
    for e in experts:
        e.display_name = f"专家{e.username}姓名"
        e.save(update_fields=["display_name"])
    services.assign_optimal(admin, review)
    services.change_status(admin, review, RoundStatus.OPEN)
    score_all(review, {"e1": (9, 9), "e2": (6, 7), "e3": (4, 5)})
    services.change_status(admin, review, RoundStatus.CLOSED)
    services.decide(admin, review.test_items[0], "approved", "Best")


def _names(experts, admin):
    return {e.username for e in experts} | {e.display_name for e in experts} | {admin.username}


@pytest.mark.parametrize("blind", [True, False])
def test_score_sheet_has_one_row_per_review_and_one_per_item(personas, review, experts, login, blind):
    admin = personas.dept_admin
    review.blind = blind
    review.save(update_fields=["blind"])
    _closed(review, admin, experts)
    resp = login(admin).get(reverse("reviews:export", args=[review.pk]) + "?k=1")
    assert resp.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == ["Reviews", "Items"]
    assert wb.properties.creator == "Tupo" and wb.properties.lastModifiedBy == "Tupo"
    reviews, items = ([[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets)
    assert len(reviews) == 1 + 6 and len(items) == 1 + 3
    c1, c2 = review.criteria.all()
    assert items[0] == ["Rank", "Item", "Item number" if blind else "Submitting organization", "Reviews",
                        "Mean of Innovation", "Mean of Effectiveness", "Weighted mean", "Trimmed mean", "Median",
                        "Calibrated score", "Rank interval", "P(awarded)", "Decision"]
    ranking = services.aggregate(review, k=1)
    assert [row[1] for row in items[1:]] == [r.item.title for r in ranking.rows]
    for row, r in zip(items[1:], ranking.rows, strict=True):
        values = [float(v) for v in Score.objects.filter(assignment__item=r.item, criterion=c1,
                                                         assignment__status="submitted").values_list("value", flat=True)]
        assert row[3] == 2 == r.n_reviews
        assert row[4] == pytest.approx(sum(values) / len(values), abs=0.01)
        assert row[6] == pytest.approx(r.mean, abs=0.01) and row[8] == pytest.approx(r.median, abs=0.01)
        assert row[9] == pytest.approx(r.calibrated, abs=0.01)
        assert row[10] == f"{r.rank_low}–{r.rank_high}" and row[11] == pytest.approx(r.p_funded, abs=0.001)
        assert row[2] == (r.item.pk if blind else r.item.org.name)
    decided = next(row for row in items[1:] if row[1] == review.test_items[0].title)
    assert decided[12] == "Approved"
    cells = [str(v) for rows in (reviews, items) for row in rows for v in row if v is not None]
    names_present = any(n in cell for n in _names(experts, admin) for cell in cells)
    assert names_present is (not blind)
    meta = " ".join(str(getattr(wb.properties, k) or "") for k in ("creator", "lastModifiedBy", "title", "subject",
                                                                     "description", "keywords"))
    assert not any(n in meta for n in _names(experts, admin))
    assert AuditEvent.objects.filter(event_type="review.export", details__format="xlsx").exists()


@pytest.mark.parametrize("blind", [True, False])
def test_review_report_pdf(personas, review, experts, login, blind):
    from pypdf import PdfReader

    admin = personas.dept_admin
    review.blind = blind
    review.save(update_fields=["blind"])
    _closed(review, admin, experts)
    client = login(admin)
    page = client.get(reverse("reviews:ranking", args=[review.pk]) + "?k=1").content.decode()
    assert "Review report (PDF)" in page and reverse("reviews:report_pdf", args=[review.pk]) in page
    resp = client.get(reverse("reviews:report_pdf", args=[review.pk]) + "?k=1")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"].endswith(".pdf") and resp.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(resp.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Krippendorff" in text and "Calibrated score" in text and "Ranking" in text
    for item in review.test_items:  # Chinese titles read back: the CJK font maps to Unicode
        assert item.title in text
    ranking = services.aggregate(review, k=1)
    assert f"{ranking.rows[0].calibrated:.2f}" in text and "Approved" in text
    assert text.index(ranking.rows[0].item.title) < text.index(ranking.rows[-1].item.title)
    meta = reader.metadata
    assert meta.author == "Tupo" and meta.creator == "Tupo" and meta.title == review.title
    everything = text + " ".join(str(v) for v in meta.values()) + resp["Content-Disposition"]
    assert not any(n in everything for n in _names(experts, admin))
    assert AuditEvent.objects.filter(event_type="review.export", details__format="pdf").exists()
    # experts of the round and administrators of another subtree cannot download it
    for other in (experts[0], personas.org_admin_a, personas.member_a):
        assert login(other).get(reverse("reviews:report_pdf", args=[review.pk])).status_code == 404


def test_publishing_decisions_tells_the_owners_where_the_feedback_is(personas, tree, review, experts, login):
    from tupo.core.models import Notification

    admin = personas.dept_admin
    _closed(review, admin, experts)
    for item in review.test_items[1:]:
        services.decide(admin, item, "rejected", "Lower")
    assert not Notification.objects.exists()
    services.change_status(admin, review, RoundStatus.DECIDED)
    # 李四 (member_a) is on the team of the first item; the other items have no owner account
    notice = Notification.objects.get()
    url = reverse("reviews:feedback", args=[review.test_items[0].pk])
    assert notice.user == personas.member_a and notice.url == url and review.test_items[0].title in notice.title
    page = login(personas.member_a).get(url).content.decode()
    assert "Innovation" in page and "Best" in page and "E0" in page
    # display names anywhere; user names as text (a bare "e1" could occur inside a random CSRF token)
    assert not any(e.display_name in page or f">{e.username}<" in page for e in experts)
