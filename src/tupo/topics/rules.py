"""Named permissions of topics, calls and bids (what a user may *do*; seeing is queries.visible_to)."""

from __future__ import annotations

import rules

from tupo.accounts.choices import MANAGING_ROLES, Role

TOPIC_MANAGING_ROLES = frozenset({Role.DEPT_ADMIN})


def _covers(user, path: str, roles=TOPIC_MANAGING_ROLES) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return any(g.role in roles and g.org_id and path.startswith(g.org.path) for g in user.grants)


@rules.predicate
def manages_org(user, org) -> bool:
    """A department administrator whose subtree holds the organization."""
    return org is not None and _covers(user, org.path)


@rules.predicate
def administers_org(user, org) -> bool:
    """A department or organization administrator of the organization (proposes topics for it)."""
    return org is not None and _covers(user, org.path, MANAGING_ROLES)


@rules.predicate
def manages_proposal(user, proposal) -> bool:
    return proposal is not None and _covers(user, proposal.org.path)


@rules.predicate
def manages_topic(user, topic) -> bool:
    return topic is not None and _covers(user, topic.org.path)


@rules.predicate
def manages_call(user, call) -> bool:
    return call is not None and _covers(user, call.org.path)


@rules.predicate
def manages_bid(user, bid) -> bool:
    return bid is not None and _covers(user, bid.call.org.path)


@rules.predicate
def in_call_scope(user, call) -> bool:
    """The user is a cadre on the register of the call's scope (eligibility is checked by the service)."""
    if call is None or not getattr(user, "is_authenticated", False) or not user.person_id:
        return False
    return user.person.org_path.startswith(call.org.path)


@rules.predicate
def is_principal(user, bid) -> bool:
    return bid is not None and getattr(user, "person_id", None) == bid.principal_id


@rules.predicate
def is_invitee(user, member) -> bool:
    return member is not None and getattr(user, "person_id", None) == member.person_id


@rules.predicate
def has_topic_admin_role(user) -> bool:
    return getattr(user, "is_authenticated", False) and bool(user.roles & TOPIC_MANAGING_ROLES)


rules.add_perm("topics.add_proposal", administers_org)
rules.add_perm("topics.decide_proposal", manages_proposal)
rules.add_perm("topics.add_topic", manages_org)
rules.add_perm("topics.change_topic", manages_topic)
rules.add_perm("topics.add_call", manages_org)
rules.add_perm("topics.manage_call", manages_call)
rules.add_perm("topics.manage_bid", manages_bid)
rules.add_perm("topics.add_bid", in_call_scope)
rules.add_perm("topics.change_bid", is_principal)
rules.add_perm("topics.respond_invitation", is_invitee)
rules.add_perm("topics.use_admin", has_topic_admin_role)
