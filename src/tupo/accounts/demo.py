"""Demo accounts, one per role, on the demo county. Idempotent: a second run changes nothing."""

from __future__ import annotations

import base64

from django.db import transaction

from tupo.accounts import services
from tupo.accounts.choices import Role
from tupo.accounts.models import User
from tupo.core.services import SYSTEM

DEMO_PASSWORD = "Tupo@2026demo"
# Fixed TOTP keys for the three administrators of the demo, so the demo can be logged into with any
# authenticator app (the secret is printed by `tupo demo_accounts`). Never used outside the demo.
DEMO_TOTP_KEYS = {
    "sysadmin": "3132333435363738393031323334353637383930",
    "secadmin": "3031323334353637383930313233343536373839",
    "auditadmin": "3938373635343332313039383736353433323130",
}

ACCOUNTS = [
    # username, display name, role, where (root | township | branch | None)
    ("dept_admin", "组织部 王主任", Role.DEPT_ADMIN, "root"),
    ("org_admin", "城关镇党委 李书记", Role.ORG_ADMIN, "township"),
    ("member", "党员 张同志", Role.MEMBER, "branch"),
    ("expert", "评审专家 赵教授", Role.EXPERT, "root"),
    ("liaison", "联系领导 陈部长", Role.LIAISON, "township"),
    ("leader", "县委 刘书记", Role.LEADER, "root"),
    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, None),
    ("secadmin", "安全管理员", Role.SECURITY_ADMIN, None),
    ("auditadmin", "审计管理员", Role.AUDIT_ADMIN, None),
]


def totp_secret(username: str) -> str | None:
    key = DEMO_TOTP_KEYS.get(username)
    return base64.b32encode(bytes.fromhex(key)).decode() if key else None


@transaction.atomic
def ensure_demo_accounts(root) -> list[tuple[str, str, str]]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tupo.orgs import tree
    from tupo.orgs.models import Organization, Person

    # The first township-level committee below the root (direct child in a county, deeper in a province).
    township = Organization.objects.filter(tree.subtree_q(root.path), org_type="primary_committee").order_by("path").first()
    branch = Organization.objects.filter(path__startswith=township.path, org_type="branch").order_by("id").first()
    places = {"root": root, "township": township, "branch": branch}
    rows = []
    for username, display, role, where in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            person = None
            if role in (Role.MEMBER, Role.EXPERT):
                person = Person.objects.filter(org=branch if role == Role.MEMBER else root, user__isnull=True).order_by("id").first()
                if person:  # the header then names the same person as "my information" does
                    display = f"{display.split()[0]} {person.name}"
            user = services.create_user(SYSTEM, username=username, display_name=display, password=DEMO_PASSWORD,
                                        must_change_password=False)
            org = places[where] if where else None
            services.grant_role(SYSTEM, user, role, org)
            if person:
                user.person = person
                user.save(update_fields=["person"])
            if username in DEMO_TOTP_KEYS:
                TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEYS[username], confirmed=True)
        where_name = places[where].name if where else "—"
        rows.append((username, str(Role(role).label), where_name))
    return rows
