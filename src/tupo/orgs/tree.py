"""Materialized-path helpers for the organization tree.

A path is the chain of ancestor ids, each written in base 36 and padded to 7 characters, each followed
by ``/``: ``000001a/00002bz/``. Every subtree is one contiguous range of paths, so "this node and
everything below" is one indexed range query on SQLite and PostgreSQL alike (see docs/decisions/001).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

SEGMENT = 7
SEP = "/"
UPPER = "~"  # sorts after every character used in paths (0-9, a-z, /) under byte-wise comparison
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode(pk: int) -> str:
    if pk < 0:
        raise ValueError("ids are positive")
    out = ""
    while True:
        pk, rem = divmod(pk, 36)
        out = _DIGITS[rem] + out
        if pk == 0:
            break
    if len(out) > SEGMENT:
        raise ValueError("id too large for a path segment")
    return out.rjust(SEGMENT, "0")


def child_path(parent_path: str, pk: int) -> str:
    return f"{parent_path}{encode(pk)}{SEP}"


def ancestor_ids(path: str) -> list[int]:
    """Ids of every node on the path, root first, the node itself last."""
    return [int(seg, 36) for seg in path.split(SEP) if seg]


def subtree_q(path: str, field: str = "path") -> Q:
    """Q for a node and all its descendants, written so that each database uses its path index.

    SQLite: a byte-wise range (its LIKE optimisation is disabled by Django's ESCAPE clause).
    PostgreSQL: ``LIKE 'prefix%'``, served by the ``varchar_pattern_ops`` index Django creates for
    indexed CharFields; a range there would follow the database collation, which may ignore ``/``.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": path})
    return Q(**{f"{field}__gte": path, f"{field}__lt": path + UPPER})


def subtrees_q(paths, field: str = "path") -> Q:
    """Union of several subtrees; nested paths are collapsed into their topmost ancestor."""
    q = Q(pk__in=[])
    for p in collapse(paths):
        q |= subtree_q(p, field)
    return q


def collapse(paths) -> list[str]:
    """Drop paths that lie inside another path of the set."""
    result: list[str] = []
    for p in sorted(set(paths)):
        if not result or not p.startswith(result[-1]):
            result.append(p)
    return result


def is_within(path: str, ancestor_path: str) -> bool:
    return path.startswith(ancestor_path)


def depth(path: str) -> int:
    return path.count(SEP)
