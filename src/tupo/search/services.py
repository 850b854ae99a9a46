"""Writes of the search app: the user dictionary."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tupo.core import audit
from tupo.core.services import atomic_service, require_perm
from tupo.search import terms
from tupo.search.models import SearchTerm


@atomic_service
def add_term(actor, term: str, note: str = "") -> SearchTerm:
    require_perm(actor, "search.manage_terms")
    term = (term or "").strip()
    if not term or any(ch.isspace() for ch in term):
        raise ValidationError(_("A term is one word without spaces."))
    if SearchTerm.objects.filter(term=term).exists():
        raise ValidationError(_("This term is already in the dictionary."))
    obj = SearchTerm.objects.create(term=term, note=note)
    audit.record("search.term_add", actor=actor, obj=obj, details={"term": term})
    terms.clear_cache()
    return obj
