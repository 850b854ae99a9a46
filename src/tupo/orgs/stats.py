"""Basic-data statistics (底数): rolled up per subtree, kept exact by deltas, rebuildable.

Organizations at depth ≤ ``MATERIALIZED_DEPTH`` (province, city, county; or county, township, village)
keep their subtree's counts in ``OrgStat`` rows; deeper subtrees are small and are counted live from
the person index. Both paths produce the same ``Figures`` (a test compares them).

Ages are counted the way Party statistics count them: age = the statistics year − the birth year.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.db.models.functions import ExtractYear, Substr

from tupo.orgs import tree
from tupo.orgs.models import Organization, OrgStat, Person

MATERIALIZED_DEPTH = getattr(settings, "TUPO_STATS_MATERIALIZED_DEPTH", 3)

PERSON_DIMENSIONS = ("sex", "birth_year", "education", "occupation", "join_year", "status")
ORG_DIMENSIONS = ("org_type", "org_category", "no_secretary", "orgs")
UNKNOWN = "unknown"


def person_keys(person: Person) -> list[tuple[str, str]]:
    return [
        ("people", "total"),
        ("sex", person.sex or UNKNOWN),
        ("birth_year", str(person.birth_date.year) if person.birth_date else UNKNOWN),
        ("education", person.education or UNKNOWN),
        ("occupation", person.occupation or UNKNOWN),
        ("join_year", str(person.joined_on.year) if person.joined_on else UNKNOWN),
        ("status", person.status),
    ]


def org_keys(org: Organization) -> list[tuple[str, str]]:
    keys = [("orgs", "total"), ("org_type", org.org_type), ("org_category", org.org_category)]
    if org.secretary_id is None:
        keys.append(("no_secretary", "total"))
    return keys


def materialized_ancestors(path: str) -> list[int]:
    return tree.ancestor_ids(path)[:MATERIALIZED_DEPTH]


def deltas_for(path: str, keys: Iterable[tuple[str, str]], sign: int) -> Counter:
    c: Counter = Counter()
    for org_id in materialized_ancestors(path):
        for dim, key in keys:
            c[(org_id, dim, key)] += sign
    return c


def apply_deltas(deltas: Counter) -> None:
    """Add deltas to the stat rows (creating missing ones). Call inside the writing transaction."""
    items = {k: v for k, v in deltas.items() if v}
    if not items:
        return
    by_org: dict[int, set[str]] = defaultdict(set)
    for org_id, dim, _key in items:
        by_org[org_id].add(dim)
    existing: dict[tuple, OrgStat] = {}
    org_ids = sorted(by_org)
    for i in range(0, len(org_ids), 500):
        chunk = org_ids[i : i + 500]
        dims = set().union(*(by_org[o] for o in chunk))
        for row in (
            OrgStat.objects.select_for_update()
            .filter(org_id__in=chunk, dimension__in=dims)
            .order_by("id")
        ):
            existing[(row.org_id, row.dimension, row.key)] = row
    to_update, to_create = [], []
    for k, v in items.items():
        row = existing.get(k)
        if row is None:
            to_create.append(OrgStat(org_id=k[0], dimension=k[1], key=k[2], count=v))
        else:
            row.count += v
            to_update.append(row)
    if to_update:
        OrgStat.objects.bulk_update(to_update, ["count"], batch_size=1000)
    if to_create:
        OrgStat.objects.bulk_create(to_create, batch_size=1000)


class Figures(dict):
    """{dimension: {key: count}} for one subtree."""

    def get_count(self, dim: str, key: str = "total") -> int:
        return self.get(dim, {}).get(key, 0)


def live_figures(path: str) -> Figures:
    """Count a subtree directly (used below the materialized depth, and to check the rollups)."""
    figures: Figures = Figures()
    people = Person.objects.filter(tree.subtree_q(path, "org_path"))
    figures["people"] = {"total": people.count()}
    for dim, expr in (
        ("sex", "sex"),
        ("education", "education"),
        ("occupation", "occupation"),
        ("status", "status"),
    ):
        figures[dim] = {
            (row[expr] or UNKNOWN): row["n"] for row in people.order_by().values(expr).annotate(n=Count("id"))
        }
    for dim, field in (("birth_year", "birth_date"), ("join_year", "joined_on")):
        rows = people.order_by().annotate(y=ExtractYear(field)).values("y").annotate(n=Count("id"))
        figures[dim] = {(str(r["y"]) if r["y"] else UNKNOWN): r["n"] for r in rows}
    orgs = Organization.objects.filter(tree.subtree_q(path))
    agg = orgs.aggregate(total=Count("id"), no_sec=Count("id", filter=Q(secretary__isnull=True)))
    figures["orgs"] = {"total": agg["total"]}
    figures["no_secretary"] = {"total": agg["no_sec"]} if agg["no_sec"] else {}
    for dim in ("org_type", "org_category"):
        figures[dim] = {r[dim]: r["n"] for r in orgs.order_by().values(dim).annotate(n=Count("id"))}
    for dim in list(figures):
        figures[dim] = {k: v for k, v in figures[dim].items() if v}
        if not figures[dim]:
            del figures[dim]
    return figures


def stored_figures(org: Organization) -> Figures:
    figures: Figures = Figures()
    for dim, key, count in OrgStat.objects.filter(org=org).values_list("dimension", "key", "count"):
        if count:
            figures.setdefault(dim, {})[key] = count
    return figures


def figures_for(org: Organization) -> Figures:
    if org.depth <= MATERIALIZED_DEPTH:
        return stored_figures(org)
    return live_figures(org.path)


def _head_path(field: str):
    """The path of the materialized organization at or above a row: its path cut to MATERIALIZED_DEPTH segments."""
    return Substr(field, 1, (tree.SEGMENT + len(tree.SEP)) * MATERIALIZED_DEPTH)


def _year(field: str):
    """The year of a date column. SQLite stores dates as 'YYYY-MM-DD' text: slicing it avoids calling
    Django's Python date function once per row (4 million times at province scale)."""
    if connection.vendor == "sqlite":
        return Substr(field, 1, 4)
    return ExtractYear(field)


