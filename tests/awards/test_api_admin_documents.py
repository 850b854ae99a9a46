"""API of the administrator's side of the award: vote settings, vote results and the combined ranking, objections
received by letter, phone or in person, certificates and the commendation document. The same services and rules as
the cycle page: 404 for what the user may not see, 403 for what they see but do not run, 422 with the page's field
messages for bad input (nothing written), 409 for what the cycle's state forbids."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from tests.awards.helpers import AFTER_PERIOD, IN_PERIOD, OPEN_DAY, REVIEW_DAY, build, travel
from tests.awards.helpers import in_review_with_vote as in_review
from tests.factories import make_user
from tupo.accounts.choices import Role
from tupo.accounts.services import create_token
from tupo.awards import services
from tupo.awards.models import AwardCycle, Certificate, Objection
from tupo.core.models import AuditEvent
from tupo.core.services import SYSTEM


@pytest.fixture
def api(client):
    """Calls the API with a bearer token of the given user: api(user).get/post/put(path[, payload])."""

    class Caller:
        def __init__(self, user):
            _t, key = create_token(SYSTEM, user, name="api", days=None)
            self.h = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

        def get(self, path):
            return client.get(f"/api/v1{path}", **self.h)

        def post(self, path, payload):
            return client.post(f"/api/v1{path}", payload, content_type="application/json", **self.h)

        def put(self, path, payload):
            return client.put(f"/api/v1{path}", payload, content_type="application/json", **self.h)

    return Caller


def far_admin(tree):
    """Runs another county's awards (made once per test)."""
    from tupo.accounts.models import User

    return User.objects.filter(username="far_admin").first() or make_user("far_admin", Role.DEPT_ADMIN, tree.other)


VOTE = {"vote_enabled": True, "vote_weight": 25, "vote_start": "2026-09-21", "vote_end": "2026-09-25",
        "vote_max_choices": 2}


# --- vote settings ------------------------------------------------------------------------------------------------

def test_the_admin_configures_the_vote_and_reads_it_back(tree, personas, api):
    w = build(tree, personas, upto="submitted")  # the cycle is open
    admin = api(personas.dept_admin)
    with travel(OPEN_DAY):
        assert admin.get(f"/awards/cycles/{w.cycle.pk}/vote").json()["vote_enabled"] is False
        r = admin.put(f"/awards/cycles/{w.cycle.pk}/vote", VOTE)
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["vote_enabled"], body["vote_weight"], body["vote_start"], body["vote_end"],
            body["vote_max_choices"], body["changeable"]) == (True, 25, "2026-09-21", "2026-09-25", 2, True)
    w.cycle.refresh_from_db()
    assert (w.cycle.vote_enabled, w.cycle.vote_weight, w.cycle.vote_max_choices) == (True, 25, 2)
    event = AuditEvent.objects.get(event_type="award.vote.configure", actor=personas.dept_admin)
    assert event.details["weight"] == 25
    with travel(OPEN_DAY):  # and off again: weight back to 0
        r = admin.put(f"/awards/cycles/{w.cycle.pk}/vote", {"vote_enabled": False, "vote_weight": 0})
    assert r.status_code == 200 and (r.json()["vote_enabled"], r.json()["vote_weight"]) == (False, 0)


@pytest.mark.parametrize(("change", "field", "text"), [
    ({"vote_weight": 150}, "vote_weight", "less than or equal to 100"),
    ({"vote_weight": "viel"}, "vote_weight", "whole number"),
    ({"vote_start": None, "vote_end": None}, "vote_end", "Give the voting window"),
    ({"vote_end": "2026-09-20"}, "vote_end", "cannot end before it starts"),
    ({"vote_start": "2026-02-30"}, "vote_start", "valid date"),
    ({"vote_max_choices": 0}, "vote_max_choices", "greater than or equal to 1"),
])
def test_bad_vote_settings_get_422_with_the_field_and_nothing_changes(tree, personas, api, change, field, text):
    w = build(tree, personas, upto="submitted")
    with travel(OPEN_DAY):
        r = api(personas.dept_admin).put(f"/awards/cycles/{w.cycle.pk}/vote", {**VOTE, **change})
    assert r.status_code == 422, r.json()
    assert text in " ".join(r.json()["errors"][field])
    w.cycle.refresh_from_db()
    assert not w.cycle.vote_enabled and not AuditEvent.objects.filter(event_type="award.vote.configure").exists()


