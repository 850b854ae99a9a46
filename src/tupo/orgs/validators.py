"""Validation of personal numbers: ID numbers (GB 11643, via python-stdnum) and phone numbers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric

from tupo.orgs.choices import Sex

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


@dataclass(frozen=True)
class IdFacts:
    number: str
    birth_date: dt.date
    sex: str


def parse_id_number(value: str) -> IdFacts:
    """Validate an 18-character ID number (ISO 7064 MOD 11-2 check digit, real birth date).

    Returns the normalised number with the birth date and sex it encodes; raises ValidationError
    with a message a clerk understands.
    """
    raw = (value or "").strip().replace(" ", "")
    if not raw:
        raise ValidationError(_("The ID number is required."), code="required")
    number = raw.upper()
    if len(number) != 18:
        raise ValidationError(_("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)}, code="length")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(_("An ID number is 17 digits followed by a digit or X."), code="format")
    try:
        birth = ric.get_birth_date(number)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("The birth date inside the ID number is not a real date."), code="birth_date") from None
    if ric.calc_check_digit(number) != number[-1]:  # stdnum ignores the last character
        raise ValidationError(_("The check digit of the ID number is wrong (GB 11643): please check for a typo."), code="checksum")
    if birth > dt.date.today() or birth.year < 1900:
        raise ValidationError(_("The birth date inside the ID number is not plausible."), code="birth_date")
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    return IdFacts(number=number, birth_date=birth, sex=sex)


def check_id_consistency(facts: IdFacts, birth_date: dt.date | None, sex: str | None) -> list[tuple[str, str]]:
    """Cross-check a stated birth date and sex against the ID number. Returns (field, message) pairs."""
    problems = []
    if birth_date and birth_date != facts.birth_date:
        problems.append(("birth_date", _("The birth date does not match the ID number (%(date)s).") % {"date": facts.birth_date.isoformat()}))
    if sex and sex != facts.sex:
        problems.append(("sex", _("The sex does not match the ID number.")))
    return problems


def normalize_phone(value: str) -> str:
    phone = re.sub(r"[\s()（）]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not phone:
        return ""
    if MOBILE_RE.match(phone) or LANDLINE_RE.match(phone):
        return phone
    raise ValidationError(_("Enter an 11-digit mobile number or a landline number with area code."), code="phone")
