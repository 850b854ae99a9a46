"""Every write of the expert review goes through here (views, API and other apps alike).

The algorithms live in ``tupo.methods`` (assignment, calibration, ranking, textsim) and are only called here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.accounts.choices import Role
from tupo.core import audit
from tupo.core.calendar import CalendarDataMissing, add_workdays
from tupo.core.services import InvalidTransition, atomic_service, require_perm
from tupo.methods import assignment as assignment_method
from tupo.methods import textsim
from tupo.orgs import tree
from tupo.reviews.choices import (
    ACTIVE_ASSIGNMENT,
    ALLOWED_ASSIGNMENT_TRANSITIONS,
    ALLOWED_TRANSITIONS,
    Aggregation,
    AssignmentStatus,
    BidLevel,
    ConflictSource,
    Decision,
    RoundStatus,
)
from tupo.reviews.models import (
    Assignment,
    Conflict,
    Criterion,
    ExpertProfile,
    ExpertTie,
    InterestBid,
    PanelDecision,
    ReviewEvent,
    ReviewItem,
    ReviewRound,
    Score,
    Scorecard,
)

ROUND_FIELDS = ("title", "blind", "scale_max", "reviews_per_item", "min_load", "max_load", "start_date", "workdays",
                "aggregation", "funded_count", "bidding", "bid_bonus", "bid_penalty")
PROFILE_FIELDS = ("fields", "keywords", "profile", "available", "max_load")


def _event(review_round, kind, actor, *, from_value="", to_value="", reason="", assignment=None):
    ReviewEvent.objects.create(round=review_round, assignment=assignment, kind=kind, from_value=str(from_value),
                               to_value=str(to_value), reason=reason[:300], actor=_user(actor))


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- rounds and criteria ------------------------------------------------------------------------------------

def validate_criteria(criteria: list[dict]) -> list[dict]:
    """Names given, weights whole positive percentages summing to 100. Raises ValidationError({"criteria": ...})."""
    errors, clean = [], []
    if not criteria:
        errors.append(_("A round needs at least one criterion."))
    for n, c in enumerate(criteria, start=1):
        name = (c.get("name") or "").strip()
        try:
            weight = int(c.get("weight"))
        except (TypeError, ValueError):
            weight = 0
        if not name:
            errors.append(_("Criterion %(n)s has no name.") % {"n": n})
        if weight <= 0:
            errors.append(_("Criterion %(n)s needs a weight above 0.") % {"n": n})
        clean.append({"name": name, "weight": weight, "anchors": (c.get("anchors") or "").strip()})
    total = sum(c["weight"] for c in clean)
    if criteria and total != 100:
        errors.append(_("The weights add up to %(total)s; they must add up to 100.") % {"total": total})
    if errors:
        raise ValidationError({"criteria": errors})
    return clean


def validate_round(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {k: data[k] for k in ROUND_FIELDS if k in data}
    if not (clean.get("title") or "").strip():
        errors.setdefault("title", []).append(_("The title is required."))
    for k, low in (("scale_max", 1), ("reviews_per_item", 1), ("workdays", 1)):
        if k in clean and (clean[k] is None or int(clean[k]) < low):
            errors.setdefault(k, []).append(_("At least %(n)s.") % {"n": low})
    if clean.get("min_load") is not None and clean.get("max_load") is not None and clean["min_load"] > clean["max_load"]:
        errors.setdefault("min_load", []).append(_("The fewest items cannot exceed the most items."))
    for k in ("bid_bonus", "bid_penalty"):
        if k in clean:
            try:
                value = float(clean[k])
            except (TypeError, ValueError):
                value = float("nan")
            if not 0 <= value <= 1:  # NaN fails too
                errors.setdefault(k, []).append(_("Between 0 and 1 (the match itself is 0–1)."))
            else:
                clean[k] = value
    if not errors:
        try:
            clean["deadline"] = add_workdays(clean.get("start_date") or timezone.localdate(), int(clean.get("workdays", 10)))
        except CalendarDataMissing as exc:
            errors.setdefault("workdays", []).append(str(exc))
    if errors:
        raise ValidationError(errors)
    return clean


@atomic_service
def create_round(actor, *, org, data: dict, criteria: list[dict]) -> ReviewRound:
    require_perm(actor, "reviews.add_round", org)
    clean = validate_round(data)
    crit = validate_criteria(criteria)
    review_round = ReviewRound.objects.create(org=org, created_by=_user(actor), **clean)
    Criterion.objects.bulk_create([Criterion(round=review_round, position=n, **c) for n, c in enumerate(crit)])
    _event(review_round, "create", actor, to_value=RoundStatus.DRAFT)
    audit.record("review.round.create", actor=actor, obj=review_round,
                 details={"org": org.pk, "criteria": [[c["name"], c["weight"]] for c in crit]})
    return review_round


@atomic_service
def change_status(actor, review_round: ReviewRound, to: str, reason: str = "") -> ReviewRound:
    """Move a round along ALLOWED_TRANSITIONS, with the checks each step needs."""
    require_perm(actor, "reviews.manage_round", review_round)
    locked = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    frm = locked.status
    if to not in ALLOWED_TRANSITIONS.get(frm, set()):
        raise InvalidTransition(_("A round cannot go from “%(from)s” to “%(to)s”.") % {
            "from": RoundStatus(frm).label, "to": RoundStatus(to).label if to in RoundStatus.values else to})
    if to == RoundStatus.OPEN:
        if not locked.items.exists():
            raise ValidationError(_("Add the items to review before opening the round."))
        if not locked.assignments.filter(status__in=ACTIVE_ASSIGNMENT).exists():
            raise ValidationError(_("Assign experts before opening the round."))
    if to == RoundStatus.DECIDED:
        undecided = locked.items.filter(decision__isnull=True).count()
        if undecided:
            raise ValidationError(_("%(n)s item(s) have no decision yet.") % {"n": undecided})
    locked.status = to
    locked.save(update_fields=["status"])
    _event(locked, "status", actor, from_value=frm, to_value=to, reason=reason)
    told = _notify_owners(locked) if to == RoundStatus.DECIDED else 0
    audit.record("review.round.status", actor=actor, obj=locked,
                 details={"from": frm, "to": to, "reason": reason, **({"owners_notified": told} if told else {})})
    review_round.status = to
    return locked


def _notify_owners(review_round) -> int:
    """When decisions are published, tell each item's submitter and team (one notice per item) where the
    feedback is. Administrators of the submitting organization also see it, but are not notified."""
    from django.urls import reverse

    from tupo.accounts.models import User
    from tupo.core.notifications import notify

    items = list(review_round.items.select_related("decision").prefetch_related("team").order_by("id"))
    team_users: dict[int, list] = {}
    person_ids = {p.pk for it in items for p in it.team.all()}
    for u in User.objects.filter(person_id__in=person_ids, is_active=True):
        team_users.setdefault(u.person_id, []).append(u)
    submitters = {u.pk: u for u in User.objects.filter(pk__in={it.submitted_by_id for it in items if it.submitted_by_id})}
    n = 0
    for it in items:
        owners = [submitters[it.submitted_by_id]] if it.submitted_by_id in submitters else []
        owners += [u for p in it.team.all() for u in team_users.get(p.pk, [])]
        if owners:
            n += notify(owners, _("Review result: %(item)s") % {"item": it.title},
                        _("The review of “%(item)s” in “%(round)s” is decided. Read the scores per criterion and the "
                          "experts' opinions.") % {"item": it.title, "round": review_round.title},
                        reverse("reviews:feedback", args=[it.pk]))
    return n


def chair_candidates(review_round: ReviewRound) -> list:
    """Who may chair the panel: the available experts of the pool, and department administrators whose
    organization lies on the round's branch of the tree (at, above or below the organizing organization)."""
    from tupo.accounts.models import RoleGrant, User

    path = review_round.org.path
    admins = {g.user_id for g in RoleGrant.objects.filter(role=Role.DEPT_ADMIN, org__isnull=False).select_related("org")
              if path.startswith(g.org.path) or g.org.path.startswith(path)}
    pool = expert_pool(review_round)
    extra = User.objects.filter(pk__in=admins - {u.pk for u in pool}, is_active=True).order_by("id")
    return pool + list(extra)


