"""Simplified Chinese for the search app's strings added after the first slice."""

ZH = {
    "More than %(n)s results; only %(n)s of them are ranked. Add words or filters to narrow them.":
        "超过 %(n)s 条结果，仅对其中 %(n)s 条排序。请增加关键词或筛选条件缩小范围。",
}
