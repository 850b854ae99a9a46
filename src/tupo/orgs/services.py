"""Every write to organizations and people goes through here (views, API, imports, seed and CLI alike)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from enum import Enum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.core import audit
from tupo.core.services import ConcurrentEditError, InvalidTransition, atomic_service, require_perm
from tupo.orgs import stats, tree
from tupo.orgs.choices import ALLOWED_STATUS_TRANSITIONS, MemberStatus, PersonEventKind, Post
from tupo.orgs.models import LeadershipPost, Organization, Person, PersonEvent
from tupo.orgs.validators import check_id_consistency, normalize_phone, parse_id_number

PERSON_FIELDS = (
    "name", "sex", "ethnicity", "birth_date", "native_place", "id_number", "education", "occupation",
    "position", "is_cadre", "joined_on", "full_member_on", "phone", "status",
)
ORG_FIELDS = (
    "name", "code", "org_type", "org_category", "host_unit", "host_relation", "division_code",
    "established_on", "term_start", "term_end",
)


# --- validation shared by forms, API and imports -----------------------------------------------------

def validate_person(data: dict, *, instance: Person | None = None, check_unique: bool = True) -> dict:
    """Normalise and cross-check a person's data. Raises ValidationError({field: [messages]})."""
    errors: dict[str, list[str]] = {}
    clean = dict(data)
    name = (clean.get("name") or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("The name is required."))
    clean["name"] = name
    try:
        facts = parse_id_number(clean.get("id_number") or "")
    except ValidationError as exc:
        errors.setdefault("id_number", []).extend(exc.messages)
        facts = None
    if facts:
        clean["id_number"] = facts.number
        for field, message in check_id_consistency(facts, clean.get("birth_date"), clean.get("sex")):
            errors.setdefault(field, []).append(message)
        clean["birth_date"] = facts.birth_date
        clean["sex"] = facts.sex
        if check_unique:
            dup = Person.objects.filter(id_number=facts.number)
            if instance is not None:
                dup = dup.exclude(pk=instance.pk)
            if dup.exists():
                errors.setdefault("id_number", []).append(_("A person with this ID number is already registered."))
    try:
        clean["phone"] = normalize_phone(clean.get("phone") or "")
    except ValidationError as exc:
        errors.setdefault("phone", []).extend(exc.messages)
    joined, full = clean.get("joined_on"), clean.get("full_member_on")
    today = timezone.localdate()
    for field in ("joined_on", "full_member_on"):
        if clean.get(field) and clean[field] > today:
            errors.setdefault(field, []).append(_("This date is in the future."))
    if joined and full and full < joined:
        errors.setdefault("full_member_on", []).append(_("Full membership cannot come before joining."))
    if facts and joined and (joined.year - facts.birth_date.year
                             - ((joined.month, joined.day) < (facts.birth_date.month, facts.birth_date.day))) < 18:
        errors.setdefault("joined_on", []).append(_("A person joins the Party at 18 or older."))
    status = clean.get("status") or MemberStatus.FULL
    clean["status"] = status
    if status == MemberStatus.PROBATIONARY and full:
        errors.setdefault("full_member_on", []).append(_("A probationary member has no full-membership date yet."))
    if status in (MemberStatus.PROBATIONARY, MemberStatus.FULL) and not joined:
        errors.setdefault("joined_on", []).append(_("A Party member needs a joining date."))
    if errors:
        raise ValidationError(errors)
    return {k: clean.get(k) for k in PERSON_FIELDS if k in clean}


def _person_defaults(clean: dict) -> dict:
    out = {k: v for k, v in clean.items() if v is not None}
    for k in ("ethnicity",):
        if not out.get(k):
            out.pop(k, None)
    return out


# --- organizations ---------------------------------------------------------------------------------------