@atomic_service
def set_chair(actor, review_round: ReviewRound, chair, reason: str = "") -> ReviewRound:
    """The department administrator names the panel chair (or none) while the round is not decided. The chair
    records decisions and nothing else; they are told in the platform."""
    from django.urls import reverse

    from tupo.core.notifications import notify

    require_perm(actor, "reviews.manage_round", review_round)
    locked = ReviewRound.objects.select_for_update().select_related("org").get(pk=review_round.pk)
    if locked.status == RoundStatus.DECIDED:
        raise InvalidTransition(_("The round is decided: its panel chair can no longer change."))
    if chair is not None and chair.pk not in {u.pk for u in chair_candidates(locked)}:
        raise ValidationError({"chair": [_("%(user)s can chair only as an available expert of the round's pool or as "
                                           "a department administrator on its branch.") % {"user": chair}]})
    frm = locked.chair_id
    to = chair.pk if chair is not None else None
    if frm == to:
        return locked
    locked.chair = chair
    locked.save(update_fields=["chair"])
    _event(locked, "chair", actor, from_value=frm or "", to_value=to or "", reason=reason or "")
    audit.record("review.chair", actor=actor, obj=locked, details={"from": frm, "to": to, "reason": reason or ""})
    if chair is not None:
        notify([chair], _("You chair the panel of “%(round)s”") % {"round": locked.title},
               _("Once scoring is closed, record the panel's decision on each item, with its reason, on the ranking "
                 "page."), reverse("reviews:ranking", args=[locked.pk]))
    review_round.chair = chair
    return locked


def chair_conflicts(user, review_round: ReviewRound, items) -> dict[int, str]:
    """{item id: reason} for the items ``user`` (as panel chair) is conflicted with: stored conflicts of the round
    (recusals included) and the tree and tie rules computed now (the chair need not be in the pool)."""
    from tupo.accounts.models import User

    found = dict(Conflict.objects.filter(round=review_round, expert_id=user.pk, item__in=[it.pk for it in items])
                 .values_list("item_id", "reason"))
    expert = User.objects.select_related("person__org").get(pk=user.pk)
    for c in find_conflicts(review_round, [expert], list(items)):
        found.setdefault(c.item_id, c.reason)
    return found


def _require_editable(review_round: ReviewRound) -> None:
    if review_round.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
        raise InvalidTransition(_("This round is closed: its items and experts can no longer change."))


@atomic_service
def add_item(actor, review_round: ReviewRound, data: dict, team=()) -> ReviewItem:
    """Put one subject (bid, nomination, package, case…) under review. Other apps call this with their subject."""
    require_perm(actor, "reviews.manage_round", review_round)
    _require_editable(review_round)
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationError({"title": [_("The title is required.")]})
    if data.get("org") is None:
        raise ValidationError({"org": [_("The submitting organization is required.")]})
    item = ReviewItem.objects.create(
        round=review_round, title=title, text=data.get("text", ""), org=data["org"],
        subject_type=data.get("subject_type", ""), subject_id=data.get("subject_id"),
        submitted_by=data.get("submitted_by"),
    )
    if team:
        item.team.set(team)
    audit.record("review.item.add", actor=actor, obj=item,
                 details={"round": review_round.pk, "subject": f"{item.subject_type}:{item.subject_id}"})
    return item


# --- experts -------------------------------------------------------------------------------------------------

@atomic_service
def save_profile(actor, user, data: dict) -> ExpertProfile:
    """An expert edits their own profile; a department administrator may edit anyone's."""
    if getattr(actor, "pk", None) != user.pk:
        require_perm(actor, "reviews.use_admin")
    else:
        require_perm(actor, "reviews.edit_own_profile")
    profile, _created = ExpertProfile.objects.get_or_create(user=user)
    for k in PROFILE_FIELDS:
        if k in data:
            setattr(profile, k, data[k])
    if profile.max_load < 1:
        raise ValidationError({"max_load": [_("At least %(n)s.") % {"n": 1}]})
    profile.save()
    audit.record("review.profile.save", actor=actor, obj=profile, details={k: data.get(k) for k in ("available", "max_load")})
    return profile


@atomic_service
def declare_tie(actor, user, *, kind: str, person=None, org=None, note: str = "") -> ExpertTie:
    if getattr(actor, "pk", None) != user.pk:
        require_perm(actor, "reviews.use_admin")
    if (person is None) == (org is None):
        raise ValidationError(_("A tie is to one person or one organization."))
    profile, _created = ExpertProfile.objects.get_or_create(user=user)
    if ExpertTie.objects.active().filter(profile=profile, person=person, org=org).exists():
        raise ValidationError(_("This tie is already declared."))
    tie = ExpertTie.objects.create(profile=profile, person=person, org=org, kind=kind, note=note)
    audit.record("review.tie.declare", actor=actor, obj=tie, details={"kind": kind})
    return tie


