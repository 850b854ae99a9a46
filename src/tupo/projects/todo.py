"""To-do lines of projects (see ``tupo.core.todo``)."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import Role
from tupo.core.todo import Todo, count_in_one_parent
from tupo.orgs import tree
from tupo.topics.rules import TOPIC_MANAGING_ROLES

# A milestone due within this many days shows on its principal's list before it is late.
DUE_SOON = dt.timedelta(days=14)


def _url(only_project) -> str:
    return reverse("projects:detail", args=[only_project]) if only_project else reverse("projects:portfolio")


def items(user) -> list[Todo]:
    from tupo.projects.choices import ProjectStatus

    roles = user.roles
    today = timezone.localdate()
    out = []
    if user.person_id:
        from tupo.projects.choices import MilestoneStatus
        from tupo.projects.models import Milestone, Project

        led = Project.objects.visible_to(user).filter(principal_id=user.person_id, status=ProjectStatus.ACTIVE)
        due = (Milestone.objects.filter(project__in=led.values("pk"), due_on__lte=today + DUE_SOON)
               .exclude(status=MilestoneStatus.DONE))
        n = count_in_one_parent(due, "project_id", Q(due_on__lt=today))
        out.append(Todo(_("Milestones due or overdue"), n["total"], _url(n["only_parent"]), n["overdue"],
                        level="warning", order=20))
    if Role.LIAISON in roles:
        from tupo.projects.choices import MilestoneStatus
        from tupo.projects.models import LiaisonAssignment, Milestone, Project

        guided = LiaisonAssignment.objects.filter(project_id=OuterRef("pk"), liaison_id=user.pk, active=True)
        late = Milestone.objects.filter(project_id=OuterRef("pk"), due_on__lt=today).exclude(status=MilestoneStatus.DONE)
        projects = (Project.objects.visible_to(user).filter(status=ProjectStatus.ACTIVE)
                    .filter(Exists(guided)).filter(Exists(late)))
        n = count_in_one_parent(projects, "pk")
        out.append(Todo(_("Projects you guide with overdue milestones"), n["total"], _url(n["only_parent"]),
                        n["total"], order=30))
    paths = [g.org.path for g in user.grants if g.role in TOPIC_MANAGING_ROLES and g.org_id]
    if paths:
        out.append(_requests(user, paths))
    return out


def _requests(user, paths) -> Todo:
    """Change and extension requests waiting for the department administrator's decision (two queries)."""
    from tupo.projects.choices import Decision
    from tupo.projects.models import ChangeRequest, ExtensionRequest, Project

    managed = Project.objects.visible_to(user).filter(tree.subtrees_q(paths, "call__org__path")).values("pk")
    c = count_in_one_parent(ChangeRequest.objects.filter(project__in=managed, status=Decision.PENDING), "project_id")
    e = count_in_one_parent(ExtensionRequest.objects.filter(project__in=managed, status=Decision.PENDING),
                            "project_id")
    parents = {p for p in (c["only_parent"], e["only_parent"]) if p}
    one = parents.pop() if len(parents) == 1 and (c["only_parent"] or not c["total"]) \
        and (e["only_parent"] or not e["total"]) else None
    return Todo(_("Change and extension requests to decide"), c["total"] + e["total"], _url(one),
                level="warning", order=10)