@atomic_service
def create_organization(actor, *, parent: Organization | None, data: dict) -> Organization:
    if parent is None:
        require_perm(actor, "orgs.create_root_organization")
    else:
        require_perm(actor, "orgs.add_child_organization", parent)
    org = Organization(parent=parent, **{k: data[k] for k in ORG_FIELDS if k in data})
    org.path = "tmp"
    org.save()
    org.path = tree.child_path(parent.path if parent else "", org.pk)
    org.depth = tree.depth(org.path)
    org.save(update_fields=["path", "depth"])
    stats.apply_deltas(stats.deltas_for(org.path, stats.org_keys(org), +1))
    audit.record("org.create", actor=actor, obj=org, details={"parent": parent.pk if parent else None, "code": org.code})
    return org


@atomic_service
def update_organization(actor, org: Organization, data: dict, *, expected_version: int) -> Organization:
    require_perm(actor, "orgs.change_organization", org)
    locked = Organization.objects.select_for_update().get(pk=org.pk)
    if locked.version != expected_version:
        raise ConcurrentEditError(locked)
    before_keys = stats.org_keys(locked)
    changes = {}
    for k in ORG_FIELDS:
        if k in data and getattr(locked, k) != data[k]:
            changes[k] = [str(getattr(locked, k)), str(data[k])]
            setattr(locked, k, data[k])
    locked.version += 1
    locked.save()
    stats.apply_deltas(_merge(stats.deltas_for(locked.path, before_keys, -1), stats.deltas_for(locked.path, stats.org_keys(locked), +1)))
    audit.record("org.update", actor=actor, obj=locked, details={"changes": changes})
    return locked


def _merge(a: Counter, b: Counter) -> Counter:
    out = Counter(a)
    for k, v in b.items():
        out[k] += v
    return out


# --- people ----------------------------------------------------------------------------------------------

@atomic_service
def create_person(actor, org: Organization, data: dict, *, validated: bool = False) -> Person:
    require_perm(actor, "orgs.add_person", org)
    clean = data if validated else validate_person(data)
    person = Person(org=org, org_path=org.path, **_person_defaults(clean))
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise ValidationError({"id_number": [_("A person with this ID number is already registered.")]}) from None
    PersonEvent.objects.create(person=person, kind=PersonEventKind.CREATED, to_org=org, to_value=org.name, actor=_user(actor))
    stats.apply_deltas(stats.deltas_for(org.path, stats.person_keys(person), +1))
    audit.record("person.create", actor=actor, obj=person, details={"org": org.pk})
    return person


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _lock_person(person: Person, expected_version: int | None) -> Person:
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)
    return locked


@atomic_service
def update_person(actor, person: Person, data: dict, *, expected_version: int) -> Person:
    require_perm(actor, "orgs.change_person", person)
    locked = _lock_person(person, expected_version)
    merged = {k: getattr(locked, k) for k in PERSON_FIELDS}
    merged.update({k: v for k, v in data.items() if k in PERSON_FIELDS})
    if merged.get("status") != locked.status:
        raise ValidationError({"status": [_("Change the status with the status action, which records a reason.")]})
    clean = validate_person(merged, instance=locked)
    before_keys = stats.person_keys(locked)
    changes = {}
    for k, v in clean.items():
        if getattr(locked, k) != v:
            changes[k] = k
            setattr(locked, k, v)
    locked.version += 1
    locked.save()
    stats.apply_deltas(_merge(stats.deltas_for(locked.org_path, before_keys, -1),
                              stats.deltas_for(locked.org_path, stats.person_keys(locked), +1)))
    # Field names only: the values may be personal numbers.
    audit.record("person.update", actor=actor, obj=locked, details={"fields": sorted(changes)})
    return locked


