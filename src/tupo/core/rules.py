import rules

from tupo.accounts.choices import Role


@rules.predicate
def is_system_admin(user) -> bool:
    return getattr(user, "is_authenticated", False) and Role.SYSTEM_ADMIN in user.roles


@rules.predicate
def is_audit_admin(user) -> bool:
    return getattr(user, "is_authenticated", False) and Role.AUDIT_ADMIN in user.roles


rules.add_perm("core.manage_calendar", is_system_admin)
rules.add_perm("core.view_audit", is_audit_admin)
rules.add_perm("core.manage_backups", is_system_admin)
