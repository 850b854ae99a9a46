import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.factories import make_case, publish
from tupo.cases import queries, sanitize, services
from tupo.cases.choices import CaseStatus
from tupo.cases.models import Adoption, Case, CaseTransition
from tupo.core.services import SYSTEM, InvalidTransition

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63382127070002b6010534a675aa0000000049454e44ae426082"
)


# --- workflow --------------------------------------------------------------------------------------------

def test_full_workflow_records_history(tree, personas):
    case = make_case(personas.org_admin_a, tree.village_a1)
    assert case.status == CaseStatus.DRAFT and case.org_path == tree.village_a1.path
    case = publish(case, personas.org_admin_a, personas.dept_admin)
    assert case.status == CaseStatus.PUBLISHED and case.published_at
    case = services.transition_case(personas.dept_admin, case, CaseStatus.ARCHIVED, "superseded")
    hist = list(CaseTransition.objects.filter(case=case).values_list("from_status", "to_status", "actor_name", "reason"))
    assert hist == [
        ("draft", "submitted", "org_admin_a", ""), ("submitted", "reviewed", "dept_admin", ""),
        ("reviewed", "published", "dept_admin", ""), ("published", "archived", "dept_admin", "superseded"),
    ]


@pytest.mark.parametrize("path,bad", [
    ([], "reviewed"), ([], "published"), ([], "archived"),
    (["submitted"], "published"), (["submitted"], "archived"), (["submitted"], "submitted"),
    (["submitted", "reviewed"], "submitted"), (["submitted", "reviewed"], "archived"),
    (["submitted", "reviewed", "published"], "draft"), (["submitted", "reviewed", "published"], "reviewed"),
    (["submitted", "reviewed", "published", "archived"], "published"),
    (["submitted", "reviewed", "published", "archived"], "draft"),
    ([], "nonsense"),
])
def test_forbidden_transitions(tree, personas, path, bad):
    case = make_case(personas.org_admin_a, tree.village_a1)
    for step in path:
        case = services.transition_case(SYSTEM, case, step)
    with pytest.raises(InvalidTransition):
        services.transition_case(SYSTEM, case, bad)
    assert Case.objects.get(pk=case.pk).status == (path[-1] if path else "draft")


def test_return_to_draft_needs_reason_and_author_cannot_review(tree, personas):
    case = make_case(personas.dept_admin, tree.village_a1)
    services.transition_case(personas.dept_admin, case, "submitted")
    with pytest.raises(ValidationError):
        services.transition_case(personas.dept_admin, case, "draft")
    with pytest.raises(ValidationError, match="author"):
        services.transition_case(personas.dept_admin, case, "reviewed")
    services.transition_case(personas.dept_admin, case, "draft", "补充成效数据")
    assert Case.objects.get(pk=case.pk).status == "draft"


def test_org_admin_cannot_review_or_publish(tree, personas):
    case = make_case(personas.org_admin_a, tree.village_a1)
    services.transition_case(personas.org_admin_a, case, "submitted")
    with pytest.raises(PermissionDenied):
        services.transition_case(personas.org_admin_a, case, "reviewed")
    with pytest.raises(PermissionDenied):
        make_case(personas.org_admin_b, tree.village_a1)
    with pytest.raises(PermissionDenied):
        make_case(personas.leader, tree.village_a1)


def test_abstract_limit_and_required(tree, personas):
    with pytest.raises(ValidationError) as exc:
        make_case(personas.org_admin_a, tree.village_a1, abstract="字" * 1501)
    assert "1501" in str(exc.value)
    make_case(personas.org_admin_a, tree.village_a1, abstract="字" * 1500)
    with pytest.raises(ValidationError):
        make_case(personas.org_admin_a, tree.village_a1, title=" ")


def test_create_case_from_source_is_idempotent(tree, personas):
    a = services.create_case_from(personas.org_admin_a, "project", 17, {"org": tree.village_a1, "title": "课题成果",
                                                                       "abstract": "摘要", "practice": "<p>做法</p>"})
    b = services.create_case_from(personas.org_admin_a, "project", 17, {"org": tree.village_a1, "title": "x", "abstract": "y"})
    assert a.pk == b.pk and a.source_type == "project" and a.source_id == 17 and a.status == "draft"
    with pytest.raises(ValidationError):
        services.create_case_from(personas.org_admin_a, "bogus", 1, {"org": tree.village_a1, "title": "t", "abstract": "a"})


