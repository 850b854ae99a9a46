"""Factories shared by conftest and tests (one module, so the unique-number counter is shared)."""

from __future__ import annotations

import datetime as dt
import itertools

from stdnum.iso7064 import mod_11_2

from tupo.accounts import services as account_services
from tupo.core.services import SYSTEM
from tupo.orgs import services as org_services
from tupo.orgs.models import Organization

PASSWORD = "Test-pass-2026"
_seq = itertools.count(1)


def make_id_number(birth: dt.date = dt.date(1990, 3, 7), male: bool = True, division: str = "370181") -> str:
    """A valid GB 11643 ID number, unique per call."""
    n = next(_seq)
    division = f"{int(division) + (n // 500) % 90:06d}"  # unique for 45,000 calls per birth date
    body = f"{division}{birth:%Y%m%d}{(n % 500) * 2 + (1 if male else 0):03d}"
    return body + mod_11_2.calc_check_digit(body)


def make_org(code, parent=None, **kw):
    data = {"name": kw.pop("name", f"组织{code}"), "code": code, "org_type": kw.pop("org_type", "primary_committee"),
            "org_category": kw.pop("org_category", "organ"), **kw}
    if parent is None:
        from django.db import transaction

        with transaction.atomic():
            return _make_root(data)
    return org_services.create_organization(SYSTEM, parent=parent, data=data)


def _make_root(data):
    """A tree root (the seed makes them in production; tests need several small ones)."""
    from tupo.orgs import stats, tree

    org = Organization(parent=None, path="", **data)
    org.save()
    org.path = tree.child_path("", org.pk)
    org.depth = 1
    org.save()
    stats.apply_deltas(stats.deltas_for(org.path, stats.org_keys(org), +1))
    return org


def make_person(org, **kw):
    data = {
        "name": kw.pop("name", "张三"),
        "id_number": kw.pop("id_number", None) or make_id_number(kw.pop("birth", dt.date(1990, 3, 7)), kw.pop("male", True)),
        "joined_on": kw.pop("joined_on", dt.date(2015, 7, 1)),
        "full_member_on": kw.pop("full_member_on", dt.date(2016, 7, 1)),
        "status": kw.pop("status", "full"),
        **kw,
    }
    return org_services.create_person(SYSTEM, org, data)


def make_user(username, role=None, org=None, person=None):
    user = account_services.create_user(SYSTEM, username=username, display_name=username, password=PASSWORD,
                                        person=person, must_change_password=False)
    if role:
        account_services.grant_role(SYSTEM, user, role, org)
    user.forget_grants()
    return user


