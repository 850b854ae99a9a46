from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseLevel(models.TextChoices):
    BRANCH = "branch", _("Branch")
    TOWN = "town", _("Town / street")
    COUNTY = "county", _("County")
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")
    NATIONAL = "national", _("National")


class CaseField(models.TextChoices):
    PARTY_BUILDING = "party_building", _("Party building")
    GRASSROOTS_GOVERNANCE = "grassroots_governance", _("Grassroots governance")
    TALENT = "talent", _("Talent")
    RURAL_REVITALIZATION = "rural_revitalization", _("Rural revitalization")
    CADRE = "cadre", _("Cadre work")
    MEMBER_EDUCATION = "member_education", _("Member education")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


# from → {to: permission}. Returning to draft needs a reason (checked in services).
CASE_TRANSITIONS = {
    CaseStatus.DRAFT: {CaseStatus.SUBMITTED: "cases.submit_case"},
    CaseStatus.SUBMITTED: {CaseStatus.REVIEWED: "cases.review_case", CaseStatus.DRAFT: "cases.review_case"},
    CaseStatus.REVIEWED: {CaseStatus.PUBLISHED: "cases.publish_case", CaseStatus.DRAFT: "cases.review_case"},
    CaseStatus.PUBLISHED: {CaseStatus.ARCHIVED: "cases.publish_case"},
    CaseStatus.ARCHIVED: {},
}
CASE_STATUS_COLOURS = {
    CaseStatus.DRAFT: "secondary", CaseStatus.SUBMITTED: "info", CaseStatus.REVIEWED: "warning",
    CaseStatus.PUBLISHED: "success", CaseStatus.ARCHIVED: "dark",
}
PUBLIC_CASE_STATUSES = (CaseStatus.PUBLISHED, CaseStatus.ARCHIVED)


class BrandStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    SCREENED = "screened", _("Screened")
    RECOGNIZED = "recognized", _("Recognized")
    RECOMMENDED = "recommended", _("Recommended upward")
    REJECTED = "rejected", _("Rejected")


BRAND_TRANSITIONS = {
    BrandStatus.APPLIED: {BrandStatus.SCREENED, BrandStatus.REJECTED},
    BrandStatus.SCREENED: {BrandStatus.RECOGNIZED, BrandStatus.REJECTED},
    BrandStatus.RECOGNIZED: {BrandStatus.RECOMMENDED},
    BrandStatus.RECOMMENDED: set(),
    BrandStatus.REJECTED: set(),
}
BRAND_STATUS_COLOURS = {
    BrandStatus.APPLIED: "info", BrandStatus.SCREENED: "warning", BrandStatus.RECOGNIZED: "success",
    BrandStatus.RECOMMENDED: "primary", BrandStatus.REJECTED: "danger",
}
PUBLIC_BRAND_STATUSES = (BrandStatus.RECOGNIZED, BrandStatus.RECOMMENDED)


class FileKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    ATTACHMENT = "attachment", _("Attachment")


class SourceType(models.TextChoices):
    NONE = "", _("None")
    PROJECT = "project", _("Innovation project")
    AWARD = "award", _("Award entry")
    MEETING = "meeting", _("Meeting")