def _round_assigned(review_round) -> bool:
    """Assigned = experts have been given items (or the round is past its draft)."""
    return review_round.status != RoundStatus.DRAFT or review_round.assignments.exists()


@atomic_service
def withdraw_tie(actor, tie: ExpertTie, reason: str) -> ExpertTie:
    """The expert (or a department administrator) withdraws a declared tie, with a reason; the row is kept.

    Conflicts follow only where nothing is assigned yet: in draft rounds without assignments the expert's tree and
    tie conflicts are recomputed at once. Rounds already assigned keep their conflicts (nobody's review changes
    silently); each gets a ``tie_withdrawn`` event that the administrator sees on the conflicts page, and the
    administrator's next "recompute" applies the withdrawal. Returns the tie with ``rounds_recomputed`` and
    ``rounds_flagged`` (lists of round ids) set."""
    user = tie.profile.user
    require_perm(actor, "reviews.withdraw_tie", tie)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason.")]})
    locked = ExpertTie.objects.select_for_update(of=("self",)).select_related("profile__user", "person", "org").get(pk=tie.pk)
    if locked.withdrawn_at is not None:
        raise InvalidTransition(_("This tie was already withdrawn."))
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = _user(actor)
    locked.withdrawal_reason = reason.strip()[:300]
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    recomputed, flagged = [], []
    round_ids = set(Conflict.objects.filter(expert=user, source=ConflictSource.TIE).values_list("round_id", flat=True))
    for review_round in ReviewRound.objects.filter(pk__in=round_ids).select_related("org").order_by("id"):
        if _round_assigned(review_round):
            flagged.append(review_round.pk)
            _event(review_round, "tie_withdrawn", actor, from_value=user.pk, reason=reason.strip())
            continue
        expert = type(user).objects.select_related("person__org").get(pk=user.pk)
        Conflict.objects.filter(round=review_round, expert=user,
                                source__in=(ConflictSource.TREE, ConflictSource.TIE)).delete()
        Conflict.objects.bulk_create(find_conflicts(review_round, [expert], _round_items(review_round)))
        recomputed.append(review_round.pk)
    audit.record("review.tie.withdraw", actor=actor, obj=locked, details={
        "reason": reason.strip(), "rounds_recomputed": recomputed, "rounds_flagged": flagged})
    locked.rounds_recomputed, locked.rounds_flagged = recomputed, flagged
    tie.withdrawn_at = locked.withdrawn_at
    return locked


def expert_pool(review_round: ReviewRound) -> list:
    """Available experts (role 'expert', available profile) whose expert grant lies on the round's branch of the tree."""
    from tupo.accounts.models import RoleGrant, User

    path = review_round.org.path
    grants = RoleGrant.objects.filter(role=Role.EXPERT).select_related("org")
    ids = {g.user_id for g in grants if g.org_id is None or path.startswith(g.org.path) or g.org.path.startswith(path)}
    return list(User.objects.filter(pk__in=ids, is_active=True, expert_profile__available=True)
                .select_related("expert_profile", "person__org").order_by("id"))


def _affiliations(users) -> dict[int, list]:
    """Each expert's organizations: their own record's organization and the organization of every non-expert grant."""
    from tupo.accounts.models import RoleGrant

    out: dict[int, list] = {u.pk: [] for u in users}
    for u in users:
        if u.person_id and u.person is not None:
            out[u.pk].append(u.person.org)
    for g in RoleGrant.objects.filter(user__in=[u.pk for u in users], org__isnull=False).exclude(role=Role.EXPERT) \
            .select_related("org"):
        if all(o.pk != g.org_id for o in out[g.user_id]):
            out[g.user_id].append(g.org)
    return out


def find_conflicts(review_round: ReviewRound, experts: list, items: list) -> list[Conflict]:
    """Tree and tie conflicts (unsaved rows): own, ancestor or descendant organization; declared ties."""
    affiliations = _affiliations(experts)
    pairs = [(u, org) for u in experts for org in affiliations[u.pk]]
    found: dict[tuple[int, int], list[tuple[str, str]]] = {}
    if pairs and items:
        parent: dict[int, int | None] = {}
        for path in {o.path for _u, o in pairs} | {it.org.path for it in items}:
            ids = tree.ancestor_ids(path)
            for n, node in enumerate(ids):
                parent[node] = ids[n - 1] if n else None
        mask = assignment_method.org_conflicts([o.pk for _u, o in pairs], [it.org_id for it in items], parent)
        for r, c in zip(*np.nonzero(mask), strict=True):
            user, org = pairs[r]
            item = items[c]
            if org.pk == item.org_id:
                why = _("The expert belongs to %(org)s, the submitting organization.")
            elif item.org.path.startswith(org.path):
                why = _("The expert belongs to %(org)s, above the submitting organization %(item_org)s.")
            else:
                why = _("The expert belongs to %(org)s, below the submitting organization %(item_org)s.")
            found.setdefault((user.pk, item.pk), []).append(
                (ConflictSource.TREE, why % {"org": org.name, "item_org": item.org.name}))
    ties = list(ExpertTie.objects.active().filter(profile__user__in=[u.pk for u in experts])
                .select_related("profile", "person", "org"))
    if ties:
        team = {it.pk: {p.pk: p for p in it.team.all()} for it in items}
        for tie in ties:
            for item in items:
                if tie.person_id and tie.person_id in team[item.pk]:
                    why = _("Declared tie (%(kind)s) with team member %(name)s.") % {
                        "kind": tie.get_kind_display(), "name": tie.person.name}
                elif tie.org_id and item.org.path.startswith(tie.org.path):
                    why = _("Declared tie (%(kind)s) with %(org)s.") % {"kind": tie.get_kind_display(), "org": tie.org.name}
                else:
                    continue
                found.setdefault((tie.profile.user_id, item.pk), []).append((ConflictSource.TIE, why))
    return [Conflict(round=review_round, expert_id=u, item_id=i, source=src, reason=why[:300])
            for (u, i), reasons in found.items() for src, why in reasons]


def _round_items(review_round):
    return list(review_round.items.select_related("org").prefetch_related("team").order_by("id"))


def _refresh_conflicts(review_round, experts, items) -> int:
    Conflict.objects.filter(round=review_round, source__in=(ConflictSource.TREE, ConflictSource.TIE)).delete()
    rows = find_conflicts(review_round, experts, items)
    Conflict.objects.bulk_create(rows)
    return len(rows)