def rebuild(progress=None) -> int:
    """Recompute every materialized row from scratch. Returns the number of rows written.

    One grouped scan per dimension, grouped by the materialized head each row belongs to (its path cut
    to ``MATERIALIZED_DEPTH`` segments), then rolled up to the head's ancestors in Python: the cost is a
    few table scans whatever the size of the tree, where counting each head's subtree separately read
    the whole table again for the root and every level below it. Same figures as ``live_figures``.
    """
    from django.db import transaction

    by_head: dict[str, Counter] = defaultdict(Counter)
    people = Person.objects.order_by().annotate(head=_head_path("org_path"))
    steps = [
        *((dim, people.values("head", v=F(dim))) for dim in ("sex", "education", "occupation", "status")),
        ("birth_year", people.annotate(v=_year("birth_date")).values("head", "v")),
        ("join_year", people.annotate(v=_year("joined_on")).values("head", "v")),
    ]
    orgs = (
        Organization.objects.order_by().annotate(head=_head_path("path"), no_sec=ExpressionWrapper(Q(secretary__isnull=True), output_field=BooleanField()))
        .values("head", "org_type", "org_category", "no_sec").annotate(n=Count("id"))
    )
    with transaction.atomic():
        for i, (dim, qs) in enumerate(steps):
            for row in qs.annotate(n=Count("id")):
                v = row["v"]
                if dim in ("birth_year", "join_year"):
                    key = str(int(v)) if v else UNKNOWN
                else:
                    key = v or UNKNOWN
                by_head[row["head"]][(dim, key)] += row["n"]
                if dim == "status":
                    by_head[row["head"]][("people", "total")] += row["n"]
            if progress:
                progress(i + 1, len(steps) + 1)
        for row in orgs:
            c = by_head[row["head"]]
            c[("orgs", "total")] += row["n"]
            c[("org_type", row["org_type"])] += row["n"]
            c[("org_category", row["org_category"])] += row["n"]
            if row["no_sec"]:
                c[("no_secretary", "total")] += row["n"]
        if progress:
            progress(len(steps) + 1, len(steps) + 1)
        totals: dict[int, Counter] = defaultdict(Counter)
        for head, counts in by_head.items():
            for org_id in tree.ancestor_ids(head)[:MATERIALIZED_DEPTH]:
                totals[org_id].update(counts)
        OrgStat.objects.all().delete()
        OrgStat.objects.bulk_create(
            [OrgStat(org_id=o, dimension=d, key=k, count=n) for o, c in totals.items() for (d, k), n in c.items() if n],
            batch_size=2000,
        )
    return OrgStat.objects.count()