# --- sanitizer -------------------------------------------------------------------------------------------

def test_sanitizer_strips_active_content():
    dirty = ('<p onclick="x()">正文<script>alert(1)</script></p><img src=x onerror="alert(1)">'
             '<a href="javascript:alert(1)">链接</a><a href="https://example.cn">好链接</a><style>p{}</style>'
             '<iframe src="https://evil"></iframe>')
    clean = sanitize.clean_html(dirty)
    for bad in ("<script", "alert(1)", "onerror", "onclick", "javascript:", "<iframe", "<style", "<img"):
        assert bad not in clean
    assert "正文" in clean and 'href="https://example.cn"' in clean


def test_word_pasted_markup_survives_sensibly():
    word = ('<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->'
            '<p class="MsoNormal" style="mso-bidi-font-size:10.5pt"><b><span lang="EN-US">一、</span></b>'
            '<span style="font-family:宋体">背景<o:p></o:p></span></p><table class="MsoTableGrid"><tr><td>指标</td><td>95%</td></tr></table>')
    clean = sanitize.clean_html(word)
    assert "<b>" in clean and "背景" in clean and "<td>95%</td>" in clean
    assert "mso" not in clean and "o:p" not in clean and "style=" not in clean and "WordDocument" not in clean


def test_rich_fields_sanitized_on_save(tree, personas):
    case = make_case(personas.org_admin_a, tree.village_a1, practice='<p>做法<script>x</script></p><a href="javascript:y">z</a>')
    assert "<script" not in case.practice and "javascript:" not in case.practice and "做法" in case.practice


# --- files -----------------------------------------------------------------------------------------------