@atomic_service
def compute_conflicts(actor, review_round: ReviewRound) -> int:
    """Recompute tree and tie conflicts for the pool and everyone already assigned (declared ones stay)."""
    require_perm(actor, "reviews.manage_round", review_round)
    experts = _experts_with_assigned(review_round)
    n = _refresh_conflicts(review_round, experts, _round_items(review_round))
    _event(review_round, "conflicts", actor, to_value=n)
    audit.record("review.conflicts", actor=actor, obj=review_round, details={"conflicts": n})
    return n


def _experts_with_assigned(review_round):
    from tupo.accounts.models import User

    experts = expert_pool(review_round)
    known = {u.pk for u in experts}
    extra = User.objects.filter(review_assignments__round=review_round).exclude(pk__in=known).distinct() \
        .select_related("person__org")
    return experts + list(extra)


# --- assignment --------------------------------------------------------------------------------------------------

def _load_cap(review_round, user) -> int:
    profile = getattr(user, "expert_profile", None)
    cap = review_round.max_load
    return min(cap, profile.max_load) if profile is not None else cap


def _problem(review_round):
    """Experts, items, affinity matrix and forbidden mask of a round (conflicts refreshed first)."""
    experts = expert_pool(review_round)
    items = _round_items(review_round)
    if not items:
        raise ValidationError([_("The round has no items to assign.")])
    if not experts:
        raise ValidationError([_("No available experts: give users the expert role and an available profile.")])
    _refresh_conflicts(review_round, experts + [u for u in _experts_with_assigned(review_round)
                                                 if u.pk not in {e.pk for e in experts}], items)
    e_index = {u.pk: n for n, u in enumerate(experts)}
    i_index = {it.pk: n for n, it in enumerate(items)}
    forbidden = np.zeros((len(experts), len(items)), dtype=bool)
    blocked = list(Conflict.objects.filter(round=review_round).values_list("expert_id", "item_id"))
    blocked += list(review_round.assignments.exclude(status__in=ACTIVE_ASSIGNMENT).values_list("expert_id", "item_id"))
    for e, i in blocked:
        if e in e_index and i in i_index:
            forbidden[e_index[e], i_index[i]] = True
    affinity = textsim.affinity([u.expert_profile.text for u in experts], [f"{it.title} {it.text}" for it in items])
    affinity = np.asarray(affinity, dtype=float)
    if review_round.bidding:
        affinity = with_bids(affinity, _bid_matrix(review_round, e_index, i_index),
                             review_round.bid_bonus, review_round.bid_penalty)
    return experts, items, affinity, forbidden


# --- bids of interest ------------------------------------------------------------------------------------------

BID_CODES = {BidLevel.INTERESTED: 1, BidLevel.WILLING: 2, BidLevel.NOT_INTERESTED: 3}


def with_bids(affinity: np.ndarray, bids: np.ndarray, bonus: float, penalty: float) -> np.ndarray:
    """The match the solver maximizes: text affinity + ``bonus`` where the expert is interested, + ``bonus``/2 where
    willing, − ``penalty`` where not interested (``bids`` holds 0 none, 1 interested, 2 willing, 3 not interested)."""
    out = np.array(affinity, dtype=float, copy=True)
    out[bids == 1] += bonus
    out[bids == 2] += bonus / 2
    out[bids == 3] -= penalty
    return out


def _bid_matrix(review_round, e_index: dict[int, int], i_index: dict[int, int]) -> np.ndarray:
    bids = np.zeros((len(e_index), len(i_index)), dtype=np.int8)
    for e, i, level in InterestBid.objects.filter(round=review_round).values_list("expert_id", "item_id", "level"):
        if e in e_index and i in i_index:
            bids[e_index[e], i_index[i]] = BID_CODES[level]
    return bids


def in_pool(user, review_round: ReviewRound) -> bool:
    """Whether ``user`` is an available expert of the round's pool (same rule as ``expert_pool``), in two queries."""
    from tupo.accounts.models import RoleGrant

    if not getattr(user, "is_authenticated", False) or Role.EXPERT not in user.roles:
        return False
    if not ExpertProfile.objects.filter(user=user, available=True).exists():
        return False
    path = review_round.org.path
    return any(g.org_id is None or path.startswith(g.org.path) or g.org.path.startswith(path)
               for g in RoleGrant.objects.filter(user=user, role=Role.EXPERT).select_related("org"))


def bidding_open(review_round: ReviewRound) -> bool:
    """Bids are taken while the round is a draft that asks for them."""
    return review_round.bidding and review_round.status == RoundStatus.DRAFT


def biddable_items(user, review_round: ReviewRound):
    """The round's items the expert may bid on: all but those the expert is conflicted with (tree, tie, recusal).
    A queryset (``queries.biddable_items``): the conflict rules run in SQL, so a page of a 10,000-item round costs
    two queries."""
    from tupo.reviews.queries import biddable_items as biddable

    return biddable(user, review_round)


