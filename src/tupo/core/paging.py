"""Pagination that never counts millions of rows: a known total, or a count capped at a limit."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class BoundedPaginator(Paginator):
    """``known_count`` (from rolled-up statistics) when the list is unfiltered; otherwise count at most
    COUNT_CAP + 1 rows, so a broad filter at province scale costs a bounded scan."""

    def __init__(self, object_list, per_page, *, known_count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        return self.object_list[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.known_count is None and self.count > COUNT_CAP