def test_image_that_is_not_an_image_is_refused(tree, personas):
    case = make_case(personas.org_admin_a, tree.village_a1)
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.add_case_file(personas.org_admin_a, case, fake, "photo")
    truncated = SimpleUploadedFile("p.png", PNG_1PX[:40], content_type="image/png")
    with pytest.raises(ValidationError):
        services.add_case_file(personas.org_admin_a, case, truncated, "photo")
    pdf_as_photo = SimpleUploadedFile("p.jpg", b"%PDF-1.4\n" + b"x" * 100, content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.add_case_file(personas.org_admin_a, case, pdf_as_photo, "photo")
    exe = SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"x" * 100, content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.add_case_file(personas.org_admin_a, case, exe, "attachment")


def test_real_image_and_pdf_accepted_and_served_safely(tree, personas, login):
    case = make_case(personas.org_admin_a, tree.village_a1)
    img = services.add_case_file(personas.org_admin_a, case, SimpleUploadedFile("现场.png", PNG_1PX), "photo")
    pdf = services.add_case_file(personas.org_admin_a, case, SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"), "attachment")
    assert img.content_type == "image/png" and pdf.content_type == "application/pdf"
    assert not img.file.name.endswith("现场.png")  # stored under a random name
    client = login(personas.org_admin_a)
    r = client.get(f"/cases/{case.pk}/files/{pdf.pk}/")
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("attachment") and "sandbox" in r["Content-Security-Policy"]
    r = client.get(f"/cases/{case.pk}/files/{img.pk}/")
    assert r["Content-Type"] == "image/png" and r["Content-Disposition"].startswith("inline")


def test_docx_accepted_by_content(tree, personas):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    case = make_case(personas.org_admin_a, tree.village_a1)
    f = services.add_case_file(personas.org_admin_a, case, SimpleUploadedFile("x.docx", buf.getvalue()), "attachment")
    assert f.content_type.endswith("wordprocessingml.document")


# --- visibility and pages --------------------------------------------------------------------------------

def test_unpublished_cases_invisible_to_others(tree, personas, login):
    draft = make_case(personas.org_admin_a, tree.village_a1, title="草稿案例")
    pub = publish(make_case(personas.org_admin_a, tree.village_a2, title="已发布案例"), personas.org_admin_a, personas.dept_admin)
    assert set(Case.objects.visible_to(personas.org_admin_b)) == {pub}
    assert set(Case.objects.visible_to(personas.member_a)) == {pub}
    assert set(Case.objects.visible_to(personas.leader)) == {draft, pub}
    assert not Case.objects.visible_to(personas.auditadmin).exists()
    client = login(personas.org_admin_b)
    r = client.get("/cases/")
    assert "已发布案例" in r.content.decode() and "草稿案例" not in r.content.decode()
    assert client.get(f"/cases/{draft.pk}/").status_code == 404
    assert client.get(f"/cases/{pub.pk}/").status_code == 200


def test_view_only_gets_403_on_change(tree, personas, login):
    draft = make_case(personas.org_admin_a, tree.village_a1)
    client = login(personas.leader)
    assert client.get(f"/cases/{draft.pk}/").status_code == 200
    assert client.get(f"/cases/{draft.pk}/edit/").status_code == 403
    assert client.get("/cases/new/").status_code == 403
    r = client.post(f"/cases/{draft.pk}/transition/", {"to_status": "submitted"}, follow=True)
    assert Case.objects.get(pk=draft.pk).status == "draft"
    assert r.status_code == 403


def test_create_edit_and_publish_through_pages(tree, personas, login):
    client = login(personas.org_admin_a)
    r = client.post("/cases/new/", {"title": "页面创建的案例", "org": tree.village_a1.pk, "level": "town", "field": "talent",
                                    "year": 2025, "abstract": "摘要", "practice": "<p>做法<script>1</script></p>",
                                    "metric_name": "满意度", "metric_unit": "%", "metric_before": "70", "metric_after": "95"})
    case = Case.objects.get(title="页面创建的案例")
    assert r.status_code == 302 and "<script" not in case.practice and case.metrics.get().after == 95
    r = client.post(f"/cases/{case.pk}/edit/", {"title": "改过的标题", "org": tree.village_a1.pk, "level": "town",
                                                "field": "talent", "year": 2025, "abstract": "摘要", "version": case.version})
    assert r.status_code == 302 and Case.objects.get(pk=case.pk).title == "改过的标题"
    client.post(f"/cases/{case.pk}/transition/", {"to_status": "submitted"})
    client = login(personas.dept_admin)
    client.post(f"/cases/{case.pk}/transition/", {"to_status": "reviewed"})
    client.post(f"/cases/{case.pk}/transition/", {"to_status": "published"})
    assert Case.objects.get(pk=case.pk).status == "published"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "改过的标题" in page and "Where it spread" in page


# --- adoption --------------------------------------------------------------------------------------------

def test_adoption_and_reports(tree, personas, login):
    case = publish(make_case(personas.org_admin_a, tree.village_a1), personas.org_admin_a, personas.dept_admin)
    with pytest.raises(ValidationError, match="not adopted"):
        services.report_adoption(personas.org_admin_b, case, tree.village_b1, {"summary": "好", "rating": 5})
    with pytest.raises(PermissionDenied):
        services.adopt_case(personas.org_admin_b, case, tree.village_a2, {"adapted": "x", "started_on": dt.date(2025, 3, 1), "contact": "c"})
    a = services.adopt_case(personas.org_admin_b, case, tree.village_b1,
                            {"adapted": "把网格划分改为按村民小组", "started_on": TODAY, "contact": "赵六 138"})
    with pytest.raises(ValidationError, match="already adopted"):
        services.adopt_case(personas.org_admin_b, case, tree.village_b1, {"adapted": "x", "started_on": dt.date(2025, 3, 1), "contact": "c"})
    r = services.report_adoption(personas.org_admin_b, case, tree.village_b1,
                                 {"summary": "纠纷下降", "rating": 4, "reported_on": TODAY},
                                 metrics=[{"name": "纠纷数", "unit": "件", "before": 30, "after": 12}])
    assert r.metrics.get().after == 12 and Adoption.objects.get(pk=a.pk).rating == 4
    with pytest.raises(ValidationError):
        services.report_adoption(personas.org_admin_b, case, tree.village_b1, {"summary": "x", "rating": 9})
    with pytest.raises(PermissionDenied):  # town A's admin cannot report for village B1
        services.report_adoption(personas.org_admin_a, case, tree.village_b1, {"summary": "x", "rating": 3})
    spread = queries.spread(case)
    assert [x.org for x in spread["adoptions"]] == [tree.village_b1]
    assert [t[1] for t in spread["timeline"]] == ["published", "adopted", "reported"]
    assert spread["mean_rating"] == 4
    page = login(personas.org_admin_a).get(f"/cases/{case.pk}/").content.decode()
    assert "向阳村党支部" in page and "纠纷下降" in page


def test_draft_cannot_be_adopted(tree, personas):
    case = make_case(personas.org_admin_a, tree.village_a1)
    with pytest.raises(ValidationError):
        services.adopt_case(personas.org_admin_b, case, tree.village_b1, {"adapted": "x", "started_on": dt.date(2025, 1, 1), "contact": "c"})


def test_similar_cases_use_textsim(tree, personas):
    pubs = [publish(make_case(personas.org_admin_a, tree.village_a1, title=t, abstract=a), personas.org_admin_a, personas.dept_admin)
            for t, a in [("网格化管理", "网格员 网格 矛盾纠纷 化解"), ("网格员队伍建设", "网格员 网格 党小组"),
                         ("电商直播", "直播带货 农产品")]]
    similar = queries.similar_cases(personas.org_admin_b, pubs[0])
    assert similar and similar[0][0] == pubs[1]


# --- brands ----------------------------------------------------------------------------------------------

BRAND = {"name": "红色引擎党建品牌", "meaning": "党建引领发展", "vehicle": "党员先锋岗", "work_method": "三个一工作法", "year": 2025}


def test_brand_flow_and_duplicate_refused(tree, personas):
    b = services.apply_brand(personas.org_admin_a, tree.village_a1, BRAND)
    for step in ("screened", "recognized", "recommended"):
        b = services.transition_brand(personas.dept_admin, b, step)
    assert [t.to_status for t in b.transitions.all()] == ["screened", "recognized", "recommended"]
    with pytest.raises(ValidationError) as exc:
        services.apply_brand(personas.org_admin_b, tree.village_b1, {**BRAND, "name": "红色引擎·党建品牌"})
    assert "红色引擎党建品牌" in str(exc.value) and "幸福村党总支" in str(exc.value)
    other = services.apply_brand(personas.org_admin_b, tree.village_b1,
                                 {**BRAND, "name": "向阳花开", "meaning": "老年协会", "work_method": "银龄互助"})
    with pytest.raises(InvalidTransition):
        services.transition_brand(personas.dept_admin, other, "recommended")
    with pytest.raises(PermissionDenied):
        services.transition_brand(personas.org_admin_b, other, "screened")
    with pytest.raises(ValidationError):
        services.transition_brand(personas.dept_admin, other, "rejected")


def test_brand_logo_must_be_image(tree, personas):
    with pytest.raises(ValidationError):
        services.apply_brand(personas.org_admin_a, tree.village_a1, BRAND,
                             logo=SimpleUploadedFile("l.png", b"not an image at all"))
    b = services.apply_brand(personas.org_admin_a, tree.village_a1, BRAND, logo=SimpleUploadedFile("l.png", PNG_1PX))
    assert b.logo_type == "image/png"


# --- API and dashboard -----------------------------------------------------------------------------------

def test_api_lists_only_visible_and_creates(tree, personas, client):
    from tupo.accounts.services import create_token

    draft = make_case(personas.org_admin_a, tree.village_a1, title="草稿")
    pub = publish(make_case(personas.org_admin_a, tree.village_a1, title="发布"), personas.org_admin_a, personas.dept_admin)
    token_b = create_token(SYSTEM, personas.org_admin_b, name="t")[1]
    h = {"HTTP_AUTHORIZATION": f"Bearer {token_b}"}
    ids = [c["id"] for c in client.get("/api/v1/cases", **h).json()]
    assert ids == [pub.pk]
    assert client.get(f"/api/v1/cases/{draft.pk}", **h).status_code == 404
    r = client.post("/api/v1/cases", {"org": tree.village_b1.pk, "title": "API案例", "abstract": "摘要",
                                      "metrics": [{"name": "x", "unit": "%", "before": 1, "after": 2}]},
                    content_type="application/json", **h)
    assert r.status_code == 201, r.content
    r = client.post(f"/api/v1/cases/{pub.pk}/reports", {"org": tree.village_b1.pk, "summary": "s", "rating": 3},
                    content_type="application/json", **h)
    assert r.status_code == 422 and "not adopted" in r.content.decode()
    r = client.post(f"/api/v1/cases/{pub.pk}/transition", {"to_status": "draft"}, content_type="application/json", **h)
    assert r.status_code == 409


def test_dashboard(tree, personas, login):
    publish(make_case(personas.org_admin_a, tree.village_a1), personas.org_admin_a, personas.dept_admin)
    r = login(personas.leader).get("/cases/dashboard/")
    assert r.status_code == 200 and b"cb_field" in r.content
    assert login(personas.member_a).get("/cases/dashboard/").status_code == 403