@atomic_service
def save_bids(actor, review_round: ReviewRound, bids: dict, *, expert=None) -> dict[str, int]:
    """An expert of the pool records bids {item id: "interested" | "willing" | "not_interested" | ""} ("" removes
    the bid) while bidding is open. Unknown or conflicted items and unknown levels are refused, nothing saved.

    With ``expert`` (another user), a department administrator of the round enters the bids on that expert's behalf
    (e.g. sent on paper): each bid it writes keeps ``entered_by`` = the administrator, the audit event says so and
    the expert is notified. A bid the expert then changes is theirs again (``entered_by`` cleared)."""
    expert = expert if expert is not None else actor
    on_behalf = expert.pk != getattr(actor, "pk", None)
    if on_behalf:
        require_perm(actor, "reviews.manage_round", review_round)
        if not in_pool(expert, review_round):
            raise ValidationError({"expert": [_("%(expert)s is not an available expert of this round's pool.") % {
                "expert": expert}]})
    else:
        require_perm(actor, "reviews.bid", review_round)
    if not bidding_open(review_round):
        raise InvalidTransition(_("Bids of interest are taken only while the round is a draft that asks for them."))
    wanted: dict[int, str] = {}
    errors = []
    for raw_item, level in bids.items():
        try:
            wanted[int(raw_item)] = (level or "").strip()
        except (TypeError, ValueError):
            errors.append(_("Item %(item)s is not one you can bid on in this round.") % {"item": raw_item})
    allowed = set(biddable_items(expert, review_round).filter(pk__in=list(wanted)).values_list("pk", flat=True))
    clean: dict[int, str] = {}
    for item_id, level in wanted.items():
        if item_id not in allowed:
            errors.append(_("Item %(item)s is not one you can bid on in this round.") % {"item": item_id})
            continue
        if level and level not in BidLevel.values:
            errors.append(_("“%(level)s” is not a bid.") % {"level": level})
            continue
        clean[item_id] = level
    if errors:
        raise ValidationError({"bids": errors})
    entered_by = _user(actor) if on_behalf else None
    existing = {b.item_id: b for b in InterestBid.objects.filter(expert=expert, item_id__in=clean)}
    counts = {"saved": 0, "removed": 0}
    for item_id, level in clean.items():
        bid = existing.get(item_id)
        if not level:
            if bid is not None:
                bid.delete()
                counts["removed"] += 1
        elif bid is None:
            InterestBid.objects.create(round=review_round, expert=expert, item_id=item_id, level=level,
                                       entered_by=entered_by)
            counts["saved"] += 1
        elif bid.level != level:
            bid.level = level
            bid.entered_by = entered_by
            bid.save(update_fields=["level", "entered_by", "updated_at"])
            counts["saved"] += 1
    if counts["saved"] or counts["removed"]:
        _event(review_round, "bid", actor, from_value=expert.pk if on_behalf else "", to_value=counts["saved"],
               reason=f"removed={counts['removed']}" + (f"; entered for expert {expert.pk}" if on_behalf else ""))
        audit.record("review.bid", actor=actor, obj=review_round, details={
            **counts, "bids": {str(k): v for k, v in sorted(clean.items())},
            **({"expert": expert.pk, "entered_on_behalf": True} if on_behalf else {})})
        if on_behalf:
            _notify_bids_entered(actor, expert, review_round, counts)
    return counts


def _notify_bids_entered(actor, expert, review_round, counts) -> None:
    from django.urls import reverse

    from tupo.core.notifications import notify

    notify([expert], _("Bids entered for you: %(round)s") % {"round": review_round.title},
           _("%(admin)s entered bids of interest on your behalf in “%(round)s” (%(saved)s changed, %(removed)s "
             "removed). Check them while bidding is open.") % {"admin": actor, "round": review_round.title, **counts},
           reverse("reviews:bids", args=[review_round.pk]))


def bid_summary(review_round: ReviewRound) -> dict:
    """For the administrator's assignment page: how many bids, and how the current assignment meets them."""
    from django.db.models import Count as _Count

    by_level = dict(InterestBid.objects.filter(round=review_round).values_list("level").annotate(n=_Count("id"))
                    .values_list("level", "n"))
    experts = InterestBid.objects.filter(round=review_round).values("expert_id").distinct().count()
    bids = {(e, i): lv for e, i, lv in InterestBid.objects.filter(round=review_round)
            .values_list("expert_id", "item_id", "level")}
    met = {lv: 0 for lv in BidLevel.values}
    for e, i in review_round.assignments.filter(status__in=ACTIVE_ASSIGNMENT).values_list("expert_id", "item_id"):
        if (e, i) in bids:
            met[bids[(e, i)]] += 1
    return {"experts": experts, "by_level": {lv: by_level.get(lv, 0) for lv in BidLevel.values},
            "assigned": met, "total": sum(by_level.values())}


def _require_unscored(review_round):
    if review_round.assignments.filter(Q(status=AssignmentStatus.SUBMITTED) | Q(scores__isnull=False)).exists():
        raise InvalidTransition(_("Scoring has started: reassign single reviews instead of redrawing the round."))


def _apply_result(actor, review_round, experts, items, affinity, result, mode):
    review_round.assignments.filter(status=AssignmentStatus.ASSIGNED).delete()
    rows = [Assignment(round=review_round, expert=experts[r], item=items[c], affinity=float(affinity[r, c]))
            for r, c in result.pairs.tolist()]
    Assignment.objects.bulk_create(rows)
    f, cert = result.fairness, result.certificate
    review_round.assignment_report = {
        "mode": mode, "seed": result.seed, "at": timezone.now().isoformat(), "pairs": len(rows),
        "objective": round(float(result.objective), 4),
        "fairness": {"min": round(f.min_item_affinity, 4), "mean": round(f.mean_item_affinity, 4),
                     "max": round(f.max_item_affinity, 4),
                     "quantiles": {k: round(v, 4) for k, v in f.quantiles.items()},
                     "worst_items": [items[i].title for i in f.worst_items]},
        "certificate": {"method": cert.method, "optimal": bool(cert.optimal), "notes": list(cert.notes)},
        "loads": {str(experts[r].pk): int(n) for r, n in enumerate(result.reviewer_load.tolist())},
    }
    review_round.save(update_fields=["assignment_report"])
    _event(review_round, "assign", actor, to_value=mode, reason=f"seed={result.seed}" if result.seed is not None else "")
    audit.record("review.assign", actor=actor, obj=review_round,
                 details={"mode": mode, "pairs": len(rows), "seed": result.seed})
    return review_round.assignment_report


def _loads(review_round, experts):
    mx = np.array([_load_cap(review_round, u) for u in experts], dtype=np.int64)
    mn = np.minimum(np.full(len(experts), review_round.min_load, dtype=np.int64), mx)
    return mn, mx


@atomic_service
def assign_optimal(actor, review_round: ReviewRound, fair: bool = False) -> dict:
    """Best-matching assignment (TF-IDF affinity), optionally fair (max-min per item). Replaces unscored assignments."""
    require_perm(actor, "reviews.manage_round", review_round)
    _require_editable(review_round)
    _require_unscored(review_round)
    experts, items, affinity, forbidden = _problem(review_round)
    mn, mx = _loads(review_round, experts)
    try:
        result = assignment_method.assign(affinity, review_round.reviews_per_item, mn, mx, forbidden, fair=fair,
                                          reviewer_names=[str(u) for u in experts],
                                          item_names=[it.title for it in items])
    except assignment_method.InfeasibleAssignment as exc:
        raise ValidationError(exc.reasons) from exc
    return _apply_result(actor, review_round, experts, items, affinity, result, "fair" if fair else "optimal")


