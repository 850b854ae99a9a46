from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tupo.cases.choices import CaseField, CaseLevel, FileKind
from tupo.cases.models import ABSTRACT_MAX

RICH = {"rows": 5, "class": "rich"}


class CaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    org = forms.TypedChoiceField(label=_("Organization"), coerce=int)
    level = forms.ChoiceField(label=_("Level"), choices=CaseLevel.choices)
    field = forms.ChoiceField(label=_("Field"), choices=CaseField.choices)
    year = forms.IntegerField(label=_("Year"), min_value=1949, max_value=2100)
    tags = forms.CharField(label=_("Tags"), max_length=200, required=False, help_text=_("Separated by commas."))
    authors = forms.CharField(label=_("Authors"), max_length=200, required=False)
    abstract = forms.CharField(label=_("Abstract"), widget=forms.Textarea(attrs={"rows": 5}),
                               help_text=_("At most 1,500 characters."), max_length=ABSTRACT_MAX * 2)
    background = forms.CharField(label=_("Background and cause"), required=False, widget=forms.Textarea(attrs=RICH),
                                 help_text=_("Basic formatting is kept (paragraphs, bold, lists, tables, links)."))
    practice = forms.CharField(label=_("Practice and process"), required=False, widget=forms.Textarea(attrs=RICH))
    results = forms.CharField(label=_("Results and response"), required=False, widget=forms.Textarea(attrs=RICH))
    discussion = forms.CharField(label=_("Discussion"), required=False, widget=forms.Textarea(attrs=RICH))
    appendix = forms.CharField(label=_("Appendix"), required=False, widget=forms.Textarea(attrs=RICH))
    metric_name = forms.CharField(label=_("Indicator"), max_length=100, required=False)
    metric_unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    metric_before = forms.DecimalField(label=_("Before"), required=False, max_digits=14, decimal_places=2)
    metric_after = forms.DecimalField(label=_("After"), required=False, max_digits=14, decimal_places=2)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]
        self.fields["year"].initial = timezone.localdate().year

    def metrics(self):
        cd = self.cleaned_data
        if not cd.get("metric_name"):
            return None
        return [{"name": cd["metric_name"], "unit": cd.get("metric_unit", ""), "before": cd.get("metric_before"),
                 "after": cd.get("metric_after")}]


class TransitionForm(forms.Form):
    to_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FileKind.choices)
    file = forms.FileField(label=_("File"))


class AdoptForm(forms.Form):
    org = forms.TypedChoiceField(label=_("Adopting organization"), coerce=int)
    adapted = forms.CharField(label=_("What was adapted"), widget=forms.Textarea(attrs={"rows": 3}))
    started_on = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    contact = forms.CharField(label=_("Contact"), max_length=100)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]


class ReportForm(forms.Form):
    org = forms.TypedChoiceField(label=_("Reporting organization"), coerce=int)
    reported_on = forms.DateField(label=_("Report date"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("Results"), widget=forms.Textarea(attrs={"rows": 3}))
    rating = forms.TypedChoiceField(label=_("Usefulness (1–5)"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)])
    metric_name = forms.CharField(label=_("Indicator"), max_length=100, required=False)
    metric_unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    metric_before = forms.DecimalField(label=_("Before"), required=False, max_digits=14, decimal_places=2)
    metric_after = forms.DecimalField(label=_("After"), required=False, max_digits=14, decimal_places=2)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]
        self.fields["reported_on"].initial = timezone.localdate()


class BrandForm(forms.Form):
    org = forms.TypedChoiceField(label=_("Organization"), coerce=int)
    name = forms.CharField(label=_("Brand name"), max_length=100)
    level = forms.ChoiceField(label=_("Level"), choices=CaseLevel.choices, initial=CaseLevel.COUNTY)
    field = forms.ChoiceField(label=_("Field"), choices=CaseField.choices)
    year = forms.IntegerField(label=_("Year"), min_value=1949, max_value=2100)
    logo = forms.FileField(label=_("Logo"), required=False)
    meaning = forms.CharField(label=_("Meaning"), widget=forms.Textarea(attrs={"rows": 3}))
    vehicle = forms.CharField(label=_("Vehicle (载体)"), widget=forms.Textarea(attrs={"rows": 3}))
    impact = forms.CharField(label=_("Impact evidence"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    work_method = forms.CharField(label=_("Work method (工作法)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]
        self.fields["year"].initial = timezone.localdate().year


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Title contains"), required=False, max_length=100)
    field = forms.ChoiceField(label=_("Field"), choices=[("", "—")] + CaseField.choices, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—")] + CaseLevel.choices, required=False)
    status = forms.CharField(required=False, widget=forms.HiddenInput)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1949, max_value=2100)
