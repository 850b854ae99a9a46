"""Reads: who sees which cycles, nominations and objections."""

from __future__ import annotations

from django.db.models import Q

from tupo.accounts.choices import MANAGING_ROLES, Role
from tupo.awards.choices import CycleStatus
from tupo.orgs import tree

NOTHING = Q(pk__in=[])


def _paths(user, roles) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [g.org.path for g in user.grants if g.role in roles and g.org_id]


def _ancestor_paths(paths) -> set[str]:
    """Every prefix path of the given paths (a cycle organized above an organization covers it)."""
    out = set()
    for p in paths:
        segs = [s for s in p.split(tree.SEP) if s]
        for n in range(1, len(segs) + 1):
            out.add("".join(f"{s}{tree.SEP}" for s in segs[:n]))
    return out


def visible_cycle_q(user) -> Q:
    """Cycles organized in a department administrator's subtree; for nominating administrators, the
    non-draft cycles whose scope holds their organizations (above or below them)."""
    admin = _paths(user, {Role.DEPT_ADMIN})
    q = tree.subtrees_q(admin, "org__path") if admin else NOTHING
    nominating = _paths(user, MANAGING_ROLES)
    if nominating:
        in_scope = Q(org__path__in=_ancestor_paths(nominating)) | tree.subtrees_q(nominating, "org__path")
        q |= in_scope & ~Q(status=CycleStatus.DRAFT)
    return q


def visible_nomination_q(user) -> Q:
    """Nominations of cycles the user runs, and those of organizations the user administers."""
    admin = _paths(user, {Role.DEPT_ADMIN})
    q = tree.subtrees_q(admin, "cycle__org__path") if admin else NOTHING
    own = _paths(user, MANAGING_ROLES)
    if own:
        q |= tree.subtrees_q(own, "org_path")
    return q


def visible_objection_q(user) -> Q:
    """Objections of cycles the user runs, and those assigned to the user as handler."""
    admin = _paths(user, {Role.DEPT_ADMIN})
    q = tree.subtrees_q(admin, "cycle__org__path") if admin else NOTHING
    if getattr(user, "is_authenticated", False):
        q |= Q(handler=user)
    return q


def department_staff(cycle):
    """Who may handle an objection: the department administrators of the cycle's organization and below."""
    from tupo.accounts.models import User

    return (User.objects.filter(is_active=True, role_grants__role=Role.DEPT_ADMIN,
                                role_grants__org__path__startswith=cycle.org.path).distinct().order_by("username"))


def vote_cycles_for(user):
    """Cycles whose online vote is on, in the scope of a member's organization, during the first round."""
    from tupo.awards.models import AwardCycle

    paths = _paths(user, {Role.MEMBER})
    if not paths:
        return AwardCycle.objects.none()
    return (AwardCycle.objects.filter(org__path__in=_ancestor_paths(paths), vote_enabled=True,
                                      status=CycleStatus.REVIEW).select_related("org"))


def vote_cycle_or_404(user, pk):
    """The cycle a member votes in: 404 unless its vote is on, the member is in its scope and the cycle has
    passed the application phase (the ballot page and the API alike)."""
    from django.http import Http404

    from tupo.awards.models import AwardCycle

    cycle = AwardCycle.objects.select_related("org").filter(pk=pk).first()
    if (cycle is None or not cycle.vote_enabled or not user.has_perm("awards.vote", cycle)
            or cycle.status in (CycleStatus.DRAFT, CycleStatus.OPEN)):
        raise Http404
    return cycle


def open_cycles_for(user):
    from tupo.awards.models import AwardCycle

    return AwardCycle.objects.visible_to(user).filter(status=CycleStatus.OPEN).select_related("org")


def panel_candidates():
    """Who may sit on a presentation panel: experts, department administrators, leaders and liaison leaders
    (never the three separated system administrators)."""
    from tupo.accounts.models import User

    return (User.objects.filter(is_active=True, role_grants__role__in=(Role.EXPERT, Role.DEPT_ADMIN, Role.LEADER,
                                                                        Role.LIAISON))
            .distinct().order_by("username"))


def timeline_labels() -> dict:
    """Readable names of the codes kept by ``CycleEvent`` (kinds and statuses), for the history timelines."""
    from django.utils.translation import gettext as _

    from tupo.awards.choices import NominationStatus, ObjectionOutcome
    from tupo.core.events import code_labels

    return code_labels(
        CycleStatus, NominationStatus, ObjectionOutcome,
        status=_("Cycle status"), create=_("Cycle created"), update=_("Cycle changed"), nominate=_("Nominated"),
        submit=_("Nomination submitted"), withdraw=_("Nomination withdrawn"), screen=_("Screening"),
        first_round=_("First round started"), shortlist=_("Shortlist"), slot=_("Presentation scheduled"),
        slot_update=_("Presentation slot changed"), presented=_("Presentation scored"),
        inspection=_("Site inspection"), grade=_("Grade decided"), decided=_("Decision"),
        notice_draft=_("Public notice drafted"), notice_publish=_("Public notice published"),
        objection=_("Objection received"), objection_handler=_("Objection handler assigned"),
        objection_reply=_("Objection answered"), promote=_("Entry promoted"), certificate=_("Certificate issued"),
        vote_settings=_("Online vote settings"), off=_("off"),
    )
