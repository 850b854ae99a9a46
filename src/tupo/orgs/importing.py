"""Excel import of members and organizations: validate every row first, then write all or nothing.

A file with any bad row writes nothing; the user gets a report of row, column and reason (on the page
and as .xlsx). The good path writes through ``services.bulk_create_people`` / ``bulk_create_organizations``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tupo.core.xlsx import workbook_bytes
from tupo.orgs.choices import Education, HostRelation, MemberStatus, Occupation, OrgCategory, OrgType
from tupo.orgs.models import Organization, Person

PEOPLE_COLUMNS = [
    ("org_code", gettext_lazy("Organization code")),
    ("name", pgettext_lazy("person", "Name")),
    ("id_number", gettext_lazy("ID number")),
    ("ethnicity", gettext_lazy("Ethnicity")),
    ("native_place", gettext_lazy("Native place")),
    ("education", gettext_lazy("Education")),
    ("occupation", gettext_lazy("Occupation")),
    ("position", gettext_lazy("Job title")),
    ("is_cadre", pgettext_lazy("import column", "Cadre (yes/no)")),
    ("joined_on", gettext_lazy("Joined the Party on")),
    ("full_member_on", gettext_lazy("Full membership on")),
    ("phone", gettext_lazy("Phone")),
    ("status", pgettext_lazy("import column", "Member status")),
]
PEOPLE_REQUIRED = {"org_code", "name", "id_number"}

ORG_COLUMNS = [
    ("code", gettext_lazy("Organization code")),
    ("parent_code", gettext_lazy("Parent organization code")),
    ("name", gettext_lazy("Name")),
    ("org_type", gettext_lazy("Organization type")),
    ("org_category", gettext_lazy("Organization category")),
    ("host_unit", gettext_lazy("Host unit")),
    ("host_relation", gettext_lazy("Host unit relation")),
    ("division_code", gettext_lazy("Division code")),
    ("established_on", gettext_lazy("Established on")),
    ("term_start", gettext_lazy("Term start")),
    ("term_end", gettext_lazy("Term end")),
]
ORG_REQUIRED = {"code", "parent_code", "name", "org_type", "org_category"}

CHOICE_FIELDS = {
    "education": Education,
    "occupation": Occupation,
    "status": MemberStatus,
    "org_type": OrgType,
    "org_category": OrgCategory,
    "host_relation": HostRelation,
}
DATE_FIELDS = {"joined_on", "full_member_on", "established_on", "term_start", "term_end"}
TEXT_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


class ImportFileError(Exception):
    """The file as a whole cannot be read (not xlsx, too big, wrong columns, merged cells…)."""


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def report_xlsx(self) -> bytes:
        return workbook_bytes([(
            _("Import errors"), [_("Row"), _("Column"), _("Reason")],
            ((e.row, e.column, e.reason) for e in self.errors),
        )])


def template_xlsx(kind: str) -> bytes:
    columns = PEOPLE_COLUMNS if kind == "people" else ORG_COLUMNS
    notes = [
        [_("Fill one row per record from row 2 of the Data sheet and keep its header row."), ""],
        [_("Write dates as 2001-07-01 and format the ID-number column as text."), ""],
        [_("Birth date and sex are read from the ID number."), ""],
    ]
    choice_rows = []
    for name, _label in columns:
        if name in CHOICE_FIELDS:
            choice_rows.append([str(_label), "、".join(str(c.label) for c in CHOICE_FIELDS[name])])
    return workbook_bytes([
        (_("Data"), [str(label) for _n, label in columns], []),
        (_("Instructions"), [_("Column"), _("Allowed values")], notes + choice_rows),
    ])


# --- reading --------------------------------------------------------------------------------------------

def _check_container(data: bytes) -> None:
    if len(data) > settings.TUPO_IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB. Split it into smaller files.")
            % {"size": len(data) / 1e6, "limit": settings.TUPO_IMPORT_MAX_BYTES / 1e6}
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError(_("This is not an Excel .xlsx file. Save it as “Excel Workbook (.xlsx)” and try again."))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        if "xl/workbook.xml" not in names:
            raise ImportFileError(_("This is not an Excel .xlsx file. Save it as “Excel Workbook (.xlsx)” and try again."))
        total = sum(i.file_size for i in zf.infolist())
        if total > 40 * settings.TUPO_IMPORT_MAX_BYTES:
            raise ImportFileError(_("The file unpacks to an implausible size; it was not read."))
        sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        if sheets:
            with zf.open(sheets[0]) as fh:
                tail = fh.read()
            merged = re.findall(rb'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"', tail)
            if merged:
                raise ImportFileError(
                    _("The sheet has merged cells (%(cells)s). Unmerge them so every row holds one complete record.")
                    % {"cells": ", ".join(m.decode() for m in merged[:5])}
                )


def read_rows(data: bytes, columns) -> tuple[list[str], list[tuple[int, dict]]]:
    """Return the column names and (excel row number, {field: raw value}) for non-empty rows."""
    from openpyxl import load_workbook

    _check_container(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise ImportFileError(_("The Excel file is damaged and cannot be read (%(error)s).") % {"error": type(exc).__name__}) from None
    ws = wb.worksheets[0]
    rows_iter = ws.iter_rows(values_only=True)
    header = next(rows_iter, None)
    if not header:
        raise ImportFileError(_("The sheet is empty: the first row must be the header row of the template."))
    by_label = {}
    for name, label in columns:
        for text in _all_languages(label):
            by_label[text] = name
        by_label[name] = name
    fields = []
    unknown = []
    for cell in header:
        text = str(cell).strip() if cell is not None else ""
        if not text:
            fields.append(None)
        elif text in by_label:
            fields.append(by_label[text])
        else:
            fields.append(None)
            unknown.append(text)
    required = PEOPLE_REQUIRED if columns is PEOPLE_COLUMNS else ORG_REQUIRED
    missing = [str(label) for name, label in columns if name in required and name not in fields]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(cols)s") % {"cols": "、".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(cols)s") % {"cols": "、".join(unknown[:10])})
        raise ImportFileError(_("The header row does not match the template (%(detail)s). Download the template and copy your data into it.") % {"detail": "; ".join(parts)})
    out = []
    limit = settings.TUPO_IMPORT_MAX_ROWS
    for excel_row, values in enumerate(rows_iter, start=2):
        if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        record = {f: values[i] if i < len(values) else None for i, f in enumerate(fields) if f}
        out.append((excel_row, record))
        if len(out) > limit:
            raise ImportFileError(_("The file has more than %(n)d rows; split it.") % {"n": limit})
    wb.close()
    return fields, out


def _all_languages(lazy_text) -> set[str]:
    """A label in every UI language: a Chinese template is read by an English-speaking user and vice versa."""
    from django.utils import translation

    out = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out.add(str(lazy_text).strip())
    return out


def _label_of(columns, name):
    return str(dict(columns)[name])


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in TEXT_DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(v)s” is not a date: write it as 2001-07-01.") % {"v": text[:30]})


def _choice(name, value) -> str:
    text = _text(value)
    if not text:
        return ""
    choices = CHOICE_FIELDS[name]
    for c in choices:
        if text == c.value or text in _all_languages(c.label):
            return c.value
    raise ValueError(_("“%(v)s” is not one of: %(allowed)s") % {"v": text[:30], "allowed": "、".join(str(c.label) for c in choices)})


def _bool(value) -> bool:
    return _text(value).lower() in ("是", "yes", "y", "true", "1", "√")


# --- people ---------------------------------------------------------------------------------------------

def import_people(actor, data: bytes, *, filename: str = "") -> ImportResult:
    from tupo.orgs import services

    result = ImportResult(kind="people")
    _fields, rows = read_rows(data, PEOPLE_COLUMNS)
    result.rows = len(rows)
    label = lambda n: _label_of(PEOPLE_COLUMNS, n)  # noqa: E731
    codes = {_text(r.get("org_code")) for _n, r in rows}
    orgs = {}
    code_list = [c for c in codes if c]
    for i in range(0, len(code_list), 900):
        for org in Organization.objects.filter(code__in=code_list[i : i + 900]):
            if actor.has_perm("orgs.add_person", org):
                orgs[org.code] = org
    cleaned: list[tuple[int, Organization, dict]] = []
    seen_ids: dict[str, int] = {}
    for excel_row, raw in rows:
        row_errors = []
        code = _text(raw.get("org_code"))
        org = orgs.get(code)
        if org is None:
            row_errors.append(RowError(excel_row, label("org_code"),
                                       _("Unknown organization code “%(c)s”, or outside the organizations you manage.") % {"c": code}))
        record = {}
        for name in ("name", "ethnicity", "native_place", "position", "phone"):
            record[name] = _text(raw.get(name))
        id_raw = raw.get("id_number")
        if isinstance(id_raw, int | float):
            row_errors.append(RowError(excel_row, label("id_number"),
                                       _("The ID number is stored as a number and has lost digits: format the column as text.")))
            id_raw = ""
        record["id_number"] = _text(id_raw)
        record["is_cadre"] = _bool(raw.get("is_cadre"))
        for name in ("joined_on", "full_member_on"):
            try:
                record[name] = _date(raw.get(name))
            except ValueError as exc:
                row_errors.append(RowError(excel_row, label(name), str(exc)))
        for name in ("education", "occupation", "status"):
            try:
                record[name] = _choice(name, raw.get(name))
            except ValueError as exc:
                row_errors.append(RowError(excel_row, label(name), str(exc)))
        if not record.get("status"):
            record["status"] = MemberStatus.FULL
        if not row_errors:
            try:
                clean = services.validate_person(record, check_unique=False)
            except ValidationError as exc:
                for fname, messages in exc.message_dict.items():
                    for m in messages:
                        row_errors.append(RowError(excel_row, label(fname) if fname in dict(PEOPLE_COLUMNS) else fname, m))
            else:
                number = clean["id_number"]
                if number in seen_ids:
                    row_errors.append(RowError(excel_row, label("id_number"),
                                               _("The same ID number is already on row %(r)d of this file.") % {"r": seen_ids[number]}))
                else:
                    seen_ids[number] = excel_row
                    cleaned.append((excel_row, org, clean))
        result.errors.extend(row_errors)
    numbers = list(seen_ids)
    for i in range(0, len(numbers), 900):
        for number in Person.objects.filter(id_number__in=numbers[i : i + 900]).values_list("id_number", flat=True):
            result.errors.append(RowError(seen_ids[number], label("id_number"), _("A person with this ID number is already registered.")))
    result.errors.sort(key=lambda e: (e.row, e.column))
    if result.errors:
        return result
    digest = hashlib.sha256(data).hexdigest()
    result.created = services.bulk_create_people(actor, [(org, clean) for _r, org, clean in cleaned],
                                                 source={"file": filename[:100], "sha256": digest})
    return result


# --- organizations --------------------------------------------------------------------------------------

def import_organizations(actor, data: bytes, *, filename: str = "") -> ImportResult:
    from tupo.orgs import services

    result = ImportResult(kind="orgs")
    _fields, rows = read_rows(data, ORG_COLUMNS)
    result.rows = len(rows)
    label = lambda n: _label_of(ORG_COLUMNS, n)  # noqa: E731
    file_codes: dict[str, int] = {}
    records = []
    for excel_row, raw in rows:
        row_errors = []
        rec = {name: _text(raw.get(name)) for name in ("code", "parent_code", "name", "host_unit", "division_code")}
        for name in ("org_type", "org_category", "host_relation"):
            try:
                rec[name] = _choice(name, raw.get(name))
            except ValueError as exc:
                row_errors.append(RowError(excel_row, label(name), str(exc)))
        if not rec.get("host_relation"):
            rec["host_relation"] = HostRelation.LEGAL_ENTITY
        for name in ("established_on", "term_start", "term_end"):
            try:
                rec[name] = _date(raw.get(name))
            except ValueError as exc:
                row_errors.append(RowError(excel_row, label(name), str(exc)))
        for name in ("code", "parent_code", "name", "org_type", "org_category"):
            if not rec.get(name) and not any(e.column == label(name) for e in row_errors):
                row_errors.append(RowError(excel_row, label(name), _("This column is required.")))
        if rec.get("division_code") and (not rec["division_code"].isdigit() or len(rec["division_code"]) not in (6, 9, 12)):
            row_errors.append(RowError(excel_row, label("division_code"), _("A division code has 6, 9 or 12 digits (GB/T 2260).")))
        if rec.get("term_start") and rec.get("term_end") and rec["term_end"] <= rec["term_start"]:
            row_errors.append(RowError(excel_row, label("term_end"), _("The term must end after it starts.")))
        if rec.get("code"):
            if rec["code"] in file_codes:
                row_errors.append(RowError(excel_row, label("code"),
                                           _("The same code is already on row %(r)d of this file.") % {"r": file_codes[rec["code"]]}))
            else:
                file_codes[rec["code"]] = excel_row
        result.errors.extend(row_errors)
        records.append((excel_row, rec))
    codes = list(file_codes)
    for i in range(0, len(codes), 900):
        for code in Organization.objects.filter(code__in=codes[i : i + 900]).values_list("code", flat=True):
            result.errors.append(RowError(file_codes[code], label("code"), _("An organization with this code already exists.")))
    parent_codes = list({r["parent_code"] for _n, r in records if r.get("parent_code") and r["parent_code"] not in file_codes})
    parents = {}
    for i in range(0, len(parent_codes), 900):
        for org in Organization.objects.filter(code__in=parent_codes[i : i + 900]):
            if actor.has_perm("orgs.add_child_organization", org):
                parents[org.code] = org
    for excel_row, rec in records:
        pc = rec.get("parent_code")
        if pc and pc not in file_codes and pc not in parents:
            result.errors.append(RowError(excel_row, label("parent_code"),
                                          _("Unknown parent code “%(c)s”, or outside the organizations you manage.") % {"c": pc}))
    # Parents given in the same file must not form a cycle.
    if not result.errors:
        order, state = [], {}
        by_code = {r["code"]: (n, r) for n, r in records}

        def visit(code):
            if state.get(code) == "done":
                return
            if state.get(code) == "active":
                n, _r = by_code[code]
                result.errors.append(RowError(n, label("parent_code"), _("The parent codes form a loop.")))
                return
            state[code] = "active"
            pc = by_code[code][1]["parent_code"]
            if pc in by_code:
                visit(pc)
            state[code] = "done"
            order.append(by_code[code])

        for code in by_code:
            visit(code)
    result.errors.sort(key=lambda e: (e.row, e.column))
    if result.errors:
        return result
    digest = hashlib.sha256(data).hexdigest()
    result.created = services.bulk_create_organizations(actor, [r for _n, r in order], parents,
                                                        source={"file": filename[:100], "sha256": digest})
    return result
