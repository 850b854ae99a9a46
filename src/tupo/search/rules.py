import rules

from tupo.orgs.rules import is_dept_admin

rules.add_perm("search.manage_terms", is_dept_admin)
