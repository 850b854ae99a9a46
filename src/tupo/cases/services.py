"""Every write to cases, brands and adoptions goes through here (views, API, other apps alike)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.cases import deadlines, sanitize, uploads
from tupo.cases.choices import (
    BRAND_TRANSITIONS,
    CASE_TRANSITIONS,
    PUBLIC_BRAND_STATUSES,
    BrandStatus,
    CaseField,
    CaseLevel,
    CaseStatus,
    FileKind,
    SourceType,
)
from tupo.cases.models import (
    ABSTRACT_MAX,
    Adoption,
    AdoptionMetric,
    AdoptionReport,
    Brand,
    BrandTransition,
    Case,
    CaseFile,
    CaseMetric,
    CaseTransition,
)
from tupo.core import audit
from tupo.core.services import SYSTEM, ConcurrentEditError, InvalidTransition, atomic_service, require_perm
from tupo.search.indexing import schedule

CASE_FIELDS = ("title", "level", "field", "tags", "year", "abstract", "background", "practice", "results",
               "discussion", "appendix", "authors")
BRAND_FIELDS = ("name", "level", "meaning", "vehicle", "impact", "work_method", "field", "year")
BRAND_DUPLICATE_THRESHOLD = 0.75


def _name(actor) -> str:
    return getattr(actor, "display_name", "") or str(actor)


def validate_case(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {k: data[k] for k in CASE_FIELDS if k in data}
    clean["title"] = (clean.get("title") or "").strip()
    if not clean["title"]:
        errors.setdefault("title", []).append(_("The title is required."))
    abstract = (clean.get("abstract") or "").strip()
    if not abstract:
        errors.setdefault("abstract", []).append(_("The abstract is required."))
    elif len(abstract) > ABSTRACT_MAX:
        errors.setdefault("abstract", []).append(
            _("The abstract has %(n)s characters; at most %(max)s are allowed.") % {"n": len(abstract), "max": ABSTRACT_MAX})
    clean["abstract"] = abstract
    for f in Case.RICH_FIELDS:
        if f in clean:
            clean[f] = sanitize.clean_html(clean[f] or "")
    year = clean.get("year")
    if year is not None and not (1949 <= int(year) <= timezone.localdate().year + 1):
        errors.setdefault("year", []).append(_("Enter a plausible year."))
    if errors:
        raise ValidationError(errors)
    return clean


def _set_metrics(case: Case, metrics) -> None:
    case.metrics.all().delete()
    for m in metrics or []:
        if (m.get("name") or "").strip():
            CaseMetric.objects.create(case=case, name=m["name"].strip(), unit=m.get("unit", ""),
                                      before=m.get("before"), after=m.get("after"), note=m.get("note", ""))


@atomic_service
def create_case(actor, org, data: dict, *, metrics=None, source_type: str = "", source_id: int | None = None) -> Case:
    require_perm(actor, "cases.add_case", org)
    clean = validate_case(data)
    clean.setdefault("year", timezone.localdate().year)
    case = Case(org=org, org_path=org.path, source_type=source_type or "", source_id=source_id,
                created_by=actor if getattr(actor, "pk", None) else None, **clean)
    case.save()
    _set_metrics(case, metrics)
    audit.record("case.create", actor=actor, obj=case,
                 details={"org": org.pk, "source": f"{source_type}:{source_id}" if source_type else ""})
    schedule("case", case.pk)
    return case


def create_case_from(actor, source_type: str, source_id: int, fields: dict, *, org=None, metrics=None) -> Case:
    """One action for projects and awards: create a draft case that links back to its source.

    ``fields`` holds the case fields (title, abstract, practice…); ``org`` defaults to ``fields["org"]``.
    A second call for the same source returns the existing case instead of making a duplicate.
    """
    if source_type not in SourceType.values or not source_type:
        raise ValidationError({"source_type": [_("Unknown source type.")]})
    existing = Case.objects.filter(source_type=source_type, source_id=source_id).first()
    if existing is not None:
        return existing
    org = org or fields.get("org")
    if org is None:
        raise ValidationError({"org": [_("The organization is required.")]})
    return create_case(actor, org, fields, metrics=metrics, source_type=source_type, source_id=source_id)


@atomic_service
def update_case(actor, case: Case, data: dict, *, expected_version: int, metrics=None) -> Case:
    require_perm(actor, "cases.change_case", case)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.version != expected_version:
        raise ConcurrentEditError(locked)
    clean = validate_case({**{k: getattr(locked, k) for k in CASE_FIELDS}, **data})
    changed = [k for k, v in clean.items() if getattr(locked, k) != v]
    for k, v in clean.items():
        setattr(locked, k, v)
    locked.version += 1
    locked.save()
    if metrics is not None:
        _set_metrics(locked, metrics)
    audit.record("case.update", actor=actor, obj=locked, details={"fields": changed})
    schedule("case", locked.pk)
    return locked


@atomic_service
def transition_case(actor, case: Case, to_status: str, reason: str = "") -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    allowed = CASE_TRANSITIONS.get(locked.status, {})
    if to_status not in allowed:
        raise InvalidTransition(
            _("A case cannot go from %(a)s to %(b)s.") % {"a": locked.get_status_display(),
                                                          "b": CaseStatus(to_status).label if to_status in CaseStatus.values else to_status})
    require_perm(actor, allowed[to_status], locked)
    reason = (reason or "").strip()
    if to_status == CaseStatus.DRAFT and not reason:
        raise ValidationError({"reason": [_("Say why the case goes back to its authors.")]})
    if to_status == CaseStatus.REVIEWED and getattr(actor, "pk", None) and actor.pk == locked.created_by_id:
        raise ValidationError({"reason": [_("The author of a case cannot review it.")]})
    from_status = locked.status
    locked.status = to_status
    if to_status == CaseStatus.PUBLISHED:
        locked.published_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["status", "published_at", "version", "updated_at"])
    CaseTransition.objects.create(case=locked, from_status=from_status, to_status=to_status,
                                  actor=actor if getattr(actor, "pk", None) else None, actor_name=_name(actor),
                                  reason=reason[:500])
    audit.record(f"case.{to_status}", actor=actor, obj=locked, details={"from": from_status, "reason": reason[:200]})
    schedule("case", locked.pk)
    return locked


@atomic_service
def add_case_file(actor, case: Case, upload, kind: str) -> CaseFile:
    require_perm(actor, "cases.upload_case_file", case)
    cf = uploads.store_upload(CaseFile(case=case, kind=kind, uploaded_by=actor if getattr(actor, "pk", None) else None),
                              upload, images_only=(kind == FileKind.PHOTO))
    audit.record("case.file_add", actor=actor, obj=case, details={"kind": kind, "type": cf.content_type, "bytes": cf.size})
    return cf


# --- brands --------------------------------------------------------------------------------------------

def find_duplicate_brand(name: str, text: str, *, exclude_pk=None):
    """The recognized brand this one nearly repeats (textsim.near_duplicates on name, then name + text)."""
    from tupo.methods import textsim
    from tupo.search.terms import user_words

    existing = list(Brand.objects.filter(status__in=PUBLIC_BRAND_STATUSES).exclude(pk=exclude_pk).order_by("id"))
    if not existing:
        return None, 0.0
    names = [name] + [b.name for b in existing]
    texts = [f"{name} {text}"] + [b.dedup_text() for b in existing]
    best, best_score = None, 0.0
    for i, j, s in textsim.near_duplicates(names, BRAND_DUPLICATE_THRESHOLD):
        if i == 0 and s > best_score:
            best, best_score = existing[j - 1], s
    if best is None:
        for i, j, s in textsim.near_duplicates(texts, 0.8, analyzer="word+char", user_words=user_words()):
            if i == 0 and s > best_score:
                best, best_score = existing[j - 1], s
    return best, best_score


def _check_duplicate(name: str, text: str, exclude_pk=None) -> None:
    dup, score = find_duplicate_brand(name, text, exclude_pk=exclude_pk)
    if dup is not None:
        raise ValidationError({"name": [
            _("This brand nearly repeats the already recognized brand “%(name)s” of %(org)s (similarity %(s).2f); "
              "a recognized brand may not enter again.") % {"name": dup.name, "org": dup.org.name, "s": score}
        ]})


@atomic_service
def apply_brand(actor, org, data: dict, *, logo=None, cases=()) -> Brand:
    require_perm(actor, "cases.add_brand", org)
    clean = {k: (data.get(k) or "").strip() if isinstance(data.get(k), str) else data.get(k) for k in BRAND_FIELDS
             if k in data}
    errors = {}
    for required in ("name", "meaning", "vehicle"):
        if not clean.get(required):
            errors[required] = [_("This field is required.")]
    for key, choices in (("level", CaseLevel), ("field", CaseField)):
        if clean.get(key) and clean[key] not in choices.values:
            errors[key] = [_("Choose one of the listed values.")]
    if errors:
        raise ValidationError(errors)
    clean.setdefault("year", timezone.localdate().year)
    _check_duplicate(clean["name"], f"{clean.get('meaning', '')} {clean.get('work_method', '')}")
    brand = Brand(org=org, org_path=org.path, created_by=actor if getattr(actor, "pk", None) else None, **clean)
    if logo is not None:
        try:
            ctype, ext = uploads.check_upload(logo, images_only=True)
        except ValidationError as exc:
            raise ValidationError({"logo": exc.messages}) from None
        logo.seek(0)
        brand.logo.save(uploads.storage_name(ext), ContentFile(logo.read()), save=False)
        brand.logo_type = ctype
    brand.save()
    if cases:
        brand.cases.set(Case.objects.filter(pk__in=[c.pk if hasattr(c, "pk") else c for c in cases], org_path__startswith=org.path))
    audit.record("brand.apply", actor=actor, obj=brand, details={"org": org.pk})
    schedule("brand", brand.pk)
    return brand


@atomic_service
def transition_brand(actor, brand: Brand, to_status: str, reason: str = "") -> Brand:
    locked = Brand.objects.select_for_update().get(pk=brand.pk)
    if to_status not in BRAND_TRANSITIONS.get(locked.status, set()):
        raise InvalidTransition(_("A brand cannot go from %(a)s to %(b)s.") % {
            "a": locked.get_status_display(), "b": BrandStatus(to_status).label if to_status in BrandStatus.values else to_status})
    require_perm(actor, "cases.screen_brand", locked)
    if to_status == BrandStatus.REJECTED and not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the brand is rejected.")]})
    if to_status == BrandStatus.RECOGNIZED:
        _check_duplicate(locked.name, f"{locked.meaning} {locked.work_method}", exclude_pk=locked.pk)
    from_status = locked.status
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    BrandTransition.objects.create(brand=locked, from_status=from_status, to_status=to_status,
                                   actor=actor if getattr(actor, "pk", None) else None, actor_name=_name(actor),
                                   reason=(reason or "")[:500])
    audit.record(f"brand.{to_status}", actor=actor, obj=locked, details={"from": from_status})
    schedule("brand", locked.pk)
    return locked


@atomic_service
def link_brand_case(actor, brand: Brand, case: Case) -> bool:
    """Show a published case on the brand's page ("the cases that show it"). The caller has checked that the
    actor may see the case (hidden → 404). Returns False when it was linked already (nothing written)."""
    require_perm(actor, "cases.link_brand_case", brand)
    if case.status != CaseStatus.PUBLISHED:
        raise ValidationError({"case": [_("Only published cases can be linked to a brand; “%(title)s” is %(status)s.")
                                        % {"title": case.title, "status": case.get_status_display()}]})
    if brand.cases.filter(pk=case.pk).exists():
        return False
    brand.cases.add(case)
    audit.record("brand.link_case", actor=actor, obj=brand, details={"case": case.pk})
    return True


@atomic_service
def unlink_brand_case(actor, brand: Brand, case: Case) -> bool:
    """Take a case off the brand's page. Returns False when it was not linked (nothing written)."""
    require_perm(actor, "cases.link_brand_case", brand)
    if not brand.cases.filter(pk=case.pk).exists():
        return False
    brand.cases.remove(case)
    audit.record("brand.unlink_case", actor=actor, obj=brand, details={"case": case.pk})
    return True


