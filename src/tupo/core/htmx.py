"""The one rule for htmx: a request from htmx gets the partial, anything else the full page."""

from django.shortcuts import render


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render_partial_or_page(request, page_template: str, partial_template: str, context: dict, **kwargs):
    return render(request, partial_template if is_htmx(request) else page_template, context, **kwargs)
