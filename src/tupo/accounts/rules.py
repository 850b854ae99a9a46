import rules

from tupo.accounts.choices import Role


def _has(role):
    @rules.predicate
    def predicate(user) -> bool:
        return getattr(user, "is_authenticated", False) and role in user.roles

    return predicate


is_system_admin = _has(Role.SYSTEM_ADMIN)
is_security_admin = _has(Role.SECURITY_ADMIN)

rules.add_perm("accounts.manage_users", is_system_admin)
rules.add_perm("accounts.manage_roles", is_security_admin)
rules.add_perm("accounts.manage_policy", is_security_admin)
