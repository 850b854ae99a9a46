"""The search index rows and the admin-extendable user dictionary.

One ``SearchDoc`` row per indexed object. ``title_seg``/``body_seg`` hold jieba tokens joined by spaces,
``tags`` the visibility and filter terms (organization ancestors, public, owner, type, year, field);
the full-text structure over them is database specific and lives outside Django's model layer:
SQLite: the FTS5 table ``search_fts`` (external content = this table, kept in step by triggers);
PostgreSQL: the generated ``tsv`` column with a GIN index. Both are (re)created by migration 0003.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDoc(models.Model):
    doc_type = models.CharField(max_length=16)
    doc_id = models.PositiveBigIntegerField()
    org_path = models.CharField(max_length=255, db_index=True)
    is_public = models.BooleanField(default=False)
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)  # plain original text, for snippets
    title_seg = models.TextField(blank=True)
    body_seg = models.TextField(blank=True)
    tags = models.TextField(blank=True, default="")  # visibility/filter index terms (backends.doc_tags)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    field = models.CharField(max_length=32, blank=True)
    url = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["doc_type", "doc_id"], name="search_doc_unique")]
        indexes = [models.Index(fields=["doc_type", "year"], name="search_doc_type_year_idx")]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.doc_id} {self.title}"


class SearchTerm(models.Model):
    """A domain term that segmentation keeps whole (在 GLOSSARY 之外补充). Reindex after adding terms."""

    term = models.CharField(_("term"), max_length=40, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.term
