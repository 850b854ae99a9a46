from django import forms
from django.utils.translation import gettext_lazy as _

from tupo.core.choices import AuditResult
from tupo.core.models import WorkCalendarDay, WorkCalendarYear


class AuditSearchForm(forms.Form):
    q = forms.CharField(label=_("Object or keyword"), required=False)
    user = forms.CharField(label=_("User"), required=False)
    event_type = forms.CharField(label=_("Event type"), required=False)
    result = forms.ChoiceField(label=_("Result"), required=False, choices=[("", _("All"))] + list(AuditResult.choices))
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = WorkCalendarDay
        fields = ["date", "is_workday", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = WorkCalendarYear
        fields = ["year", "source"]


def add_service_errors(form, exc) -> None:
    """Show a service's refusal on the form that asked for it: each field's messages on that field (or on top when
    the form has no such field), and a message-only refusal on top. Used by every app's views."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
