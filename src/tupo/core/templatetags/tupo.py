"""Template helpers used everywhere: badges, masked numbers, query-string edits."""

from django import template
from django.utils.html import format_html

from tupo.core.masking import mask_id_number, mask_phone

register = template.Library()


@register.simple_tag
def badge(label, colour="secondary"):
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, label)


@register.filter
def masked_id(value):
    return mask_id_number(value)


@register.filter
def masked_phone(value):
    return mask_phone(value)


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (pagination, filters)."""
    params = context["request"].GET.copy()
    for k, v in kwargs.items():
        if v in (None, ""):
            params.pop(k, None)
        else:
            params[k] = v
    return "?" + params.urlencode() if params else "?"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def event_label(code):
    from tupo.core.events import event_label as label

    return label(code)


@register.filter
def object_type_label(code):
    from tupo.core.events import object_type_label as label

    return label(code) if code else ""


@register.filter
def details_text(details):
    from tupo.core.events import details_text as text

    return text(details)