@atomic_service
def transfer_person(actor, person: Person, to_org: Organization, *, reason: str, expected_version: int | None = None) -> Person:
    """Move a person to another organization's register; both ends must be in the actor's scope."""
    require_perm(actor, "orgs.change_person", person)
    require_perm(actor, "orgs.add_person", to_org)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the transfer.")]})
    locked = _lock_person(person, expected_version)
    if locked.org_id == to_org.pk:
        raise ValidationError({"to_org": [_("The person is already registered in this organization.")]})
    from_org = locked.org
    keys = stats.person_keys(locked)
    stats.apply_deltas(_merge(stats.deltas_for(locked.org_path, keys, -1), stats.deltas_for(to_org.path, keys, +1)))
    locked.org, locked.org_path = to_org, to_org.path
    locked.version += 1
    locked.save()
    # Leaving an organization ends the person's seats in its leadership team.
    for post in LeadershipPost.objects.filter(person=locked, org=from_org, ended_on__isnull=True):
        _end_post(actor, post, timezone.localdate(), _("transferred"))
    PersonEvent.objects.create(
        person=locked, kind=PersonEventKind.TRANSFER, from_org=from_org, to_org=to_org,
        from_value=from_org.name, to_value=to_org.name, reason=reason.strip(), actor=_user(actor),
    )
    audit.record("person.transfer", actor=actor, obj=locked, details={"from": from_org.pk, "to": to_org.pk, "reason": reason})
    return locked


@atomic_service
def change_status(actor, person: Person, new_status: str, *, reason: str, on: dt.date | None = None,
                  expected_version: int | None = None) -> Person:
    require_perm(actor, "orgs.change_person", person)
    locked = _lock_person(person, expected_version)
    if new_status not in ALLOWED_STATUS_TRANSITIONS.get(locked.status, set()):
        raise InvalidTransition(
            _("A person cannot go from “%(a)s” to “%(b)s”.")
            % {"a": locked.get_status_display(), "b": MemberStatus(new_status).label}
        )
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the change.")]})
    before_keys = stats.person_keys(locked)
    old = locked.status
    locked.status = new_status
    if new_status == MemberStatus.FULL and old == MemberStatus.PROBATIONARY:
        locked.full_member_on = on or timezone.localdate()
    locked.version += 1
    locked.save()
    stats.apply_deltas(_merge(stats.deltas_for(locked.org_path, before_keys, -1),
                              stats.deltas_for(locked.org_path, stats.person_keys(locked), +1)))
    PersonEvent.objects.create(person=locked, kind=PersonEventKind.STATUS, from_value=old, to_value=new_status,
                               reason=reason.strip(), actor=_user(actor))
    audit.record("person.status", actor=actor, obj=locked, details={"from": old, "to": new_status, "reason": reason})
    return locked


# --- leadership team -------------------------------------------------------------------------------------

@atomic_service
def assign_post(actor, org: Organization, person: Person, post: str, *, started_on: dt.date | None = None) -> LeadershipPost:
    require_perm(actor, "orgs.change_organization", org)
    if not person.org_path.startswith(org.path):
        raise ValidationError({"person": [_("Only a person registered in this organization or below can hold its post.")]})
    org = Organization.objects.select_for_update().get(pk=org.pk)
    if post == Post.SECRETARY:
        for current in LeadershipPost.objects.filter(org=org, post=Post.SECRETARY, ended_on__isnull=True):
            _end_post(actor, current, started_on or timezone.localdate(), _("replaced"))
    seat = LeadershipPost.objects.create(org=org, person=person, post=post, started_on=started_on or timezone.localdate())
    if post == Post.SECRETARY:
        _set_secretary(org, person)
    PersonEvent.objects.create(person=person, kind=PersonEventKind.POST, to_org=org, to_value=seat.get_post_display(), actor=_user(actor))
    audit.record("org.post.assign", actor=actor, obj=org, details={"person": person.pk, "post": post})
    return seat


def _set_secretary(org: Organization, person: Person | None) -> None:
    before = stats.org_keys(org)
    org.secretary = person
    org.version += 1
    org.save(update_fields=["secretary", "version", "updated_at"])
    stats.apply_deltas(_merge(stats.deltas_for(org.path, before, -1), stats.deltas_for(org.path, stats.org_keys(org), +1)))


