"""Readable names of audit event types, for the audit administrator (the code stays in the log)."""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "auth.login": _("Logged in"),
    "auth.logout": _("Logged out"),
    "auth.login_failed": _("Failed login"),
    "auth.otp_failed": _("Wrong second-factor code"),
    "auth.otp_enabled": _("Two-factor login turned on"),
    "account.create": _("Account created"),
    "account.enable": _("Account enabled"),
    "account.disable": _("Account disabled"),
    "account.password": _("Password changed"),
    "account.unlock": _("Account unlocked"),
    "role.grant": _("Role granted"),
    "role.revoke": _("Role revoked"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
    "policy.update": _("Security policy changed"),
    "org.create": _("Organization created"),
    "org.update": _("Organization changed"),
    "org.import": _("Organizations imported"),
    "org.export": _("Organizations exported"),
    "org.post.assign": _("Post assigned"),
    "org.post.end": _("Post ended"),
    "person.create": _("Person added"),
    "person.update": _("Person changed"),
    "person.transfer": _("Person transferred"),
    "person.status": _("Member status changed"),
    "person.import": _("People imported"),
    "person.export": _("People exported"),
    "person.view_numbers": _("Unmasked personal numbers viewed"),
    "import.rejected": _("Import rejected"),
    "dashboard.export": _("Basic data exported"),
    "calendar.day": _("Calendar date changed"),
    "calendar.year": _("Calendar year entered"),
    "system.backup": _("Database backed up"),
    "seed.load": _("Generated data loaded"),
    "audit.export": _("Audit log exported"),
    "analytics.export": _("Efficiency analysis exported"),
    "analytics.run": _("Efficiency analysis run"),
    "award.attachment.add": _("Award attachment added"),
    "award.certificate": _("Certificate issued"),
    "award.cycle.create": _("Award cycle created"),
    "award.cycle.status": _("Award cycle moved on"),
    "award.cycle.update": _("Award cycle changed"),
    "award.decide": _("Award grade decided"),
    "award.first_round.start": _("First round started"),
    "award.inspection": _("Site inspection recorded"),
    "award.nomination.create": _("Nomination created"),
    "award.nomination.update": _("Nomination changed"),
    "award.notice.draft": _("Public notice drafted"),
    "award.notice.publish": _("Public notice published"),
    "award.notice.update": _("Public notice draft changed"),
    "award.objection.flood": _("Objections refused: too many from one address"),
    "award.objection.handler": _("Objection handler assigned"),
    "award.objection.receive": _("Objection received"),
    "award.objection.resolve": _("Objection resolved"),
    "award.slot.schedule": _("Presentation slot scheduled"),
    "award.slot.score": _("Presentation scored"),
    "award.to_cases": _("Winning entries sent to the case library"),
    "brand.apply": _("Brand application"),
    "case.adopt": _("Case adopted"),
    "case.adoption_report": _("Adoption results reported"),
    "case.create": _("Case created"),
    "case.file_add": _("Case file added"),
    "case.update": _("Case changed"),
    "meeting.action_add": _("Follow-up action added"),
    "meeting.action_status": _("Follow-up action status changed"),
    "meeting.create": _("Meeting created"),
    "meeting.sign_in": _("Meeting sign-in"),
    "meeting.update": _("Meeting changed"),
    "project.acceptance.rate": _("Acceptance rated"),
    "project.acceptance.submit": _("Acceptance package submitted"),
    "project.change.decide": _("Change request decided"),
    "project.change.request": _("Change requested"),
    "project.create": _("Project created from the winning bid"),
    "project.export": _("Projects exported"),
    "project.file.add": _("Project file added"),
    "project.extension.decide": _("Extension decided"),
    "project.extension.request": _("Extension requested"),
    "project.liaison.assign": _("Liaison assigned"),
    "project.liaison.report": _("Liaison report recorded"),
    "project.problem.solve": _("Problem solved"),
    "project.progress": _("Progress reported"),
    "project.terminate": _("Project terminated"),
    "project.visit": _("Liaison visit recorded"),
    "review.assign": _("Reviewers assigned"),
    "review.conflicts": _("Conflicts of interest computed"),
    "review.decide": _("Panel decision recorded"),
    "review.draft": _("Scorecard draft saved"),
    "review.export": _("Score sheet exported"),
    "review.item.add": _("Item added to a review round"),
    "review.profile.save": _("Expert profile saved"),
    "review.reassign": _("Review reassigned"),
    "review.reassign_declined": _("Declined reviews reassigned"),
    "review.round.create": _("Review round created"),
    "review.round.status": _("Review round moved on"),
    "review.tie.declare": _("Tie declared"),
    "search.term_add": _("Search term added"),
    "topic.bid.attach": _("Bid attachment added"),
    "topic.bid.award": _("Bid awarded"),
    "topic.bid.create": _("Bid started"),
    "topic.bid.invitation": _("Team invitation answered"),
    "topic.bid.invite": _("Team member invited"),
    "topic.bid.remove_member": _("Team member removed"),
    "topic.bid.reopen": _("Bid reopened as a draft"),
    "topic.bid.screen": _("Bid screened"),
    "topic.bid.submit": _("Bid submitted"),
    "topic.bid.update": _("Bid changed"),
    "topic.bid.withdraw": _("Bid withdrawn"),
    "topic.call.attach": _("Call attachment added"),
    "topic.call.close": _("Call closed"),
    "topic.call.create": _("Call created"),
    "topic.call.export": _("Bids exported"),
    "topic.call.finish": _("Award decision closed"),
    "topic.call.publish": _("Call published"),
    "topic.call.review": _("Bids sent to expert review"),
    "topic.call.update": _("Call changed"),
    "topic.create": _("Topic created"),
    "topic.proposal.decide": _("Topic proposal decided"),
    "topic.proposal.submit": _("Topic proposal submitted"),
    "topic.update": _("Topic changed"),
}

# Events named after a state ("case.published"): the prefix's label and the state's own translated label.
PREFIX_LABELS = {
    "case.": _("Case"),
    "brand.": _("Party-building brand"),
    "review.": _("Expert review"),
    "award.nomination.": _("Award nomination"),
}


def event_label(code: str) -> str:
    if code.startswith("denied:"):
        return str(_("Refused: %(permission)s") % {"permission": code.split(":", 1)[1]})
    if code in EVENT_LABELS:
        return str(EVENT_LABELS[code])
    for prefix in sorted(PREFIX_LABELS, key=len, reverse=True):
        if code.startswith(prefix):
            from django.utils.translation import gettext

            state = code[len(prefix):].replace("_", " ").capitalize()
            return f"{PREFIX_LABELS[prefix]}：{gettext(state)}"
    return code


def object_type_label(label_lower: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_model(label_lower)._meta.verbose_name)
    except (LookupError, ValueError):
        return label_lower


def details_text(details) -> str:
    if not details:
        return ""
    if isinstance(details, dict):
        return "; ".join(f"{k}: {v}" for k, v in details.items() if v not in (None, "", [], {}))
    return str(details)


def code_labels(*enums, **extra) -> dict[str, str]:
    """Readable names for the codes a workflow's history rows keep (statuses from TextChoices, event kinds).

    History tables store codes so they survive a change of language; timelines show them through this map
    (``{{ labels|get_item:e.kind|default:e.kind }}``). Later arguments win, so an app can rename a shared code.
    """
    labels: dict[str, str] = {}
    for enum in enums:
        labels.update({k: str(v) for k, v in enum.choices if k})  # a blank choice ("not yet") is no step
    labels.update({k: str(v) for k, v in extra.items()})
    return labels
