"""To-do lines of the expert review (see ``tupo.core.todo``)."""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import Role
from tupo.core.todo import Todo, count_with_overdue


def items(user) -> list[Todo]:
    from tupo.reviews import queries
    from tupo.reviews.choices import AssignmentStatus, RoundStatus
    from tupo.reviews.models import Assignment, ReviewRound

    roles = user.roles
    today = timezone.localdate()
    out = []
    if Role.EXPERT in roles:
        # the expert's own active, non-conflicted assignments (what "My reviews" lists), still to be scored
        mine = queries.my_assignments(user).filter(status=AssignmentStatus.ASSIGNED, round__status=RoundStatus.OPEN)
        n = count_with_overdue(mine, Q(round__deadline__lt=today))
        out.append(Todo(_("Reviews to submit"), n["total"], reverse("reviews:mine"), n["overdue"],
                        level="warning", order=10))
    if Role.DEPT_ADMIN in roles:
        waiting = Assignment.objects.filter(round_id=OuterRef("pk"), status=AssignmentStatus.ASSIGNED)
        late = (ReviewRound.objects.filter(queries.managed_round_q(user), status=RoundStatus.OPEN,
                                           deadline__lt=today).filter(Exists(waiting)))
        n = late.order_by().count()
        out.append(Todo(_("Open review rounds with late reviews"), n, reverse("reviews:index"), n, order=20))
    return out
