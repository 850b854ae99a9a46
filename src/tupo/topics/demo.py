"""Demo data of the bidding, made through the services: a call in each state and projects at several stages.

``load(root_org)`` is called by the seed. Calls that are "under review" or "awarded" had their bidding window in
the past: the demo publishes them, lets cadres bid, then moves the deadline back (the only direct write, marked
below) so that screening and awards can follow as they would after a real deadline.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tupo.core.services import SYSTEM, SystemActor
from tupo.orgs.models import Organization, Person


class _Cadre(SystemActor):
    """A bidder acting in the demo: the system, speaking for one person on the register."""

    def __init__(self, person: Person):
        self.person = person
        self.person_id = person.pk
        self.username = f"demo:{person.pk}"


def _cadres(root: Organization, n: int) -> list[Person]:
    today = timezone.localdate()
    young = dt.date(today.year - 45, 1, 1)
    qs = Person.objects.in_subtree(root).filter(birth_date__gte=young).exclude(org=root).order_by("org_path", "id")
    return list(qs[:n])


def _plan(call, topic, n=2):
    from tupo.topics.services import planned_period

    start, _end = planned_period(call, topic)
    # Early steps, so that they stay inside the period when the demo moves the deadline back.
    return [{"title": f"阶段成果 {i + 1}", "due_on": start + dt.timedelta(days=30 * (i + 1)),
             "deliverable": "阶段报告"} for i in range(n)]


LINES = [{"item": "调研差旅", "amount": "3000"}, {"item": "资料印刷", "amount": "1000"}, {"item": "专家咨询", "amount": "1000"}]


def _bid(call, topic, person, title, members=(), submit=True):
    from tupo.topics import services

    actor = _Cadre(person)
    bid = services.create_bid(actor, call, topic, {
        "title": title, "angle": "从基层实际出发", "outline": "一、现状；二、问题；三、对策", "method": "实地调研、座谈访谈、案例分析",
        "expected_outputs": "调研报告一篇", "total_budget": "5000"}, budget_lines=LINES, milestones=_plan(call, topic))
    for m in members:
        member = services.invite_member(actor, bid, m)
        services.respond_invitation(_Cadre(m), member, True)
    if submit:
        bid = services.submit_bid(actor, bid)
    return bid


def _backdate(call, days_ago: int) -> None:
    """Demo only: move the bidding window into the past (a real call reaches its deadline by waiting)."""
    from tupo.topics.models import Call

    ends = timezone.now() - dt.timedelta(days=days_ago)
    Call.objects.filter(pk=call.pk).update(starts_at=ends - dt.timedelta(days=30), ends_at=ends)
    call.refresh_from_db()


@transaction.atomic
def load(root_org: Organization) -> dict:
    """Create the demo calls, bids and projects under ``root_org``; returns what was made (counts)."""
    from tupo.projects import services as project_services
    from tupo.topics import services

    people = _cadres(root_org, 14)
    if len(people) < 10:
        return {"calls": 0, "reason": "fewer than 10 cadres under 45 in the tree"}
    today = timezone.localdate()
    t = [services.create_topic(SYSTEM, root_org, d) for d in (
        {"title": "村级组织议事协商机制创新", "goals": "形成可复制的议事协商办法", "output_form": "mechanism", "tier": "key",
         "funding": "10000", "duration_months": 12},
        {"title": "新就业群体党建工作路径", "goals": "提出覆盖外卖骑手、快递员的组织方式", "output_form": "report",
         "tier": "key", "funding": "10000", "duration_months": 12},
        {"title": "年轻干部实践锻炼成效评估", "goals": "建立评估指标", "output_form": "decision_brief", "tier": "general",
         "funding": "5000", "duration_months": 10},
        {"title": "党建引领基层治理典型经验提炼", "goals": "提炼 3 个典型案例", "output_form": "article", "tier": "general",
         "funding": "5000", "duration_months": 8},
    )]
    criteria = [{"name": "创新性", "weight": 40}, {"name": "可行性", "weight": 30}, {"name": "实践价值", "weight": 30}]
    rules = {"max_principal_age": 45, "team_min": 1, "team_max": 5, "block_unfinished": True}

    # Awarded call: bids, screening, two awards; projects at several stages.
    awarded = services.create_call(SYSTEM, root_org, {"title": f"{today.year - 1} 年度组织工作创新课题招标", **rules,
                                                      "deadline_workdays": 10}, t[:2], criteria)
    awarded = services.publish_call(SYSTEM, awarded)
    b1 = _bid(awarded, t[0], people[0], "“村民说事”议事协商机制研究", members=[people[1]])
    b2 = _bid(awarded, t[1], people[2], "骑手党建“流动支部”模式探索", members=[people[3]])
    b3 = _bid(awarded, t[0], people[4], "村级议事规则标准化研究")
    _backdate(awarded, 200)
    for b in (b1, b2, b3):
        services.screen_bid(SYSTEM, b, True)
    p1 = services.award_bid(SYSTEM, b1, "调研基础扎实，方法可行")
    p2 = services.award_bid(SYSTEM, b2, "选题新颖，团队结构合理")
    services.finish_call(SYSTEM, awarded, "评审结果已公示")
    # Stages: p1 reported progress and passed mid-term; p2 completed with an excellent rating.
    m1 = p1.milestones.first()
    project_services.report_progress(_Cadre(people[0]), m1, {"text": "完成 6 个村的入户调研", "spent_to_date": "2000",
                                                            "person_days": "18", "status": "done"})
    mid = project_services.submit_acceptance(_Cadre(people[0]), p1, "midterm", {
        "report": "中期进展报告", "spending": "2000", "person_days": "18", "outputs": {"report": 1}})
    project_services.rate_acceptance(SYSTEM, mid, "pass", "进度符合任务书")
    for m in p2.milestones.all():
        project_services.report_progress(_Cadre(people[2]), m, {"text": "按计划完成", "spent_to_date": "4800",
                                                               "person_days": "40", "status": "done"})
    fin = project_services.submit_acceptance(_Cadre(people[2]), p2, "completion", {
        "report": "结题报告", "spending": "4800", "person_days": "40", "outputs": {"report": 1, "article": 2}})
    project_services.rate_acceptance(SYSTEM, fin, "excellent", "成果已被县委组织部采纳推广")
    from tupo.accounts.models import User

    liaison = User.objects.filter(role_grants__role="liaison", is_active=True).order_by("id").first()
    if liaison is not None:
        project_services.assign_liaison(SYSTEM, p1, liaison)
        project_services.record_visit(liaison, p1, {
            "visited_on": today - dt.timedelta(days=20), "duration_hours": Decimal("3"), "form": "on_site",
            "findings": "入户调研进度偏慢", "guidance": "借助乡镇网格员力量"},
            problems=[{"description": "部分村干部配合不够", "owner": people[0], "deadline": today + dt.timedelta(days=10)}])

    # Call under review: closed, screened, passing bids sent to expert review.
    review = services.create_call(SYSTEM, root_org, {"title": f"{today.year} 年度青年干部揭榜挂帅课题", **rules,
                                                     "deadline_workdays": 10}, t[2:4], criteria)
    review = services.publish_call(SYSTEM, review)
    r1 = _bid(review, t[2], people[5], "年轻干部“墩苗”成效评估指标体系", members=[people[6]])
    r2 = _bid(review, t[3], people[7], "“党建+网格”治理经验提炼")
    r3 = _bid(review, t[2], people[8], "年轻干部成长档案研究")
    _backdate(review, 5)
    services.screen_bid(SYSTEM, r1, True)
    services.screen_bid(SYSTEM, r2, True)
    services.screen_bid(SYSTEM, r3, False, "负责人不符合年龄条件")
    services.send_to_review(SYSTEM, review)

    # Open call: bidding under way, a deadline in working days.
    open_call = services.create_call(SYSTEM, root_org, {"title": f"{today.year} 年度第二批组织工作创新课题", **rules,
                                                        "deadline_workdays": 15}, [t[3]], criteria)
    open_call = services.publish_call(SYSTEM, open_call)
    _bid(open_call, t[3], people[9], "基层治理“小切口”经验集")
    _bid(open_call, t[3], people[10], "社区议事厅运行机制", submit=False)
    return {"calls": 3, "projects": 2, "bids": 8}
