"""Shared fixtures: a small organization tree and named personas, one per role.

The tree (codes in brackets)::

    county [C]                      ← dept_admin, leader (subtree roles)
    ├── town A [TA]                 ← org_admin_a, liaison_a
    │   ├── village A1 [A1]
    │   │   └── branch A1-1 [A11]   ← member_a (a person registered here)
    │   └── village A2 [A2]
    └── town B [TB]                 ← org_admin_b
        └── village B1 [B1]
    other county [X]                (unrelated tree)
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import settings as hypothesis_settings

from tests.factories import PASSWORD, make_id_number, make_org, make_person, make_user  # noqa: F401
from tupo.accounts.choices import Role

# CI runs the same examples every time (a failure there is reproducible); locally they vary.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


@pytest.fixture(autouse=True, scope="session")
def shifted_clock():
    """TUPO_TEST_NOW=2026-12-24 runs the whole suite as if on that day (to find date-dependent tests)."""
    when = os.environ.get("TUPO_TEST_NOW")
    if not when:
        yield
        return
    import time_machine

    with time_machine.travel(dt.datetime.fromisoformat(when), tick=True):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (ids repeat across rolled-back tests, so keys could too)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def english(settings):
    """Tests read messages in English; the Chinese catalogue has its own test."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


class Tree:
    pass


@pytest.fixture
def tree(db):
    t = Tree()
    t.county = make_org("C", name="某县委", org_type="local_committee")
    t.town_a = make_org("TA", t.county, name="城关镇党委")
    t.village_a1 = make_org("A1", t.town_a, name="幸福村党总支", org_type="general_branch", org_category="rural")
    t.branch_a11 = make_org("A11", t.village_a1, name="幸福村第一党支部", org_type="branch", org_category="rural")
    t.village_a2 = make_org("A2", t.town_a, name="光明村党支部", org_type="branch", org_category="rural")
    t.town_b = make_org("TB", t.county, name="龙泉镇党委")
    t.village_b1 = make_org("B1", t.town_b, name="向阳村党支部", org_type="branch", org_category="rural")
    t.other = make_org("X", name="另一县委", org_type="local_committee")
    t.person_a11 = make_person(t.branch_a11, name="李四", phone="13812345678")
    t.person_a2 = make_person(t.village_a2, name="王五", male=False, birth=dt.date(1985, 5, 5))
    t.person_b1 = make_person(t.village_b1, name="赵六")
    t.person_x = make_person(t.other, name="钱七")
    return t


@pytest.fixture
def personas(tree):
    """One user per role (comment says where the role sits)."""
    p = Tree()
    p.dept_admin = make_user("dept_admin", Role.DEPT_ADMIN, tree.county)      # whole county
    p.leader = make_user("leader", Role.LEADER, tree.county)                  # whole county, view only
    p.org_admin_a = make_user("org_admin_a", Role.ORG_ADMIN, tree.town_a)     # town A and below
    p.org_admin_b = make_user("org_admin_b", Role.ORG_ADMIN, tree.town_b)     # town B and below
    p.liaison_a = make_user("liaison_a", Role.LIAISON, tree.town_a)           # town A, view only
    p.member_a = make_user("member_a", Role.MEMBER, tree.branch_a11, person=tree.person_a11)  # own record only
    p.expert = make_user("expert", Role.EXPERT, tree.county)                  # no people access
    p.sysadmin = make_user("sysadmin", Role.SYSTEM_ADMIN)
    p.secadmin = make_user("secadmin", Role.SECURITY_ADMIN)
    p.auditadmin = make_user("auditadmin", Role.AUDIT_ADMIN)
    p.nobody = make_user("nobody")
    return p


@pytest.fixture
def login(client):
    """Log a persona in, bypassing the second factor (its own tests cover it)."""

    def _login(user):
        client.force_login(user)
        if user.separated_admin_role:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
            session = client.session
            from django_otp import DEVICE_ID_SESSION_KEY

            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return _login