# --- adoption ------------------------------------------------------------------------------------------

@atomic_service
def adopt_case(actor, case: Case, org, data: dict) -> Adoption:
    require_perm(actor, "cases.adopt_case", org)
    if case.status != CaseStatus.PUBLISHED:
        raise ValidationError(_("Only a published case can be adopted."))
    if org.pk == case.org_id:
        raise ValidationError(_("The organization that wrote the case cannot adopt it."))
    if Adoption.objects.filter(case=case, org=org).exists():
        raise ValidationError(_("%(org)s has already adopted this case.") % {"org": org.name})
    errors = {}
    adapted = (data.get("adapted") or "").strip()
    if not adapted:
        errors["adapted"] = [_("Say what was adapted.")]
    if not data.get("started_on"):
        errors["started_on"] = [_("The start date is required.")]
    if not (data.get("contact") or "").strip():
        errors["contact"] = [_("The contact is required.")]
    if errors:
        raise ValidationError(errors)
    started_on = data["started_on"]
    if isinstance(started_on, str):
        started_on = dt.date.fromisoformat(started_on)
    due = deadlines.report_due_date(started_on)
    adoption = Adoption.objects.create(case=case, org=org, org_path=org.path, adapted=adapted,
                                       started_on=started_on, report_due_on=due, contact=data["contact"].strip(),
                                       created_by=actor if getattr(actor, "pk", None) else None)
    audit.record("case.adopt", actor=actor, obj=adoption,
                 details={"case": case.pk, "org": org.pk, "report_due_on": due.isoformat() if due else None})
    return adoption


