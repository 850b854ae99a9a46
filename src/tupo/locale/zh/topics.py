"""Chinese for topics strings that share their English with another app (see ../translate_zh.py)."""

ZH: dict[str, str] = {}

ZH_CTX = {
    ("call status", "Awarded"): "已定标",
    ("bid status", "Awarded"): "中标",
    ("bid status", "Not awarded"): "未中标",
    ("search dictionary", "Term"): "词条",
}
