import logging

from hypothesis import given
from hypothesis import strategies as st

from tupo.core.masking import MaskingLogFilter, mask_id_number, mask_phone, mask_text


def test_id_numbers_keep_four_characters_each_side():
    assert mask_id_number("11010519491231002X") == "1101**********002X"


def test_phones_keep_three_and_four():
    assert mask_phone("13812345678") == "138****5678"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.sampled_from("0123456789X"))
def test_masked_id_never_shows_the_birth_date(body, check):
    number = body + check
    assert number[6:14] not in mask_id_number(number)[4:-4]
    assert len(mask_id_number(number)) == 18


def test_the_log_filter_masks_numbers_inside_messages(caplog):
    logger = logging.getLogger("tupo.test")
    logger.addFilter(MaskingLogFilter())
    with caplog.at_level(logging.WARNING, logger="tupo.test"):
        logger.warning("person %s phone %s", "11010519491231002X", "13812345678")
    assert "11010519491231002X" not in caplog.text
    assert "13812345678" not in caplog.text
    assert "1101**********002X" in caplog.text


def test_free_text_masking_leaves_other_numbers_alone():
    assert mask_text("第 2026 号文件") == "第 2026 号文件"
