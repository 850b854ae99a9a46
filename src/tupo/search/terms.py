"""The search user dictionary: domain terms that jieba must keep whole (GLOSSARY.md) plus admin-added ones."""

from __future__ import annotations

import time

# The Chinese column of /work/shared/GLOSSARY.md, split at "/" and "、", plus a few common compounds.
GLOSSARY_TERMS = (
    "组织部", "党组织", "基层党委", "党总支", "党支部", "联合党支部", "所在单位", "组织类别", "隶属关系", "换届", "任期",
    "党员", "预备党员", "转正", "入党积极分子", "发展党员", "失联党员", "党内统计", "领导班子", "班子结构分析", "干部",
    "优秀年轻干部", "考核评价", "平时考核", "年度考核", "专项考核", "任期考核", "选拔任用", "任前公示", "试用期",
    "监督管理", "激励约束", "容错纠错", "创新课题", "招标公告", "揭榜挂帅", "投标书", "申报书", "中标", "立项", "课题组",
    "负责人", "中期检查", "结项验收", "延期申请", "组织工作实践创新奖", "申报", "资格审查", "初评", "专家评审",
    "现场陈述", "实地考察", "公示", "异议", "表彰", "联系点", "工作日志", "走访记录", "问题清单", "成效清单",
    "党建品牌", "工作法", "典型案例", "案例库", "现场会", "经验交流会", "理论研讨会", "问计于民", "人民建议征集",
    "金点子", "社区工作准入", "准入清单", "负面清单", "准入申请", "双培双带", "帮带对象", "结对", "督办", "催办", "办结",
    "基层治理", "乡村振兴", "网格化", "村集体经济", "主题党日", "三会一课", "红色物业", "两新组织", "党群服务中心",
    "人才振兴", "乡村人才", "新就业群体", "接诉即办",
)

_cache: tuple[float, tuple[str, ...]] | None = None
TTL_SECONDS = 60.0


def user_words() -> tuple[str, ...]:
    """Glossary terms plus every ``SearchTerm`` row (cached for a minute; ``clear_cache`` after edits)."""
    global _cache
    now = time.monotonic()
    if _cache is not None and now - _cache[0] < TTL_SECONDS:
        return _cache[1]
    from django.db import DatabaseError

    from tupo.search.models import SearchTerm

    try:
        extra = tuple(SearchTerm.objects.values_list("term", flat=True))
    except DatabaseError:  # table not there yet (before migrate)
        extra = ()
    words = tuple(sorted(set(GLOSSARY_TERMS) | {w.strip() for w in extra if w.strip()}))
    _cache = (now, words)
    return words


def clear_cache() -> None:
    global _cache
    _cache = None