@atomic_service
def draw_random(actor, review_round: ReviewRound, seed: int | None = None) -> dict:
    """A random draw (抽签) respecting conflicts and loads; the seed is recorded so the draw can be replayed."""
    require_perm(actor, "reviews.manage_round", review_round)
    _require_editable(review_round)
    _require_unscored(review_round)
    experts, items, affinity, forbidden = _problem(review_round)
    mn, mx = _loads(review_round, experts)
    try:
        result = assignment_method.random_draw(demand=review_round.reviews_per_item, min_load=mn, max_load=mx,
                                               forbidden=forbidden, seed=seed, affinity=affinity,
                                               reviewer_names=[str(u) for u in experts],
                                               item_names=[it.title for it in items])
    except assignment_method.InfeasibleAssignment as exc:
        raise ValidationError(exc.reasons) from exc
    return _apply_result(actor, review_round, experts, items, affinity, result, "random")


def _check_candidate(review_round, item, expert) -> None:
    errors = []
    if Conflict.objects.filter(expert=expert, item=item).exists() or any(
            c.expert_id == expert.pk for c in find_conflicts(review_round, [expert], [item])):
        errors.append(_("%(expert)s has a conflict of interest with this item.") % {"expert": expert})
    if Assignment.objects.filter(round=review_round, item=item, expert=expert).exists():
        errors.append(_("%(expert)s is already on this item (or declined it).") % {"expert": expert})
    load = Assignment.objects.filter(round=review_round, expert=expert, status__in=ACTIVE_ASSIGNMENT).count()
    if load >= _load_cap(review_round, expert):
        errors.append(_("%(expert)s already has %(n)s items, the most allowed.") % {"expert": expert, "n": load})
    if errors:
        raise ValidationError(errors)


@atomic_service
def reassign(actor, assignment: Assignment, new_expert, reason: str = "") -> Assignment:
    """Give one review to another expert, checked against conflicts and loads."""
    require_perm(actor, "reviews.manage_assignment", assignment)
    review_round = assignment.round
    _require_editable(review_round)
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.status == AssignmentStatus.SUBMITTED:
        raise InvalidTransition(_("A submitted review cannot be reassigned."))
    if new_expert.pk not in {u.pk for u in expert_pool(review_round)}:
        raise ValidationError([_("%(expert)s is not an available expert for this round.") % {"expert": new_expert}])
    _check_candidate(review_round, locked.item, new_expert)
    old = locked.expert
    if locked.status == AssignmentStatus.ASSIGNED:
        Score.objects.filter(assignment=locked).delete()
        Scorecard.objects.filter(assignment=locked).delete()
        locked.expert = new_expert
        locked.save(update_fields=["expert"])
        new = locked
    else:
        new = Assignment.objects.create(round=review_round, expert=new_expert, item=locked.item)
    _event(review_round, "reassign", actor, from_value=old.pk, to_value=new_expert.pk, reason=reason, assignment=new)
    audit.record("review.reassign", actor=actor, obj=new, details={"from": old.pk, "to": new_expert.pk, "reason": reason})
    return new


@atomic_service
def reassign_declined(actor, review_round: ReviewRound) -> int:
    """One action: fill every review missing after declines and recusals with the best available experts."""
    require_perm(actor, "reviews.manage_round", review_round)
    _require_editable(review_round)
    experts, items, affinity, forbidden = _problem(review_round)
    active = dict(review_round.items.annotate(
        n=Count("assignments", filter=Q(assignments__status__in=ACTIVE_ASSIGNMENT))).values_list("pk", "n"))
    demand = np.array([max(0, review_round.reviews_per_item - active.get(it.pk, 0)) for it in items], dtype=np.int64)
    if not demand.sum():
        return 0
    e_index = {u.pk: n for n, u in enumerate(experts)}
    i_index = {it.pk: n for n, it in enumerate(items)}
    loads = np.zeros(len(experts), dtype=np.int64)
    for e in review_round.assignments.filter(status__in=ACTIVE_ASSIGNMENT).values_list("expert_id", flat=True):
        if e in e_index:
            loads[e_index[e]] += 1
    for e, i in review_round.assignments.values_list("expert_id", "item_id"):
        if e in e_index and i in i_index:
            forbidden[e_index[e], i_index[i]] = True
    caps = np.array([_load_cap(review_round, u) for u in experts], dtype=np.int64)
    try:
        result = assignment_method.assign(affinity, demand, 0, np.maximum(caps - loads, 0), forbidden,
                                          reviewer_names=[str(u) for u in experts],
                                          item_names=[it.title for it in items])
    except assignment_method.InfeasibleAssignment as exc:
        raise ValidationError(exc.reasons) from exc
    rows = [Assignment(round=review_round, expert=experts[r], item=items[c], affinity=float(affinity[r, c]))
            for r, c in result.pairs.tolist()]
    Assignment.objects.bulk_create(rows)
    _event(review_round, "reassign_declined", actor, to_value=len(rows))
    audit.record("review.reassign_declined", actor=actor, obj=review_round, details={"new": len(rows)})
    return len(rows)


def _transition(actor, assignment, to, reason, kind):
    locked = Assignment.objects.select_for_update().select_related("round").get(pk=assignment.pk)
    if to not in ALLOWED_ASSIGNMENT_TRANSITIONS[locked.status]:
        raise InvalidTransition(_("This review is already “%(status)s”.") % {
            "status": AssignmentStatus(locked.status).label})
    frm = locked.status
    locked.status = to
    locked.reason = reason[:300]
    locked.save(update_fields=["status", "reason"])
    _event(locked.round, kind, actor, from_value=frm, to_value=to, reason=reason, assignment=locked)
    audit.record(f"review.{kind}", actor=actor, obj=locked, details={"reason": reason})
    assignment.status = to
    return locked


@atomic_service
def decline(actor, assignment: Assignment, reason: str) -> Assignment:
    """The expert turns the review down (with a reason); the administrator reassigns it."""
    require_perm(actor, "reviews.review", assignment)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason.")]})
    return _transition(actor, assignment, AssignmentStatus.DECLINED, reason.strip(), "decline")


@atomic_service
def recuse(actor, assignment: Assignment, reason: str) -> Assignment:
    """The expert declares a conflict of interest (回避): the item is hidden from them from now on."""
    require_perm(actor, "reviews.review", assignment)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason.")]})
    locked = _transition(actor, assignment, AssignmentStatus.RECUSED, reason.strip(), "recuse")
    Conflict.objects.create(round=locked.round, expert_id=locked.expert_id, item_id=locked.item_id,
                            reason=reason.strip()[:300], source=ConflictSource.DECLARED)
    return locked