def test_vote_settings_are_refused_to_other_roles_and_fixed_once_a_ballot_is_cast(tree, personas, api):
    w = in_review(tree, personas)
    url = f"/awards/cycles/{w.cycle.pk}/vote"
    with travel(REVIEW_DAY):
        r = api(personas.org_admin_a).put(url, VOTE)  # sees the cycle (nominates), does not run it
        assert r.status_code == 403 and api(personas.org_admin_a).get(url).status_code == 403
        for user in (personas.member_a, personas.expert, far_admin(tree)):
            assert api(user).put(url, VOTE).status_code == 404
            assert api(user).get(url).status_code == 404
        services.cast_vote(personas.member_a, w.cycle, "围绕中心", [w.a1.pk])
        r = api(personas.dept_admin).put(url, {**VOTE, "vote_weight": 90})
    assert r.status_code == 409 and "Ballots have been cast" in r.json()["detail"]
    assert api(personas.dept_admin).get(url).json()["changeable"] is False
    assert AwardCycle.objects.get(pk=w.cycle.pk).vote_weight == 30
    assert Client().put(f"/api/v1{url}", VOTE, content_type="application/json").status_code == 401


# --- vote results and the combined ranking --------------------------------------------------------------------------

def test_the_admin_reads_the_vote_apart_and_the_combined_ranking_with_its_formula(tree, personas, api):
    w = in_review(tree, personas, weight=30)
    with travel(REVIEW_DAY):
        services.cast_vote(personas.member_a, w.cycle, "围绕中心", [w.a1.pk])
        services.cast_vote(w.member_b, w.cycle, "围绕中心", [w.a1.pk, w.b1.pk])
        admin = api(personas.dept_admin)
        results = admin.get(f"/awards/cycles/{w.cycle.pk}/vote/results").json()
        ranking = admin.get(f"/awards/cycles/{w.cycle.pk}/ranking").json()
    cats = {c["category"]: c for c in results["categories"]}
    assert cats["围绕中心"]["ballots"] == 2 and cats["服务群众"]["ballots"] == 0
    assert [(r["nomination_id"], r["votes"], r["share"]) for r in cats["围绕中心"]["rows"]] == [
        (w.a1.pk, 2, 100.0), (w.b1.pk, 1, 50.0)]
    assert {c["category"] for c in ranking["expert"]} == {"围绕中心", "服务群众"}
    expert = {r["nomination_id"]: r for c in ranking["expert"] for r in c["rows"]}
    assert set(expert) == {w.a1.pk, w.a2.pk, w.b1.pk} and all(r["n_reviews"] == 2 for r in expert.values())
    assert "30%" in ranking["formula"] and ranking["vote_weight"] == 30
    combined = {r["nomination_id"]: r for c in ranking["combined"] for r in c["rows"]}
    assert combined[w.a1.pk]["share"] == 100.0 and combined[w.a2.pk]["share"] == 0.0
    for row in combined.values():  # combined = expert × (1 − w) + share × w
        assert row["combined"] == pytest.approx(row["expert"] * 0.7 + row["share"] * 0.3, abs=0.01)


def test_without_vote_weight_there_is_no_combined_table(tree, personas, api):
    w = in_review(tree, personas, weight=0)
    with travel(REVIEW_DAY):
        ranking = api(personas.dept_admin).get(f"/awards/cycles/{w.cycle.pk}/ranking").json()
    assert ranking["expert"] and ranking["combined"] == [] and ranking["formula"] == ""


def test_results_and_ranking_are_the_admins_and_the_ranking_belongs_to_the_first_round(tree, personas, api):
    w = in_review(tree, personas)
    with travel(REVIEW_DAY):
        for path in ("vote/results", "ranking"):
            url = f"/awards/cycles/{w.cycle.pk}/{path}"
            assert api(personas.org_admin_a).get(url).status_code == 403
            for user in (personas.member_a, personas.expert, far_admin(tree)):
                assert api(user).get(url).status_code == 404
        services.shortlist(personas.dept_admin, w.cycle, [w.a1.pk])  # → presentation round
        r = api(personas.dept_admin).get(f"/awards/cycles/{w.cycle.pk}/ranking")
    assert r.status_code == 409 and "during the first round" in r.json()["detail"]


