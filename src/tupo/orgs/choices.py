from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgType(models.TextChoices):
    LOCAL_COMMITTEE = "local_committee", _("Local Party committee")
    WORKING_COMMITTEE = "working_committee", _("Working committee")
    PRIMARY_COMMITTEE = "primary_committee", _("Grassroots Party committee")
    GENERAL_BRANCH = "general_branch", _("General Party branch")
    BRANCH = "branch", _("Party branch")
    JOINT_BRANCH = "joint_branch", _("Joint Party branch")


# Default term length in years by type (DOMAIN §10); village/community organizations serve 5 years.
TERM_YEARS = {
    OrgType.LOCAL_COMMITTEE: 5,
    OrgType.WORKING_COMMITTEE: 5,
    OrgType.PRIMARY_COMMITTEE: 5,
    OrgType.GENERAL_BRANCH: 3,
    OrgType.BRANCH: 3,
    OrgType.JOINT_BRANCH: 3,
}


class OrgCategory(models.TextChoices):
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Private enterprise")
    RURAL = "rural", _("Rural (village)")
    ORGAN = "organ", _("Party or government organ")
    SCHOOL = "school", _("School")
    PUBLIC_INSTITUTION = "public_institution", _("Other public institution")
    STREET_COMMUNITY = "street_community", _("Street or community")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    OTHER = "other", _("Other")


class HostRelation(models.TextChoices):
    SAME_AS_PARENT = "same_as_parent", _("Same unit as the parent organization")
    LEGAL_ENTITY = "legal_entity", _("Independent legal entity")
    JOINT = "joint", _("Several units (joint)")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", _("Probationary member")
    FULL = "full", _("Full member")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    NON_MEMBER = "non_member", _("Not a Party member")


STATUS_COLOURS = {
    MemberStatus.PROBATIONARY: "info",
    MemberStatus.FULL: "success",
    MemberStatus.LOST_CONTACT: "warning",
    MemberStatus.NON_MEMBER: "secondary",
}

# Which status changes a person may go through (states are data; services check this table).
ALLOWED_STATUS_TRANSITIONS = {
    MemberStatus.PROBATIONARY: {MemberStatus.FULL, MemberStatus.LOST_CONTACT, MemberStatus.NON_MEMBER},
    MemberStatus.FULL: {MemberStatus.LOST_CONTACT, MemberStatus.NON_MEMBER},
    MemberStatus.LOST_CONTACT: {MemberStatus.FULL, MemberStatus.PROBATIONARY, MemberStatus.NON_MEMBER},
    MemberStatus.NON_MEMBER: {MemberStatus.PROBATIONARY},
}


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("Postgraduate")
    UNIVERSITY = "university", _("University")
    COLLEGE = "college", _("College")
    SECONDARY = "secondary", _("Secondary school")
    JUNIOR = "junior", _("Junior school or below")


class Occupation(models.TextChoices):
    WORKER = "worker", _("Worker")
    FARMER = "farmer", _("Farmer, herdsman or fisherman")
    ENTERPRISE_STAFF = "enterprise_staff", _("Enterprise management or technical staff")
    INSTITUTION_STAFF = "institution_staff", _("Public institution staff")
    ORGAN_STAFF = "organ_staff", _("Party or government organ staff")
    STUDENT = "student", _("Student")
    RETIRED = "retired", _("Retired")
    OTHER = "other", _("Other occupation")


class Post(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    ORGANIZATION_MEMBER = "organization_member", _("Organization committee member")
    PROPAGANDA_MEMBER = "propaganda_member", _("Propaganda committee member")
    DISCIPLINE_MEMBER = "discipline_member", _("Discipline committee member")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")


class PersonEventKind(models.TextChoices):
    CREATED = "created", _("Record created")
    TRANSFER = "transfer", _("Transferred")
    STATUS = "status", _("Status changed")
    POST = "post", _("Post changed")


AGE_BANDS = [(None, 30), (31, 35), (36, 40), (41, 45), (46, 50), (51, 55), (56, 60), (61, None)]


def age_band_label(low, high) -> str:
    if low is None:
        return f"≤{high}"
    if high is None:
        return f"≥{low}"
    return f"{low}–{high}"


# Joining periods used in Party statistics.
JOIN_PERIODS = [(None, 1949), (1950, 1966), (1967, 1976), (1977, 1978), (1979, 2002), (2003, 2012), (2013, None)]
