from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tupo.orgs.choices import MemberStatus, Post
from tupo.orgs.models import Organization, Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganizationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organization
        fields = ["name", "code", "org_type", "org_category", "host_unit", "host_relation", "division_code",
                  "established_on", "term_start", "term_end"]
        widgets = {"established_on": DATE, "term_start": DATE, "term_end": DATE}

    def clean_division_code(self):
        code = self.cleaned_data["division_code"].strip()
        if code and (not code.isdigit() or len(code) not in (6, 9, 12)):
            raise forms.ValidationError(_("A division code has 6, 9 or 12 digits (GB/T 2260)."))
        return code

    def clean(self):
        cd = super().clean()
        if cd.get("term_start") and cd.get("term_end") and cd["term_end"] <= cd["term_start"]:
            self.add_error("term_end", _("The term must end after it starts."))
        return cd


class PersonForm(forms.ModelForm):
    """Birth date and sex may be left empty: they are read from the ID number (and cross-checked if given)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = ["name", "id_number", "sex", "birth_date", "ethnicity", "native_place", "education", "occupation",
                  "position", "is_cadre", "joined_on", "full_member_on", "phone", "status"]
        widgets = {"birth_date": DATE, "joined_on": DATE, "full_member_on": DATE}

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sex"].required = False
        self.fields["birth_date"].required = False
        self.fields["sex"].help_text = _("Read from the ID number if left empty.")
        self.fields["birth_date"].help_text = _("Read from the ID number if left empty.")
        if editing:
            # Status changes go through their own action with a reason.
            self.fields.pop("status")
        # Uniqueness and cross-checks are the service's job (one place for form, API and import).
        self.fields["id_number"].validators = []

    def validate_unique(self):
        pass


class TransferForm(forms.Form):
    to_org_code = forms.CharField(label=_("Destination organization code"))
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=MemberStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class PostForm(forms.Form):
    person_id_number = forms.CharField(label=_("ID number of the person"), max_length=18)
    post = forms.ChoiceField(label=_("Post"), choices=Post.choices)
    started_on = forms.DateField(label=_("Started on"), widget=DATE)


class ImportForm(forms.Form):
    KIND_CHOICES = [("people", _("Members")), ("orgs", _("Organizations"))]
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=pgettext_lazy("person", "Name"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + list(MemberStatus.choices))
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
