import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.iso7064 import mod_11_2

from tupo.orgs.validators import check_id_consistency, normalize_phone, parse_id_number

divisions = st.sampled_from(["110105", "370181", "440305", "510104", "650102"])
births = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2008, 12, 31))


def build(division, birth, seq):
    body = f"{division}{birth:%Y%m%d}{seq:03d}"
    return body + mod_11_2.calc_check_digit(body)


@given(divisions, births, st.integers(0, 999))
def test_a_valid_number_yields_its_birth_date_and_sex(division, birth, seq):
    facts = parse_id_number(build(division, birth, seq))
    assert facts.birth_date == birth
    assert facts.sex == ("male" if seq % 2 else "female")


@given(divisions, births, st.integers(0, 999), st.sampled_from("0123456789X"))
def test_any_other_check_digit_is_refused(division, birth, seq, wrong):
    number = build(division, birth, seq)
    if wrong == number[-1]:
        return
    with pytest.raises(ValidationError) as exc:
        parse_id_number(number[:-1] + wrong)
    assert exc.value.code == "checksum"


@given(divisions, births, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_a_single_digit_typo_is_caught(division, birth, seq, pos, delta):
    number = build(division, birth, seq)
    digit = (int(number[pos]) + delta) % 10
    typo = number[:pos] + str(digit) + number[pos + 1 :]
    with pytest.raises(ValidationError):
        parse_id_number(typo)


def test_lower_case_x_is_accepted_and_normalised():
    number = "11010519491231002X"
    assert parse_id_number(number.lower()).number == number


@pytest.mark.parametrize("value,code", [
    ("", "required"), ("1101051949123100", "length"), ("11010519491231002A", "format"),
    ("110105194913310021", "birth_date"),
])
def test_malformed_numbers_get_a_specific_message(value, code):
    with pytest.raises(ValidationError) as exc:
        parse_id_number(value)
    assert exc.value.code == code


def test_a_stated_birth_date_or_sex_that_contradicts_the_number_is_reported():
    facts = parse_id_number("11010519491231002X")
    problems = dict(check_id_consistency(facts, dt.date(1950, 1, 1), "male"))
    assert set(problems) == {"birth_date", "sex"}
    assert check_id_consistency(facts, dt.date(1949, 12, 31), "female") == []


@pytest.mark.parametrize("raw,ok", [("138 1234 5678", "13812345678"), ("+8613812345678", "13812345678"),
                                    ("010-12345678", "010-12345678"), ("", "")])
def test_phone_numbers_are_normalised(raw, ok):
    assert normalize_phone(raw) == ok


@pytest.mark.parametrize("raw", ["12345", "23812345678", "abc"])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)
