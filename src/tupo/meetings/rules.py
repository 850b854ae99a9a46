import rules

from tupo.cases.rules import manages_item, manages_org


@rules.predicate
def manages_meeting_of_action(user, action) -> bool:
    return action is not None and manages_item(user, action.meeting)


@rules.predicate
def owns_action(user, action) -> bool:
    return action is not None and getattr(user, "person_id", None) == action.owner_id


rules.add_perm("meetings.add_meeting", manages_org)
rules.add_perm("meetings.change_meeting", manages_item)
rules.add_perm("meetings.record_attendance", manages_item)
rules.add_perm("meetings.add_action", manages_item)
rules.add_perm("meetings.upload_material", manages_item)
rules.add_perm("meetings.change_action", manages_meeting_of_action | owns_action)