# --- objections recorded by the administrator ------------------------------------------------------------------------

LETTER = {"channel": "letter", "name": "张某", "contact": "某县某街1号", "content": "材料不实",
          "received_on": "2026-10-15", "postmark_on": "2026-10-13"}


def test_the_admin_records_a_letter_by_its_postmark_and_an_anonymous_call_as_such(tree, personas, api):
    w = build(tree, personas)
    admin = api(personas.dept_admin)
    url = f"/awards/cycles/{w.cycle.pk}/objections"
    with travel(AFTER_PERIOD):
        in_time = admin.post(url, {**LETTER, "nomination": w.a1.pk})  # received late, posted on the last day
        late = admin.post(url, {**LETTER, "postmark_on": "2026-10-14"})
        call = admin.post(url, {"channel": "phone", "anonymous": True, "content": "电话反映",
                                "received_on": "2026-10-12"})
    assert in_time.status_code == 201, in_time.json()
    assert (in_time.json()["late"], in_time.json()["nomination_id"], in_time.json()["postmark_on"]) == (
        False, w.a1.pk, "2026-10-13")
    assert late.json()["late"] is True  # kept and marked late, not lost
    body = call.json()
    assert (body["channel"], body["anonymous"], body["name"], body["late"]) == ("phone", True, "", False)
    assert len(body["receipt"]) == 14 and body["reply_due"]
    assert AuditEvent.objects.filter(event_type="award.objection.receive", actor=personas.dept_admin).count() == 3
    assert Objection.objects.get(pk=body["id"]).channel == "phone"


@pytest.mark.parametrize(("payload", "field", "text"), [
    ({**LETTER, "postmark_on": None}, "postmark_on", "postmark date"),
    ({**LETTER, "name": "", "contact": ""}, "name", "real name"),
    ({**LETTER, "name": "", "contact": ""}, "contact", "phone number or address"),
    ({**LETTER, "content": ""}, "content", "Describe the objection"),
    ({**LETTER, "channel": "fax"}, "channel", "valid choice"),
    ({**LETTER, "channel": ""}, "channel", "required"),
    ({**LETTER, "received_on": None}, "received_on", "required"),
    ({**LETTER, "received_on": "15.10.2026"}, "received_on", "valid date"),
    ({**LETTER, "nomination": "b1"}, "nomination", "valid choice"),
])
def test_bad_objections_get_422_with_the_field_and_nothing_is_recorded(tree, personas, api, payload, field, text):
    w = build(tree, personas)
    with travel(IN_PERIOD):
        r = api(personas.dept_admin).post(f"/awards/cycles/{w.cycle.pk}/objections", payload)
    assert r.status_code == 422, r.json()
    assert text in " ".join(r.json()["errors"][field])
    assert not Objection.objects.exists()
    assert not AuditEvent.objects.filter(event_type="award.objection.receive").exists()


def test_an_entry_outside_the_notice_is_refused(tree, personas, api):
    w = build(tree, personas)
    with travel(IN_PERIOD):
        r = api(personas.dept_admin).post(f"/awards/cycles/{w.cycle.pk}/objections",
                                          {**LETTER, "nomination": w.b1.pk})  # not awarded: not in the notice
    assert r.status_code == 422 and "nomination" in r.json()["errors"]
    assert not Objection.objects.exists()


def test_before_a_notice_is_published_no_objection_is_recorded(tree, personas, api):
    w = build(tree, personas, upto="decided")
    with travel(IN_PERIOD):
        r = api(personas.dept_admin).post(f"/awards/cycles/{w.cycle.pk}/objections", LETTER)
    assert r.status_code == 422 and "No public notice" in " ".join(r.json()["errors"]["__all__"])
    assert not Objection.objects.exists()


