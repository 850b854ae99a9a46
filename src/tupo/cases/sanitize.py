"""Rich text: keep basic formatting, drop everything active (scripts, handlers, javascript: links, styles)."""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "ul", "ol", "li", "blockquote",
    "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "a", "span", "div", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
# Word adds <o:p>, <w:…>, conditional comments and mso styles; drop them with their markers first.
_WORD_TAGS = re.compile(r"</?(?:o|w|m|v):[^>]*>", re.IGNORECASE)
_CONDITIONAL = re.compile(r"<!--\[if.*?<!\[endif\]-->", re.IGNORECASE | re.DOTALL)


def clean_html(html: str) -> str:
    if not html:
        return ""
    html = _CONDITIONAL.sub("", html)
    html = _WORD_TAGS.sub("", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        clean_content_tags={"script", "style"},
    ).strip()


def plain_text(html: str) -> str:
    """Text of sanitized HTML (for search and similarity)."""
    text = nh3.clean((html or "").replace("<", " <"), tags=set())
    import html as html_lib

    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()