def _end_post(actor, seat: LeadershipPost, ended_on: dt.date, reason: str) -> None:
    seat.ended_on = ended_on
    seat.save(update_fields=["ended_on"])
    if seat.post == Post.SECRETARY:
        org = Organization.objects.get(pk=seat.org_id)
        if org.secretary_id == seat.person_id:
            _set_secretary(org, None)
    audit.record("org.post.end", actor=actor, obj=seat.org, details={"person": seat.person_id, "post": seat.post, "reason": reason})


@atomic_service
def end_post(actor, seat: LeadershipPost, *, ended_on: dt.date | None = None) -> None:
    require_perm(actor, "orgs.change_organization", seat.org)
    if seat.ended_on:
        raise InvalidTransition(_("This post has already ended."))
    _end_post(actor, seat, ended_on or timezone.localdate(), "")


# --- bulk writes (imports and the seed) ------------------------------------------------------------------

@atomic_service
def bulk_create_people(actor, rows: list[tuple[Organization, dict]], *, source: dict | None = None,
                       batch_size: int = 2000) -> int:
    """Create many validated people at once: one transaction, rolled-up statistics updated once.

    Callers validate first (``validate_person``); this re-checks the permission on every organization.
    """
    checked: set[int] = set()
    for org, _clean in rows:
        if org.pk not in checked:
            require_perm(actor, "orgs.add_person", org)
            checked.add(org.pk)
    people = [Person(org=org, org_path=org.path, **_person_defaults(clean)) for org, clean in rows]
    try:
        with transaction.atomic():
            Person.objects.bulk_create(people, batch_size=batch_size)
    except IntegrityError:
        raise ValidationError({"id_number": [_("A person with this ID number is already registered.")]}) from None
    if people and people[0].pk is None:  # backends that do not return ids
        ids = dict(Person.objects.filter(id_number__in=[p.id_number for p in people]).values_list("id_number", "pk"))
        for p in people:
            p.pk = ids[p.id_number]
    user = _user(actor)
    PersonEvent.objects.bulk_create(
        [PersonEvent(person_id=p.pk, kind=PersonEventKind.CREATED, to_org_id=p.org_id, to_value="", actor=user,
                     reason=_("import")) for p in people],
        batch_size=batch_size,
    )
    deltas: Counter = Counter()
    for p in people:
        for org_id in stats.materialized_ancestors(p.org_path):
            for key in stats.person_keys(p):
                deltas[(org_id, *key)] += 1
    stats.apply_deltas(deltas)
    audit.record("person.import", actor=actor, object_type="orgs.person", object_repr=f"{len(people)}",
                 details={"count": len(people), "organizations": len(checked), **(source or {})})
    return len(people)


@atomic_service
def bulk_create_organizations(actor, records: list[dict], parents: dict[str, Organization], *,
                              source: dict | None = None) -> int:
    """Create organizations given parents-first (parent_code refers to an existing or earlier record)."""
    known = dict(parents)
    for org in parents.values():
        require_perm(actor, "orgs.add_child_organization", org)
    deltas: Counter = Counter()
    created = 0
    for rec in records:
        parent = known[rec["parent_code"]]
        org = Organization(parent=parent, path="tmp", **{k: rec[k] for k in ORG_FIELDS if k in rec and rec[k] is not None})
        org.save()
        org.path = tree.child_path(parent.path, org.pk)
        org.depth = tree.depth(org.path)
        org.save(update_fields=["path", "depth"])
        known[org.code] = org
        for k, v in stats.deltas_for(org.path, stats.org_keys(org), +1).items():
            deltas[k] += v
        created += 1
    stats.apply_deltas(deltas)
    audit.record("org.import", actor=actor, object_type="orgs.organization", object_repr=f"{created}",
                 details={"count": created, **(source or {})})
    return created


