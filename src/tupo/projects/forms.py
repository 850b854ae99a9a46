from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tupo.projects.choices import (
    AcceptanceKind,
    LiaisonReportKind,
    MilestoneStatus,
    OutputType,
    Rating,
    VisitForm,
)

DATE = forms.DateInput(attrs={"type": "date"})


class ProgressForm(forms.Form):
    milestone = forms.ModelChoiceField(label=_("Milestone"), queryset=None)
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    spent_to_date = forms.DecimalField(label=_("Spending to date (yuan)"), min_value=0, decimal_places=2)
    person_days = forms.DecimalField(label=_("Person-days"), min_value=0, decimal_places=1)
    status = forms.ChoiceField(label=_("Milestone status"), choices=[("", "—"), *MilestoneStatus.choices],
                               required=False)
    file = forms.FileField(label=_("Attachment (PDF, Office or image)"), required=False)

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = project.milestones.all() if project else None


class ExtensionForm(forms.Form):
    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=12)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AcceptanceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AcceptanceKind.choices)
    report = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 4}))
    spending = forms.DecimalField(label=_("Spending (yuan)"), min_value=0, decimal_places=2)
    person_days = forms.DecimalField(label=_("Person-days"), min_value=0, decimal_places=1, initial=0)
    file = forms.FileField(label=_("Attachment (PDF, Office or image)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in OutputType.choices:
            self.fields[f"out_{value}"] = forms.IntegerField(label=label, min_value=0, initial=0, required=False)

    def outputs(self) -> dict:
        return {v: self.cleaned_data.get(f"out_{v}") or 0 for v in OutputType.values}


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices)
    comments = forms.CharField(label=_("Comments"), widget=forms.Textarea(attrs={"rows": 2}))


class VisitFormForm(forms.Form):
    visited_on = forms.DateField(label=_("Date"), widget=DATE)
    duration_hours = forms.DecimalField(label=_("Duration (hours)"), min_value=0, decimal_places=1)
    form = forms.ChoiceField(label=_("Form"), choices=VisitForm.choices)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    guidance = forms.CharField(label=_("Guidance given"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


PROBLEM_ROWS = 3


class LiaisonForm(forms.Form):
    liaison = forms.ModelChoiceField(label=_("Liaison"), queryset=None)
    visits_per_quarter = forms.IntegerField(label=_("Visits per quarter"), min_value=0, initial=1)
    reports_per_half_year = forms.IntegerField(label=_("Work reports per half-year"), min_value=0, initial=1)
    research_reports_per_year = forms.IntegerField(label=_("Research reports per year"), min_value=0, initial=1)

    def __init__(self, *args, liaisons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["liaison"].queryset = liaisons


class LiaisonReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LiaisonReportKind.choices)
    text = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 3}))


class ChangeForm(forms.Form):
    description = forms.CharField(label=_("Requested change"), widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    milestone = forms.ModelChoiceField(label=_("Milestone to move"), queryset=None, required=False)
    new_due_on = forms.DateField(label=_("New due date"), widget=DATE, required=False)

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = project.milestones.all() if project else None
