"""Search page, htmx suggestions, and the user dictionary page. Views stay thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tupo.cases.choices import CaseField
from tupo.core.access import get_visible_or_404
from tupo.orgs.models import Organization
from tupo.search import queries, services
from tupo.search.backends import Filters
from tupo.search.forms import SearchForm, SearchTermForm
from tupo.search.models import SearchTerm

PAGE = 20


def _filters(request, cd) -> Filters:
    org_path = ""
    if cd.get("org"):
        org_path = get_visible_or_404(Organization, request.user, pk=cd["org"]).path
    return Filters(doc_type=cd.get("type") or "", org_path=org_path, field=cd.get("field") or "", year=cd.get("year"))


@login_required
def search_page(request):
    form = SearchForm(request.GET or None)
    results = None
    page = 1
    if form.is_valid() and request.GET.get("q") is not None:
        try:
            page = max(1, min(int(request.GET.get("page") or 1), 50))
        except ValueError:
            page = 1
        results = queries.search(request.user, form.cleaned_data["q"], _filters(request, form.cleaned_data),
                                 limit=PAGE, offset=(page - 1) * PAGE)
    return render(request, "search/search.html", {
        "form": form, "results": results, "page": page, "fields": CaseField.choices,
        "has_next": bool(results and results.total > page * PAGE),
    })


@login_required
def suggest(request):
    q = (request.GET.get("q") or "")[:200]
    return render(request, "search/partials/_suggest.html", {"hits": queries.suggest(request.user, q), "q": q})


@login_required
def terms_page(request):
    if not request.user.has_perm("search.manage_terms"):
        raise PermissionDenied
    form = SearchTermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_term(request.user, form.cleaned_data["term"], form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error("term", exc.messages)
        else:
            messages.success(request, _("Term added. Run a reindex for existing documents to use it."))
            return redirect("search:terms")
    from tupo.search.terms import GLOSSARY_TERMS

    return render(request, "search/terms.html", {"form": form, "terms": SearchTerm.objects.all(),
                                                 "glossary": GLOSSARY_TERMS})
