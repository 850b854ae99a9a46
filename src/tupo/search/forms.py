from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DOC_TYPE_CHOICES = [("", _("Everything")), ("case", _("Cases")), ("brand", _("Brands")), ("meeting", _("Meetings"))]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=2000)
    type = forms.ChoiceField(label=_("Type"), choices=DOC_TYPE_CHOICES, required=False)
    org = forms.IntegerField(label=_("Organization"), required=False, widget=forms.HiddenInput)
    field = forms.CharField(label=_("Field"), required=False, max_length=32)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1949, max_value=2100)


class SearchTermForm(forms.Form):
    term = forms.CharField(label=pgettext_lazy("search dictionary", "Term"), max_length=40)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