@atomic_service
def remind(actor, review_round: ReviewRound) -> int:
    """Notify (in the platform and by e-mail) every expert with an unfinished review in an open round."""
    from django.urls import reverse

    from tupo.accounts.models import User
    from tupo.core.notifications import notify

    require_perm(actor, "reviews.manage_round", review_round)
    if review_round.status != RoundStatus.OPEN:
        raise InvalidTransition(_("Reminders are sent while the round is open for scoring."))
    experts = list(User.objects.filter(review_assignments__round=review_round,
                                       review_assignments__status=AssignmentStatus.ASSIGNED).distinct().order_by("id"))
    date = review_round.deadline.isoformat()
    title = _("Reminder: reviews due by %(date)s") % {"date": date}
    body = _("You have unfinished reviews in “%(round)s”. Please submit your scorecards on or before %(date)s.") % {
        "round": review_round.title, "date": date}
    # one call per expert: the e-mail transport puts all recipients of a call on one message, and experts
    # (blind rounds especially) must not learn who else reviews
    n = sum(notify([e], title, body, reverse("reviews:mine")) for e in experts)
    _event(review_round, "remind", actor, to_value=n)
    audit.record("review.remind", actor=actor, obj=review_round, details={"experts": n, "deadline": date})
    return n


# --- scoring -------------------------------------------------------------------------------------------------------

def _check_scoring(actor, assignment: Assignment) -> None:
    require_perm(actor, "reviews.review", assignment)
    review_round = assignment.round
    if assignment.status == AssignmentStatus.SUBMITTED:
        raise InvalidTransition(_("You already submitted this scorecard; it cannot be changed or submitted again."))
    if assignment.status != AssignmentStatus.ASSIGNED:
        raise InvalidTransition(_("This review is “%(status)s”: it cannot be scored.") % {
            "status": AssignmentStatus(assignment.status).label})
    if Conflict.objects.filter(expert_id=assignment.expert_id, item_id=assignment.item_id).exists():
        raise InvalidTransition(_("You have a conflict of interest with this item."))
    if review_round.status != RoundStatus.OPEN:
        raise InvalidTransition(_("The round is not open for scoring."))
    if timezone.localdate() > review_round.deadline:
        raise ValidationError(_("The deadline (%(date)s) has passed; scores can no longer be saved.") % {
            "date": review_round.deadline.isoformat()})


def validate_scores(review_round: ReviewRound, scores: dict, *, complete: bool) -> dict[int, Decimal]:
    """{criterion id: value} → Decimals within 0…scale_max; ``complete`` requires every criterion."""
    errors: dict[str, list[str]] = {}
    clean: dict[int, Decimal] = {}
    for crit in review_round.criteria.all():
        raw = scores.get(crit.pk, scores.get(str(crit.pk)))
        key = f"score_{crit.pk}"
        if raw in (None, ""):
            if complete:
                errors.setdefault(key, []).append(_("Score “%(name)s”.") % {"name": crit.name})
            continue
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            errors.setdefault(key, []).append(_("Not a number."))
            continue
        if not value.is_finite() or value < 0 or value > review_round.scale_max:
            errors.setdefault(key, []).append(_("“%(name)s” must be between 0 and %(max)s.") % {
                "name": crit.name, "max": review_round.scale_max})
            continue
        clean[crit.pk] = value.quantize(Decimal("0.01"))
    if errors:
        raise ValidationError(errors)
    return clean


def _write_scorecard(actor, assignment, scores, opinion, confidence, comments, submit: bool) -> Scorecard:
    locked = Assignment.objects.select_for_update().select_related("round").get(pk=assignment.pk)
    _check_scoring(actor, locked)
    clean = validate_scores(locked.round, scores, complete=submit)
    if confidence in ("", None):
        confidence = None
    else:
        try:
            confidence = int(confidence)
        except (TypeError, ValueError):
            confidence = 0
        if not 1 <= confidence <= 5:
            raise ValidationError({"confidence": [_("Confidence is from 1 to 5.")]})
    if submit and confidence is None:
        raise ValidationError({"confidence": [_("Say how confident you are (1 to 5).")]})
    comments = comments or {}
    for crit_id, value in clean.items():
        Score.objects.update_or_create(assignment=locked, criterion_id=crit_id, defaults={
            "value": value, "comment": (comments.get(crit_id) or comments.get(str(crit_id)) or "")[:500]})
    card, _created = Scorecard.objects.update_or_create(assignment=locked, defaults={
        "opinion": opinion or "", "confidence": confidence})
    if submit:
        card.submitted_at = timezone.now()
        card.save(update_fields=["submitted_at"])
        _transition(actor, locked, AssignmentStatus.SUBMITTED, "", "submit")
        assignment.status = AssignmentStatus.SUBMITTED
    else:
        audit.record("review.draft", actor=actor, obj=locked, details={"scores": len(clean)})
    return card


@atomic_service
def save_scorecard(actor, assignment: Assignment, scores: dict, opinion: str = "", confidence=None,
                   comments: dict | None = None) -> Scorecard:
    """Save a draft: any subset of criteria, each in range; nothing is final until submitted."""
    return _write_scorecard(actor, assignment, scores, opinion, confidence, comments, submit=False)


@atomic_service
def submit_scorecard(actor, assignment: Assignment, scores: dict, opinion: str = "", confidence=None,
                     comments: dict | None = None) -> Scorecard:
    """Submit: every criterion scored in range, confidence given, before the deadline; once only."""
    return _write_scorecard(actor, assignment, scores, opinion, confidence, comments, submit=True)


# --- aggregation, ranking and decisions ---------------------------------------------------------------------------

@dataclass
class RankRow:
    item: ReviewItem
    n_reviews: int = 0
    mean: float | None = None
    trimmed_mean: float | None = None
    median: float | None = None
    calibrated: float | None = None
    rank: int | None = None
    rank_low: int | None = None
    rank_high: int | None = None
    p_funded: float | None = None
    grey_zone: bool = False


@dataclass
class Ranking:
    rows: list[RankRow]
    alpha: float | None = None
    flagged: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    k: int | None = None
    n_reviews: int = 0

    @property
    def alpha_words(self) -> str:
        a = self.alpha
        if a is None or np.isnan(a):
            return _("Too few overlapping reviews to measure agreement.")
        if a >= 0.8:
            return _("The experts agree well.")
        if a >= 0.667:
            return _("The experts agree moderately: read the rank intervals, not only the order.")
        return _("The experts agree poorly: treat close ranks as ties and discuss before deciding.")


