import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from tests.factories import make_id_number

from tupo.core.models import AuditEvent
from tupo.orgs import importing
from tupo.orgs.importing import ImportFileError, import_organizations, import_people
from tupo.orgs.models import Organization, Person

EN_HEADER = [str(label) for _n, label in importing.PEOPLE_COLUMNS]


def xlsx(rows, header=None, merge=None):
    wb = Workbook()
    ws = wb.active
    ws.append(header or EN_HEADER)
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good_row(code="A11", name="周九", **kw):
    row = {"org_code": code, "name": name, "id_number": make_id_number(), "ethnicity": "汉族", "native_place": "",
           "education": "University", "occupation": "Worker", "position": "", "is_cadre": "否",
           "joined_on": dt.datetime(2010, 7, 1), "full_member_on": dt.datetime(2011, 7, 1), "phone": "13900001111",
           "status": "Full member"}
    row.update(kw)
    return [row[n] for n, _l in importing.PEOPLE_COLUMNS]


def test_a_good_file_imports_every_row_with_history_and_one_audit_event(tree, personas):
    before = Person.objects.count()
    result = import_people(personas.org_admin_a, xlsx([good_row(), good_row("A2", "吴十")]), filename="m.xlsx")
    assert result.ok and result.created == 2
    assert Person.objects.count() == before + 2
    assert AuditEvent.objects.filter(event_type="person.import", details__count=2).exists()
    from tupo.orgs.stats import figures_for

    assert figures_for(tree.town_a).get_count("people") == 4


def test_one_bad_row_means_nothing_is_written_and_every_problem_is_listed(tree, personas):
    bad_id = make_id_number()
    bad_id = bad_id[:-1] + ("0" if bad_id[-1] != "0" else "1")
    rows = [good_row(), good_row(id_number=bad_id), good_row("TB"), good_row(joined_on="去年"), good_row(status="党员")]
    before = Person.objects.count()
    result = import_people(personas.org_admin_a, xlsx(rows))
    assert Person.objects.count() == before
    problems = {(e.row, e.column) for e in result.errors}
    assert (3, "ID number") in problems
    assert (4, "Organization code") in problems      # town B is outside this admin's scope
    assert (5, "Joined the Party on") in problems
    assert (6, "Member status") in problems
    assert (2, "ID number") not in problems
    report = load_workbook(io.BytesIO(result.report_xlsx())).active
    assert report.max_row == len(result.errors) + 1


def test_duplicates_within_the_file_and_against_the_register_are_reported(tree, personas):
    dup = make_id_number()
    rows = [good_row(id_number=dup), good_row(id_number=dup), good_row(id_number=tree.person_b1.id_number)]
    result = import_people(personas.dept_admin, xlsx(rows))
    reasons = {(e.row, e.reason) for e in result.errors}
    assert any(r == 3 and "row 2" in reason for r, reason in reasons)
    assert any(r == 4 and "already registered" in reason for r, reason in reasons)
    assert not result.ok


def test_chinese_headers_and_text_dates_are_read(tree, personas):
    from django.utils import translation

    with translation.override("zh-hans"):
        header = [str(label) for _n, label in importing.PEOPLE_COLUMNS]
        from tupo.orgs.choices import Education, MemberStatus, Occupation

        education, occupation, status = (str(Education.UNIVERSITY.label), str(Occupation.WORKER.label),
                                         str(MemberStatus.FULL.label))
    assert "公民身份号码" in header
    row = good_row(joined_on="2010-07-01", full_member_on="2011/7/1", education=education, occupation=occupation, status=status)
    result = import_people(personas.dept_admin, xlsx([row], header=header))
    assert result.ok, result.errors


def test_an_id_number_stored_as_a_number_is_refused_with_a_hint(tree, personas):
    row = good_row(id_number=370181199003070011)
    result = import_people(personas.dept_admin, xlsx([row]))
    assert "format the column as text" in result.errors[0].reason


@pytest.mark.parametrize("data,message", [
    (b"\x00garbage" * 1000, "not an Excel"),
    (b"PK\x03\x04" + b"x" * 100, "not an Excel"),
])
def test_garbage_files_get_a_clear_message(tree, personas, data, message):
    with pytest.raises(ImportFileError, match=message):
        import_people(personas.dept_admin, data)


def test_ten_megabytes_of_garbage_is_refused_before_reading(tree, personas, settings):
    with pytest.raises(ImportFileError, match="limit"):
        import_people(personas.dept_admin, b"x" * (10 * 1024 * 1024))


def test_wrong_columns_are_named(tree, personas):
    with pytest.raises(ImportFileError, match="missing columns"):
        import_people(personas.dept_admin, xlsx([["x"]], header=["名字", "身份证"]))


def test_merged_cells_are_refused(tree, personas):
    with pytest.raises(ImportFileError, match="merged cells"):
        import_people(personas.dept_admin, xlsx([good_row(), good_row()], merge="A2:A3"))


def test_organizations_import_with_parents_in_the_same_file(tree, personas):
    header = [str(label) for _n, label in importing.ORG_COLUMNS]
    rows = [["N2", "N1", "新村第一党支部", "Party branch", "Rural (village)", "", "", "", None, None, None],
            ["N1", "TA", "新村党总支", "General Party branch", "Rural (village)", "新村", "", "370181001", None,
             dt.datetime(2024, 1, 1), dt.datetime(2027, 1, 1)]]
    result = import_organizations(personas.org_admin_a, xlsx(rows, header=header))
    assert result.ok, result.errors
    n2 = Organization.objects.get(code="N2")
    assert n2.parent.code == "N1" and n2.path.startswith(tree.town_a.path)


def test_organization_import_refuses_unknown_parents_and_loops(tree, personas):
    header = [str(label) for _n, label in importing.ORG_COLUMNS]
    rows = [["L1", "L2", "甲", "Party branch", "Rural (village)"], ["L2", "L1", "乙", "Party branch", "Rural (village)"],
            ["L3", "TB", "丙", "Party branch", "Rural (village)"]]
    result = import_organizations(personas.org_admin_a, xlsx(rows, header=header))
    assert not result.ok
    assert any(e.row == 4 and "outside" in e.reason for e in result.errors)
    assert not Organization.objects.filter(code__in=["L1", "L2", "L3"]).exists()


def test_the_import_page_shows_errors_and_offers_the_report(tree, personas, login):
    c = login(personas.org_admin_a)
    bad = xlsx([good_row(code="NOPE")])
    r = c.post("/orgs/import/", {"kind": "people", "file": io.BytesIO(bad)}, format="multipart")
    body = r.content.decode()
    assert "NOPE" in body and "nothing was imported" in body.lower() or "没有导入" in body
    token = c.session["import_reports"][-1]
    report = c.get(f"/orgs/import/report/{token}.xlsx")
    assert report.status_code == 200
    assert login(personas.org_admin_b).get(f"/orgs/import/report/{token}.xlsx").status_code == 404


def test_templates_download_for_managers_only(tree, personas, login):
    r = login(personas.org_admin_a).get("/orgs/import/template/people.xlsx")
    header = [c.value for c in next(load_workbook(io.BytesIO(r.content)).active.iter_rows(max_row=1))]
    assert len(header) == len(importing.PEOPLE_COLUMNS)
    assert login(personas.leader).get("/orgs/import/template/people.xlsx").status_code == 404
