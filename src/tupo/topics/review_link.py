"""The thin link to the ``reviews`` app: a call's passing bids become one review round; its ranking comes back.

No scores are kept in topics: the round, its criteria, experts and scorecards all live in ``reviews``.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

SUBJECT_TYPE = "topics.bid"


def reviewer_bid_q(user) -> Q:
    """Bids the user has an active review assignment on (through reviews' items)."""
    from tupo.reviews.choices import ACTIVE_ASSIGNMENT
    from tupo.reviews.models import Assignment

    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    mine = Assignment.objects.filter(expert_id=user.pk, status__in=ACTIVE_ASSIGNMENT,
                                     item__subject_type=SUBJECT_TYPE, item__subject_id=OuterRef("pk"))
    return Q(Exists(mine))


def review_round(call):
    from tupo.reviews.models import ReviewRound

    if not call.review_round_id:
        return None
    return ReviewRound.objects.filter(pk=call.review_round_id).first()


def send_to_review(actor, call, *, workdays: int = 10, reviews_per_item: int = 3):
    """Create the review round for the call's passing bids (one item per bid, the team attached).

    Called inside ``services.send_to_review`` (its transaction, its permission check).
    """
    from tupo.reviews import services as review_services
    from tupo.topics.choices import BidStatus

    criteria = call.criteria or [{"name": _("Overall quality"), "weight": 100}]
    funded = call.awards_per_topic * call.topics.count()
    rnd = review_services.create_round(actor, org=call.org, data={
        "title": _("Review of bids: %(call)s") % {"call": call.title}, "workdays": workdays,
        "reviews_per_item": reviews_per_item, "funded_count": funded,
    }, criteria=[{"name": c["name"], "weight": int(c["weight"]), "anchors": c.get("anchors", "")} for c in criteria])
    bids = call.bids.filter(status=BidStatus.SCREENED_PASS).select_related("topic", "org", "created_by")
    for bid in bids.prefetch_related("team"):
        team = [m.person_id for m in bid.team.all() if m.invitation != "declined"]
        review_services.add_item(actor, rnd, {
            "title": bid.title, "text": "\n\n".join(x for x in (bid.topic.title, bid.angle, bid.outline, bid.method) if x),
            "org": bid.org, "subject_type": SUBJECT_TYPE, "subject_id": bid.pk, "submitted_by": bid.created_by,
        }, team=team)
    return rnd


def ranking(call) -> list[dict]:
    """Bids of the call in the round's ranking order: [{bid_id, rank, score, n_reviews, decision}], [] if none."""
    from tupo.reviews import services as review_services

    rnd = review_round(call)
    if rnd is None:
        return []
    from tupo.reviews.models import PanelDecision

    result = _cached_aggregate(rnd, review_services)
    attr = {"calibrated": "calibrated", "trimmed_mean": "trimmed_mean", "mean": "mean", "median": "median"}.get(
        rnd.aggregation, "mean")
    # Decisions are read fresh on every request (only the scores' aggregation is cached).
    decisions = dict(PanelDecision.objects.filter(item__round=rnd).values_list("item_id", "decision"))
    out = []
    for pos, row in enumerate(result.rows, 1):
        if row.item.subject_type != SUBJECT_TYPE:
            continue
        out.append({"bid_id": row.item.subject_id, "position": pos, "rank": getattr(row, "rank", None),
                    "score": getattr(row, attr, None), "n_reviews": getattr(row, "n_reviews", 0),
                    "decision": decisions.get(row.item.pk, "")})
    return out


def _cached_aggregate(rnd, review_services):
    """The round's score aggregation, recomputed only when its inputs change.

    Calibration and the rank-interval draws cost ~100 ms per request at 300 bids; a fingerprint of what they
    read (items, submitted scorecards — submitted once, never edited — and the aggregation method) keys the
    cache, so a stale ranking is never shown.
    """
    from django.core.cache import cache
    from django.db.models import Count, Max

    from tupo.reviews.models import Scorecard

    subm = Scorecard.objects.filter(assignment__round=rnd, submitted_at__isnull=False).aggregate(
        n=Count("id"), t=Max("submitted_at"), m=Max("id"))
    items = rnd.items.aggregate(n=Count("id"), m=Max("id"))
    import hashlib

    fingerprint = f"{subm['n']}|{subm['t']}|{subm['m']}|{items['n']}|{items['m']}|{rnd.aggregation}|{rnd.funded_count}"
    key = f"topics.ranking.{rnd.pk}.{hashlib.sha256(fingerprint.encode()).hexdigest()[:32]}"
    result = cache.get(key)
    if result is None:
        result = review_services.aggregate(rnd, n_draws=200)
        cache.set(key, result, 3600)
    return result