def weighted_totals(review_round: ReviewRound) -> dict[int, tuple[int, int, float, int | None]]:
    """Submitted assignments → (item id, expert id, weighted total on 0…scale_max, confidence), one query."""
    rows = (Score.objects.filter(assignment__round=review_round, assignment__status=AssignmentStatus.SUBMITTED)
            .values_list("assignment_id", "assignment__item_id", "assignment__expert_id", "value", "criterion__weight",
                         "assignment__scorecard__confidence"))
    out: dict[int, list] = {}
    for a_id, item_id, expert_id, value, weight, conf in rows:
        entry = out.setdefault(a_id, [item_id, expert_id, 0.0, conf])
        entry[2] += float(value) * weight / 100
    return {k: tuple(v) for k, v in out.items()}


def aggregate(review_round: ReviewRound, k: int | None = None, *, n_draws: int = 1000) -> Ranking:
    """Per item: mean, trimmed mean, median, calibrated score, rank interval, P(funded) for k; computed on demand."""
    import warnings as py_warnings

    from tupo.methods.calibration import calibrate
    from tupo.methods.ranking import rank_intervals

    items = list(review_round.items.select_related("org", "decision").order_by("id"))
    k = k if k is not None else review_round.funded_count
    rows = {it.pk: RankRow(item=it) for it in items}
    totals = list(weighted_totals(review_round).values())
    ranking = Ranking(rows=[], k=k, n_reviews=len(totals))
    if totals:
        experts = [t[1] for t in totals]
        confidence = [t[3] or 3 for t in totals]
        with py_warnings.catch_warnings(record=True) as caught:
            py_warnings.simplefilter("always")
            result = calibrate(experts, [t[0] for t in totals], [t[2] for t in totals], confidence)
            ranks = rank_intervals(result, k=k if k and k < len(result.items) else None, n_draws=n_draws)
        ranking.alpha = None if np.isnan(result.alpha) else float(result.alpha)
        ranking.warnings = list(result.warnings) + [str(w.message) for w in caught
                                                    if str(w.message) not in result.warnings]
        for s in result.items:
            r = rows[s.item]
            r.n_reviews, r.mean, r.trimmed_mean, r.median = s.n_reviews, s.mean, s.trimmed_mean, s.median
            r.calibrated = s.calibrated_score
        for ir in ranks.items:
            r = rows[ir.item]
            r.rank, r.rank_low, r.rank_high = ir.rank, ir.rank_low, ir.rank_high
            r.p_funded = None if np.isnan(ir.p_funded) else ir.p_funded
            r.grey_zone = bool(ir.grey_zone)
        from tupo.accounts.models import User

        flagged = [e for e in result.reviewers if e.flagged]
        names = {u.pk: str(u) for u in User.objects.filter(pk__in=[e.reviewer for e in flagged])}
        ranking.flagged = [{"expert_id": e.reviewer, "name": names.get(e.reviewer, ""), "offset": e.offset,
                            "reason": e.reason} for e in flagged]
    attr = {Aggregation.CALIBRATED: "calibrated", Aggregation.TRIMMED_MEAN: "trimmed_mean",
            Aggregation.MEAN: "mean", Aggregation.MEDIAN: "median"}[review_round.aggregation]
    ranking.rows = sorted(rows.values(), key=lambda r: (getattr(r, attr) is None, -(getattr(r, attr) or 0), r.item.pk))
    return ranking


@atomic_service
def decide(actor, item: ReviewItem, decision: str, reason: str) -> PanelDecision:
    """Record the panel's decision on one item (after scoring closed; final once the round is decided), by a
    department administrator of the round or by its panel chair. A chair conflicted with the item is refused."""
    require_perm(actor, "reviews.decide_item", item)
    as_chair = not actor.has_perm("reviews.manage_item", item)
    if as_chair:
        conflict = chair_conflicts(actor, item.round, ReviewItem.objects.filter(pk=item.pk)
                                   .select_related("org").prefetch_related("team")).get(item.pk)
        if conflict:
            raise ValidationError(_("You have a conflict of interest with this item (%(reason)s): a department "
                                    "administrator records its decision.") % {"reason": conflict})
    if item.round.status != RoundStatus.CLOSED:
        raise InvalidTransition(_("Decisions are taken after scoring is closed and before the round is decided."))
    if decision not in Decision.values:
        raise ValidationError({"decision": [_("Choose a decision.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the decision.")]})
    pd, _created = PanelDecision.objects.update_or_create(item=item, defaults={
        "decision": decision, "reason": reason.strip(), "decided_by": _user(actor), "decided_at": timezone.now()})
    _event(item.round, "decide", actor, to_value=decision, reason=reason)
    audit.record("review.decide", actor=actor, obj=item, details={"decision": decision, "reason": reason,
                                                                  **({"as": "chair"} if as_chair else {})})
    return pd


def expert_codes(review_round: ReviewRound) -> dict[int, str]:
    """Stable pseudonyms for blind rounds: E01, E02… by expert id."""
    ids = sorted(set(review_round.assignments.values_list("expert_id", flat=True)))
    return {pk: f"E{n:02d}" for n, pk in enumerate(ids, start=1)}


def feedback(item: ReviewItem) -> dict:
    """What the owners see after the decision: per-criterion averages and the opinions (no names when blind)."""
    review_round = item.round
    subs = list(item.assignments.filter(status=AssignmentStatus.SUBMITTED).select_related("scorecard", "expert")
                .order_by("id"))
    codes = expert_codes(review_round)
    per = {}
    for crit_id, value in Score.objects.filter(assignment__in=subs).values_list("criterion_id", "value"):
        per.setdefault(crit_id, []).append(float(value))
    criteria = [{"name": c.name, "weight": c.weight,
                 "average": round(sum(per[c.pk]) / len(per[c.pk]), 2) if per.get(c.pk) else None}
                for c in review_round.criteria.all()]
    opinions = []
    for a in subs:
        card = getattr(a, "scorecard", None)
        if card and card.opinion:
            opinions.append({"by": codes.get(a.expert_id, "") if review_round.blind else str(a.expert),
                             "text": card.opinion})
    decision = getattr(item, "decision", None)
    return {"item": item, "criteria": criteria, "opinions": opinions, "decision": decision,
            "n_reviews": len(subs), "blind": review_round.blind}


def deadline_for(start: dt.date, workdays: int) -> dt.date:
    return add_workdays(start, workdays)
