"""Masking of personal numbers (ID numbers, mobile phones) in lists, exports and logs (PIPL)."""

from __future__ import annotations

import logging
import re

ID_RE = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_id_number(value: str | None) -> str:
    """``110101199003071234`` → ``1101**********1234`` (first 4 and last 4 kept)."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number found inside free text."""
    text = ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


class MaskingLogFilter(logging.Filter):
    """Log filter: personal numbers never reach log files in clear."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not break logging
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