def test_recording_objections_is_the_admins(tree, personas, api):
    w = build(tree, personas)
    url = f"/awards/cycles/{w.cycle.pk}/objections"
    with travel(IN_PERIOD):
        assert api(personas.org_admin_a).post(url, LETTER).status_code == 403
        for user in (personas.member_a, personas.expert, far_admin(tree)):
            assert api(user).post(url, LETTER).status_code == 404
    assert Client().post(f"/api/v1{url}", LETTER, content_type="application/json").status_code == 401
    assert not Objection.objects.exists()


# --- certificates and the commendation document -----------------------------------------------------------------------

def closed(tree, personas):
    w = build(tree, personas)
    with travel(AFTER_PERIOD):
        services.change_status(personas.dept_admin, w.cycle, "closed")
    return w


def test_the_admin_downloads_a_winners_certificate_after_close(tree, personas, api):
    w = closed(tree, personas)
    with travel(AFTER_PERIOD):
        r = api(personas.dept_admin).get(f"/awards/nominations/{w.a1.pk}/certificate.pdf")
        again = api(personas.dept_admin).get(f"/awards/nominations/{w.a1.pk}/certificate.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    cert = Certificate.objects.get()
    assert cert.nomination == w.a1 and f"certificate-{cert.serial}.pdf" in r["Content-Disposition"]
    assert again.status_code == 200 and Certificate.objects.count() == 1  # issued once, served again
    assert AuditEvent.objects.filter(event_type="award.certificate").count() == 1


def test_certificates_are_refused_for_a_non_winner_before_close_and_to_other_roles(tree, personas, api):
    w = build(tree, personas)  # notice period: decided, not closed
    admin = api(personas.dept_admin)
    with travel(IN_PERIOD):
        r = admin.get(f"/awards/nominations/{w.a1.pk}/certificate.pdf")
        assert r.status_code == 409 and "once the cycle is closed" in r.json()["detail"]
    with travel(AFTER_PERIOD):
        services.change_status(personas.dept_admin, w.cycle, "closed")
        r = admin.get(f"/awards/nominations/{w.b1.pk}/certificate.pdf")
        assert r.status_code == 409 and "did not win" in r.json()["detail"]
        assert api(personas.org_admin_a).get(f"/awards/nominations/{w.a1.pk}/certificate.pdf").status_code == 403
        for user in (personas.org_admin_b, personas.member_a, far_admin(tree)):  # B does not see A's entry
            assert api(user).get(f"/awards/nominations/{w.a1.pk}/certificate.pdf").status_code == 404
        assert admin.get("/awards/nominations/999999/certificate.pdf").status_code == 404
    assert not Certificate.objects.exists()


def test_the_commendation_document_as_docx_and_pdf_after_close(tree, personas, api):
    from docx import Document

    w = closed(tree, personas)
    admin = api(personas.dept_admin)
    with travel(AFTER_PERIOD):
        docx = admin.get(f"/awards/cycles/{w.cycle.pk}/commendation.docx")
        pdf = admin.get(f"/awards/cycles/{w.cycle.pk}/commendation.pdf")
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "积分制管理激活村级组织" in text and "向阳村红色议事会" not in text
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert sorted(e.details["format"] for e in AuditEvent.objects.filter(event_type="award.commendation")) == [
        "docx", "pdf"]


def test_the_commendation_document_is_refused_before_close_and_to_other_roles(tree, personas, api):
    w = build(tree, personas)
    url = f"/awards/cycles/{w.cycle.pk}/commendation.docx"
    with travel(IN_PERIOD):
        r = api(personas.dept_admin).get(url)
        assert r.status_code == 409 and "once the cycle is closed" in r.json()["detail"]
    with travel(AFTER_PERIOD):
        services.change_status(personas.dept_admin, w.cycle, "closed")
        assert api(personas.org_admin_a).get(url).status_code == 403
        for user in (personas.member_a, personas.expert, far_admin(tree)):
            assert api(user).get(url).status_code == 404
        assert api(personas.dept_admin).get(f"/awards/cycles/{w.cycle.pk}/commendation.odt").status_code == 404
    assert not AuditEvent.objects.filter(event_type="award.commendation").exists()
