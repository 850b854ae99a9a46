"""Chinese for the cases app (dashboard charts, brand level, API messages)."""

ZH = {
    "Recognized brands": "已认定品牌",
    "Cases and brands by field": "案例与品牌（按领域）",
    "Cases and brands by level": "案例与品牌（按层级）",
    "Cases and brands by year": "案例与品牌（按年度）",
    "Adoptions and results reports by year": "推广应用与成效报告（按年度）",
    "Adoptions started": "开始推广应用",
    "Results reports": "成效报告",
    "Adoptions by field: reported or still silent": "各领域推广应用：已报告成效与尚未报告",
    "With a results report": "已报告成效",
    "No report yet": "尚未报告",
    "Meetings held in the last 12 months": "近12个月召开的会议",
    "Open, on time": "未完成（未逾期）",
    "Open, overdue": "未完成（已逾期）",
    "Choose one of the listed values.": "请从所列选项中选择。",
    "usefulness %(mean_rating)s/5": "实用性 %(mean_rating)s/5",
    "Reported results by field": "各领域报告的成效",
    "Mean usefulness (1–5)": "平均实用性（1–5）",
    "No adoption yet.": "尚无推广应用。",
    "The %(n)s oldest are listed.": "仅列出最早的 %(n)s 项。",
}