@atomic_service
def load_generated(actor, orgs: list, people: list[dict], secretaries: list[tuple[int, int]], *, batch_size: int = 5000) -> None:
    """Bulk-load generated organizations and people (the seed), then rebuild the rolled-up statistics.

    Generated data is valid by construction (see ``seeding``); it is inserted with explicit ids so paths
    and secretaries need no second pass (foreign keys are checked at commit), and the id sequences are
    reset afterwards on PostgreSQL. Rows go straight to the database driver, one transaction for all:
    ``COPY`` on PostgreSQL, ``executemany`` on SQLite (with a large page cache for the load), about
    10x faster than ``bulk_create`` at 4 million people (see docs/decisions/002).
    """
    from django.db import connection

    require_perm(actor, "orgs.create_root_organization")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    pg = connection.vendor == "postgresql"
    day = (lambda d: d) if pg else (lambda d: d.isoformat() if d is not None else None)

    def plain(v):  # TextChoices members -> their value (psycopg would dump an Enum by name)
        return v.value if isinstance(v, Enum) else v

    sec = dict(secretaries)
    org_cols = ("id", "parent_id", "path", "depth", "name", "code", "org_type", "org_category", "host_unit",
                "host_relation", "division_code", "secretary_id", "established_on", "term_start", "term_end",
                "version", "updated_at")
    org_rows = (
        (o.id, o.parent_id, o.path, o.depth, o.name, o.code, plain(o.org_type), plain(o.org_category), o.host_unit,
         plain(o.host_relation), o.division_code, sec.get(o.id), day(o.established_on), day(o.term_start),
         day(o.term_end), 1, now)
        for o in orgs
    )
    person_cols = ("id", "name", "sex", "ethnicity", "birth_date", "native_place", "id_number", "education",
                   "occupation", "position", "is_cadre", "joined_on", "full_member_on", "phone", "status", "org_id",
                   "org_path", "version", "created_at", "updated_at")
    person_rows = (
        (p["id"], p["name"], p["sex"], p["ethnicity"], day(p["birth_date"]), p["native_place"], p["id_number"],
         p["education"], p["occupation"], p["position"], p["is_cadre"], day(p["joined_on"]), day(p["full_member_on"]),
         p["phone"], p["status"], p["org_id"], p["org_path"], 1, now, now)
        for p in people
    )
    today = day(timezone.localdate())
    post_rows = ((o, p, str(Post.SECRETARY), today, None) for o, p in sec.items())
    post_cols = ("org_id", "person_id", "post", "started_on", "ended_on")

    with connection.cursor() as cursor:
        if not pg:
            cursor.execute("PRAGMA cache_size")
            cache = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size=-1000000")  # 1 GB while loading: index pages stay in memory
        try:
            _insert_rows(cursor, pg, Organization._meta.db_table, org_cols, org_rows, batch_size)
            _insert_rows(cursor, pg, Person._meta.db_table, person_cols, person_rows, batch_size)
            _insert_rows(cursor, pg, LeadershipPost._meta.db_table, post_cols, post_rows, batch_size)
        finally:
            if not pg:
                cursor.execute(f"PRAGMA cache_size={int(cache)}")
        if pg:
            from django.core.management.color import no_style

            for sql in connection.ops.sequence_reset_sql(no_style(), [Organization, Person, LeadershipPost]):
                cursor.execute(sql)
            for model in (Organization, Person, LeadershipPost):  # fresh planner statistics for the new rows
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    stats.rebuild()
    audit.record("seed.load", actor=actor, object_type="orgs.organization", object_repr=orgs[0].name if orgs else "",
                 details={"organizations": len(orgs), "people": len(people)})


def _insert_rows(cursor, pg: bool, table: str, columns: tuple[str, ...], rows, batch_size: int) -> None:
    """Insert an iterable of row tuples: COPY on PostgreSQL, executemany in batches elsewhere."""
    from itertools import islice

    from django.db import connection

    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    if pg:
        with cursor.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    # Table and column names come from the models, never from input.
    sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({', '.join(['?'] * len(columns))})"  # noqa: S608
    raw = cursor.cursor  # the sqlite3 cursor itself: no per-batch query conversion or logging
    while batch := list(islice(rows, batch_size * 10)):
        raw.executemany(sql, batch)
