"""Demo data of the practice-innovation award, made through the services like any user's work.

``load(root_org)`` is called by the seed. It makes two cycles of the root organization:

- last year's cycle, **closed**: three entries, first round scored in the review engine by two outside experts, decision,
  a published notice whose period has passed, winners with certificates (its public results page is filled);
- this year's cycle in the **notice** phase: a published notice (period counted in working days from today) and
  one online objection assigned to the department administrator.

Application windows are opened around today so that the services accept the nominations; afterwards the windows
are moved into the past (the only direct writes, marked below), as a real cycle gets there by waiting. The
working-day calendar raises ``CalendarDataMissing`` for years without data; the seed catches it and goes on.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from tupo.accounts.choices import Role
from tupo.core.services import SYSTEM
from tupo.orgs import tree
from tupo.orgs.models import Organization

FORM_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * 64
CATEGORIES = ["围绕中心", "服务群众", "党建创新"]
GRADES = [{"code": "g1", "name": "一等奖", "quota": 1}, {"code": "g2", "name": "二等奖", "quota": 2},
          {"code": "g3", "name": "三等奖", "quota": 3}]
CRITERIA = [{"name": "创新性", "weight": 30}, {"name": "实效性", "weight": 40}, {"name": "可推广性", "weight": 30}]
ENTRIES = [
    ("党员积分制管理激活村级组织", "围绕中心", "以积分量化党员日常表现，积分与评先评优挂钩，村级组织凝聚力明显增强。"),
    ("“红色代办”打通服务群众最后一公里", "服务群众", "组建党员代办队，为群众代办证照、医保等事项，办结率达98%。"),
    ("党建引领网格化基层治理", "党建创新", "支部建在网格上，党员联系到户，矛盾纠纷就地化解率明显提高。"),
    ("村企联建推动集体经济增收", "围绕中心", "村党组织与企业党组织结对共建，发展特色产业，村集体收入翻番。"),
]
CASE = {"background": "基层党组织作用发挥不充分，党员参与积极性不高。", "practice": "建立制度、明确流程、定期评议、公开公示。",
        "results": "党员参与率和群众满意度显著提升，做法被上级推广。", "discussion": "制度设计要简便易行，避免形式主义。"}


def _users(root: Organization, role: str):
    from tupo.accounts.models import User

    return User.objects.filter(is_active=True, role_grants__role=role,
                               role_grants__org__path__startswith=root.path).distinct().order_by("id")


def _backdate(cycle, days_ago: int) -> None:
    """Demo only: move the application window into the past (a real cycle reaches its deadline by waiting)."""
    from tupo.awards.models import AwardCycle

    end = timezone.localdate() - dt.timedelta(days=days_ago)
    AwardCycle.objects.filter(pk=cycle.pk).update(apply_start=end - dt.timedelta(days=30), apply_end=end)


EXTERNAL_EXPERTS = [("award_expert1", "外聘专家 孙教授"), ("award_expert2", "外聘专家 周研究员")]


def _external_experts(root: Organization) -> list:
    """Two outside experts (no record in the tree, so no conflict with any entry), with their expert profiles.
    The demo's own expert belongs to the root organization, above every entry: the review engine recuses them."""
    from tupo.accounts import services as account_services
    from tupo.accounts.demo import DEMO_PASSWORD
    from tupo.accounts.models import User
    from tupo.reviews.models import ExpertProfile

    out = []
    for username, display in EXTERNAL_EXPERTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_services.create_user(SYSTEM, username=username, display_name=display,
                                                password=DEMO_PASSWORD, must_change_password=False)
            account_services.grant_role(SYSTEM, user, Role.EXPERT, root)
        ExpertProfile.objects.get_or_create(user=user, defaults={"fields": "组织建设 党建创新 基层治理", "max_load": 20})
        out.append(user)
    return out


def _first_round(cycle) -> None:
    from tupo.awards import services
    from tupo.reviews import services as review_services
    from tupo.reviews.models import Assignment

    for fr in services.start_first_round(SYSTEM, cycle, reviews_per_item=1):
        rr = fr.review_round
        review_services.assign_optimal(SYSTEM, rr)
        review_services.change_status(SYSTEM, rr, "open")
        crit = list(rr.criteria.all())
        for a in Assignment.objects.filter(round=rr, status="assigned").select_related("expert"):
            values = {c.pk: 6 + (a.item_id + n) % 4 for n, c in enumerate(crit)}
            review_services.submit_scorecard(a.expert, a, values, opinion="做法扎实，成效明显，建议进一步提炼。",
                                             confidence=4)
        review_services.change_status(SYSTEM, rr, "closed")


