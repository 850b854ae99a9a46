from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles. Business roles are granted at an organization node and cover its whole subtree."""

    DEPT_ADMIN = "dept_admin", _("Department administrator")
    ORG_ADMIN = "org_admin", _("Organization administrator")
    MEMBER = "member", _("Member / cadre")
    EXPERT = "expert", _("Review expert")
    LIAISON = "liaison", _("Liaison leader")
    LEADER = "leader", _("Leader (view only)")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# The three separated administrators (三员): no account may hold two of them.
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles whose grant covers the whole subtree below the organization.
SUBTREE_ROLES = frozenset({Role.DEPT_ADMIN, Role.ORG_ADMIN, Role.LEADER, Role.LIAISON})
# Roles that may change organizations and people in their subtree.
MANAGING_ROLES = frozenset({Role.DEPT_ADMIN, Role.ORG_ADMIN})
# Roles that see the people (not only the organizations) of their subtree.
PEOPLE_VIEWING_ROLES = frozenset({Role.DEPT_ADMIN, Role.ORG_ADMIN, Role.LEADER, Role.LIAISON})

ROLE_COLOURS = {
    Role.DEPT_ADMIN: "primary",
    Role.ORG_ADMIN: "info",
    Role.MEMBER: "secondary",
    Role.EXPERT: "warning",
    Role.LIAISON: "success",
    Role.LEADER: "dark",
    Role.SYSTEM_ADMIN: "danger",
    Role.SECURITY_ADMIN: "danger",
    Role.AUDIT_ADMIN: "danger",
}
