"""Journey: the administrator publishes a call, a cadre bids with a team, the administrator screens and awards
after the deadline, the team reports progress, the liaison records a visit with a problem,
the team submits its completion package and the administrator accepts it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect
from tests.conftest import PASSWORD
from tests.factories import make_person, make_user

from tupo.accounts.choices import Role
from tupo.projects.models import Project
from tupo.topics import services
from tupo.topics.models import Bid, Call


@pytest.mark.e2e
def test_topics_journey(e2e_db, personas, tree, new_page, log_in, shot, tmp_path):
    admin_user = personas.dept_admin
    teammate = make_user("teammate", Role.MEMBER, tree.village_a2,
                         person=make_person(tree.village_a2, name="周九", birth=dt.date(1994, 4, 4)))
    topic = services.create_topic(admin_user, tree.county, {
        "title": "村级组织议事协商机制创新", "goals": "形成可复制的议事协商办法", "output_form": "mechanism", "tier": "key",
        "funding": "10000", "duration_months": 12})

    # --- the administrator drafts and publishes the call ---------------------------------------------------------
    admin = new_page()
    log_in(admin, "dept_admin", PASSWORD)
    admin.goto("/topics/calls/new/")
    admin.fill("#id_title", "2026 年度青年干部创新课题招标")
    admin.check(f"input[name=topics][value='{topic.pk}']")
    admin.fill("#id_deadline_workdays", "10")
    admin.fill("#id_max_principal_age", "40")
    admin.click("main form button[type=submit]")
    call = Call.objects.get()
    admin.click("form[action$='/publish/'] button")
    expect(admin.locator(".countdown")).to_be_visible()
    shot(admin, "call-published")
    call.refresh_from_db()

    # --- the cadre sees the call, bids, invites a teammate -------------------------------------------------------
    cadre = new_page()
    log_in(cadre, "member_a", PASSWORD)
    cadre.goto("/topics/")
    expect(cadre.locator("main")).to_contain_text("2026 年度青年干部创新课题招标")
    cadre.goto(f"/topics/calls/{call.pk}/")
    cadre.click("a[href$='/bid/']")
    cadre.fill("#id_title", "“村民说事”议事协商机制研究")
    cadre.fill("#id_method", "实地调研、座谈访谈")
    cadre.fill("#id_total_budget", "8000")
    start = call.deadline_date
    cadre.fill("input[name=ms-0-title]", "完成入户调研")
    cadre.fill("input[name=ms-0-due_on]", (start + dt.timedelta(days=60)).isoformat())
    cadre.fill("input[name=ms-1-title]", "形成研究报告")
    cadre.fill("input[name=ms-1-due_on]", (start + dt.timedelta(days=200)).isoformat())
    cadre.fill("input[name=bl-0-item]", "调研差旅")
    cadre.fill("input[name=bl-0-amount]", "5000")
    cadre.fill("input[name=bl-1-item]", "资料印刷")
    cadre.fill("input[name=bl-1-amount]", "3000")
    shot(cadre, "bid-form")
    cadre.click("main form button[type=submit]")
    bid = Bid.objects.get()
    cadre.fill("#id_id_number", teammate.person.id_number)
    cadre.click("form[action$='/invite/'] button")
    expect(cadre.locator("main")).to_contain_text("周九")

    mate = new_page()
    log_in(mate, "teammate", PASSWORD)
    mate.goto(f"/topics/bids/{bid.pk}/")
    mate.click("form[action$='/accept/'] button")
    cadre.goto(f"/topics/bids/{bid.pk}/")
    cadre.click("form[action$='/submit/'] button")
    expect(cadre.locator("form[action$='/withdraw/']")).to_be_visible()
    shot(cadre, "bid-submitted")
    bid.refresh_from_db()
    assert bid.status == "submitted"

    # --- after the deadline: screening, award ---------------------------------------------------------------------
    with time_machine.travel(call.ends_at + dt.timedelta(days=1, hours=10), tick=True):
        admin = new_page()
        log_in(admin, "dept_admin", PASSWORD)
        admin.goto(f"/topics/calls/{call.pk}/screening/")
        admin.click("button[name=result][value=pass]")
        shot(admin, "screening")
        admin.goto(f"/topics/calls/{call.pk}/ranking/")
        admin.fill("input[name=reason][required]", "调研基础扎实，方法可行")
        admin.click("button[name=action][value=award]")
        admin.click("button[name=action][value=finish]")
        shot(admin, "awarded")
        project = Project.objects.get()
        assert Call.objects.get().status == "awarded"

        # the administrator assigns the liaison
        admin.goto(f"/projects/{project.pk}/")
        admin.select_option("#id_liaison", str(personas.liaison_a.pk))
        admin.click("form[action$='/do/liaison/'] button")

        # --- the team reports progress ------------------------------------------------------------------------
        team = new_page()
        log_in(team, "member_a", PASSWORD)
        team.goto(f"/projects/{project.pk}/")
        ms = project.milestones.first()
        team.select_option("form[action$='/do/progress/'] #id_milestone", str(ms.pk))
        team.fill("form[action$='/do/progress/'] #id_text", "完成 6 个村的入户调研")
        team.fill("form[action$='/do/progress/'] #id_spent_to_date", "2000")
        team.fill("form[action$='/do/progress/'] #id_person_days", "18")
        team.click("form[action$='/do/progress/'] button")
        expect(team.locator("main")).to_contain_text("完成 6 个村的入户调研")

        # --- the liaison records a visit with a problem ------------------------------------------------------------
        liaison = new_page()
        log_in(liaison, "liaison_a", PASSWORD)
        liaison.goto(f"/projects/{project.pk}/visit/")
        today = dt.date.today()
        liaison.fill("#id_visited_on", today.isoformat())
        liaison.fill("#id_duration_hours", "3")
        liaison.fill("#id_findings", "入户调研进度偏慢")
        liaison.fill("input[name=pb-0-description]", "部分村干部配合不够")
        liaison.select_option("select[name=pb-0-owner]", str(personas.member_a.person_id))
        liaison.fill("input[name=pb-0-deadline]", (today + dt.timedelta(days=14)).isoformat())
        liaison.click("main form button[type=submit]")
        expect(liaison.locator("main")).to_contain_text("部分村干部配合不够")
        shot(liaison, "project-after-visit")
        liaison.goto("/projects/problems/")
        shot(liaison, "problem-list")
        assert project.problems.count() == 1

        # --- completion: the team submits its package with the report file, the administrator rates it ----------
        report_pdf = tmp_path / "结题报告.pdf"
        report_pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        team.goto(f"/projects/{project.pk}/")
        package = team.locator("form[action$='/do/acceptance/']")
        package.locator("select[name=kind]").select_option("completion")
        package.locator("textarea[name=report]").fill("结题报告：形成议事协商办法一套")
        package.locator("input[name=spending]").fill("4800")
        package.locator("input[name=person_days]").fill("40")
        package.locator("input[name=file]").set_input_files(str(report_pdf))
        package.locator("button").click()
        expect(team.locator("main")).to_contain_text("结题报告.pdf")
        admin.goto(f"/projects/{project.pk}/")
        rate = admin.locator("form[action*='/decide/acceptance/']")
        rate.locator("select[name=rating]").select_option("excellent")
        rate.locator("textarea[name=comments]").fill("成果已被采纳推广")
        rate.locator("button").click()
        shot(admin, "project-accepted")
        project.refresh_from_db()
        assert project.status == "completed"
        team.goto("/notifications/")
        expect(team.locator("main")).to_contain_text(project.title)
        shot(team, "team-notified")
        for p in (admin, cadre, team, liaison):
            assert not p.server_errors, p.server_errors