def _cycle(root, units, *, year: int, name: str, entries, offset: int = 0) -> object:
    from tupo.awards import services

    today = timezone.localdate()
    cycle = services.create_cycle(SYSTEM, org=root, data={
        "name": name, "year": year, "approval_ref": f"表审〔{year}〕{7 if year == today.year else 5}号",
        "approving_body": "评比达标表彰工作领导小组", "issuing_body": root.name, "categories": CATEGORIES,
        "grades": GRADES, "criteria": CRITERIA, "apply_start": today - dt.timedelta(days=10),
        "apply_end": today + dt.timedelta(days=10), "notice_workdays": 5, "max_per_org": 1,
        "required_materials": "案例文本（摘要不超过1500字）；照片2至3张；申报表（负责人签字并盖章）"})
    services.change_status(SYSTEM, cycle, "open")
    noms = []
    for i, (title, category, abstract) in enumerate(entries):
        org = units[(i + offset) % len(units)]  # distinct organizations: one entry each
        nom = services.create_nomination(SYSTEM, cycle, org=org, category=category,
                                         data={"title": title, "abstract": abstract, **CASE})
        services.add_attachment(SYSTEM, nom, SimpleUploadedFile("申报表.pdf", FORM_PDF, "application/pdf"),
                                "application_form")
        noms.append(services.submit_nomination(SYSTEM, nom))
    _backdate(cycle, 3)
    cycle.refresh_from_db()
    services.change_status(SYSTEM, cycle, "screening")
    for nom in noms:
        services.screen(SYSTEM, nom, True)
    _first_round(cycle)
    services.shortlist(SYSTEM, cycle, [n.pk for n in noms])
    for nom, grade in zip(noms, ["g1", "g2", "g3", ""], strict=False):
        services.record_inspection(SYSTEM, nom, {"date": today - dt.timedelta(days=2), "inspectors": "组织部考察组",
                                                 "findings": "材料属实，成效可信。"})
        services.decide(SYSTEM, nom, grade)
    services.change_status(SYSTEM, cycle, "decided")
    return cycle


@transaction.atomic
def load(root_org: Organization) -> dict:
    from tupo.awards import services

    units = list(Organization.objects.filter(tree.subtree_q(root_org.path), depth__in=[root_org.depth + 1,
                                                                                        root_org.depth + 2])
                 .order_by("path")[:40])
    if len(units) < 4:
        return {"cycles": 0, "reason": "needs four organizations under the root"}
    _external_experts(root_org)
    today = timezone.localdate()
    # Last year's cycle, closed: notice period passed, winners with certificates.
    closed = _cycle(root_org, units, year=today.year - 1, name=f"{today.year - 1}年度组织工作实践创新奖",
                    entries=ENTRIES[:3])
    notice = services.draft_notice(SYSTEM, closed, {
        "title": f"关于{closed.name}拟表彰项目的公示", "body": "经申报推荐、资格审查、分类初评和现场陈述，拟表彰以下项目，现予公示。",
        "issuing_body": root_org.name, "issue_date": today - dt.timedelta(days=30),
        "objection_contact": "公示期间如有异议，请以真实姓名通过网上异议表、来信或来电反映。来信以邮戳日期为准。"})
    services.publish_notice(SYSTEM, notice)
    closed.refresh_from_db()
    services.change_status(SYSTEM, closed, "closed")
    certificates = [services.issue_certificate(SYSTEM, n) for n in closed.nominations.filter(status="awarded")]
    # This year's cycle, in the notice period with one objection.
    running = _cycle(root_org, units, year=today.year, name=f"{today.year}年度组织工作实践创新奖",
                     entries=ENTRIES, offset=3)
    notice = services.draft_notice(SYSTEM, running, {
        "title": f"关于{running.name}拟表彰项目的公示", "body": "经申报推荐、资格审查、分类初评、现场陈述和实地考察，拟表彰以下项目，现予公示。",
        "issuing_body": root_org.name, "issue_date": today,
        "objection_contact": "公示期间如有异议，请以真实姓名通过网上异议表、来信或来电反映。来信以邮戳日期为准。"})
    notice = services.publish_notice(SYSTEM, notice)
    running.refresh_from_db()
    first = notice.entries[0]["nomination"]
    objection = services.submit_online_objection(running, {
        "name": "王某某", "contact": "13800000000", "nomination": first,
        "content": "该项目所述党员参与率数据与实际情况不符，请予核实。"}, ip="127.0.0.1")
    admins = list(_users(root_org, Role.DEPT_ADMIN))
    if admins:
        services.assign_handler(SYSTEM, objection, admins[0])
    return {"cycles": 2, "certificates": len(certificates), "objections": 1}