@atomic_service
def fill_report_due_dates(actor=SYSTEM) -> int:
    """Give a due date to adoptions recorded while the calendar lacked the year (scheduled job; idempotent:
    only rows still without one are touched, and those the calendar still cannot date stay empty)."""
    from tupo.core.calendar import WorkCalendar

    cal, filled = WorkCalendar(), 0
    for adoption in Adoption.objects.filter(report_due_on__isnull=True).only("pk", "started_on"):
        due = deadlines.report_due_date(adoption.started_on, cal)
        if due is not None:
            Adoption.objects.filter(pk=adoption.pk, report_due_on__isnull=True).update(report_due_on=due)
            audit.record("case.adoption_due_date", actor=actor, obj=adoption, details={"report_due_on": due.isoformat()})
            filled += 1
    return filled


@atomic_service
def report_adoption(actor, case: Case, org, data: dict, *, metrics=None) -> AdoptionReport:
    """A results report from an adopting organization; refused when ``org`` has not adopted ``case``."""
    adoption = Adoption.objects.filter(case=case, org=org).first()
    if adoption is None:
        raise ValidationError(_("%(org)s has not adopted this case, so it cannot report results on it.")
                              % {"org": org.name})
    require_perm(actor, "cases.report_adoption", adoption)
    rating = data.get("rating")
    errors = {}
    if rating is None or not 1 <= int(rating) <= 5:
        errors["rating"] = [_("Rate the usefulness from 1 to 5.")]
    if not (data.get("summary") or "").strip():
        errors["summary"] = [_("Describe the results.")]
    reported_on = data.get("reported_on") or timezone.localdate()
    if isinstance(reported_on, dt.date) and reported_on < adoption.started_on:
        errors["reported_on"] = [_("A report cannot come before the adoption started.")]
    if errors:
        raise ValidationError(errors)
    report = AdoptionReport.objects.create(adoption=adoption, reported_on=reported_on, summary=data["summary"].strip(),
                                           rating=int(rating), created_by=actor if getattr(actor, "pk", None) else None)
    for m in metrics or []:
        if (m.get("name") or "").strip():
            AdoptionMetric.objects.create(report=report, name=m["name"].strip(), unit=m.get("unit", ""),
                                          before=m.get("before"), after=m.get("after"))
    adoption.rating = int(rating)
    adoption.save(update_fields=["rating"])
    audit.record("case.adoption_report", actor=actor, obj=adoption, details={"rating": int(rating)})
    return report
