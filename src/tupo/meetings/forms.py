from django import forms
from django.utils.translation import gettext_lazy as _

from tupo.meetings.choices import MeetingKind


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    host_org = forms.TypedChoiceField(label=_("Host organization"), coerce=int)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends at"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("Place"), max_length=200)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    cases = forms.TypedMultipleChoiceField(label=_("Cases presented"), coerce=int, required=False)
    invited_orgs = forms.TypedMultipleChoiceField(label=_("Invited organizations"), coerce=int, required=False)

    def __init__(self, *args, orgs=(), cases=(), invitable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_org"].choices = [(o.pk, o.name) for o in orgs]
        self.fields["cases"].choices = [(c.pk, c.title) for c in cases]
        self.fields["invited_orgs"].choices = [(o.pk, o.name) for o in invitable]


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
                              required=False)


class ManualSignInForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Person"), coerce=int, required=False, empty_value=None)
    name = forms.CharField(label=_("Or a name (guest)"), max_length=60, required=False)
    org_name = forms.CharField(label=_("Organization"), max_length=120, required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—")] + [(p.pk, f"{p.name} · {p.org.name}") for p in people]


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=200)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(p.pk, f"{p.name} · {p.org.name}") for p in people]


class MeetingEditForm(MeetingForm):
    """Editing keeps invitations out (the picker handles them) and carries the version the form was opened with."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["invited_orgs"]


class MinutesVersionForm(MinutesForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("Material"), help_text=_("PDF, Word, Excel, PowerPoint or an image; at most 20 MB."))


class InviteForm(forms.Form):
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)


class InviteeSearchForm(forms.Form):
    q = forms.CharField(label=_("Find an organization or a person"), max_length=50, required=False)
