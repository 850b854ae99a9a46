"""Forms of the expert review; they only collect input, services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tupo.orgs.models import Organization
from tupo.reviews.choices import Decision, TieKind
from tupo.reviews.models import ExpertProfile, ReviewRound

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(forms.ModelForm):
    org = forms.ModelChoiceField(Organization.objects.none(), label=_("Organized by"))
    criteria = forms.CharField(
        label=_("Criteria"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line: name | weight | score levels. Weights add up to 100."),
        initial="创新性 | 30 | 0-3 一般，4-7 较好，8-10 突出\n实效性 | 30 |\n重要性 | 20 |\n可推广性 | 20 |",
    )

    class Meta:
        model = ReviewRound
        fields = ["title", "org", "blind", "scale_max", "reviews_per_item", "min_load", "max_load", "start_date",
                  "workdays", "aggregation", "funded_count", "bidding", "bid_bonus", "bid_penalty"]
        widgets = {"start_date": DATE}

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs if orgs is not None else Organization.objects.none()
        for name in ("bid_bonus", "bid_penalty"):  # only read when bidding is on: empty means the default
            self.fields[name].required = False

    def _bid_number(self, name):
        value = self.cleaned_data.get(name)
        return ReviewRound._meta.get_field(name).default if value is None else value

    def clean_bid_bonus(self):
        return self._bid_number("bid_bonus")

    def clean_bid_penalty(self):
        return self._bid_number("bid_penalty")

    def criteria_list(self) -> list[dict]:
        out = []
        for line in (self.cleaned_data.get("criteria") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            out.append({"name": parts[0], "weight": parts[1] if len(parts) > 1 else "",
                        "anchors": parts[2] if len(parts) > 2 else ""})
        return out


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    org = forms.ModelChoiceField(Organization.objects.none(), label=_("Submitting organization"))
    text = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    subject_type = forms.CharField(label=_("Subject type"), required=False, max_length=40)
    subject_id = forms.IntegerField(label=_("Subject id"), required=False, min_value=1)

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs if orgs is not None else Organization.objects.none()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReassignForm(forms.Form):
    expert = forms.TypedChoiceField(label=_("New expert"), coerce=int, choices=())
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, experts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].choices = [(u.pk, str(u)) for u in experts]


class ChairForm(forms.Form):
    chair = forms.TypedChoiceField(label=_("Panel chair"), coerce=int, empty_value=None, required=False, choices=())
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].choices = [("", _("No chair: department administrators decide"))] + [
            (u.pk, str(u)) for u in candidates]


class TieFilterForm(forms.Form):
    SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})

    expert = forms.TypedChoiceField(label=_("Expert"), coerce=int, empty_value=None, required=False, choices=(),
                                    widget=SELECT)
    kind = forms.ChoiceField(label=_("Kind of tie"), required=False, widget=SELECT,
                             choices=[("", _("All kinds"))] + list(TieKind.choices))
    state = forms.ChoiceField(label=_("State"), required=False, widget=SELECT, choices=[
        ("", _("Declared and withdrawn")), ("active", _("Declared (in force)")), ("withdrawn", _("Withdrawn"))])

    def __init__(self, *args, experts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].choices = [("", _("All experts"))] + [(u.pk, str(u)) for u in experts]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = ExpertProfile
        fields = ["fields", "keywords", "profile", "available", "max_load"]


class ScorecardForm(forms.Form):
    """One score (and comment) field per criterion, then the opinion and the confidence."""

    def __init__(self, *args, criteria=(), scale_max=10, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.DecimalField(
                label=f"{c.name} ({c.weight}%)", required=False, help_text=c.anchors,
                widget=forms.NumberInput(attrs={"step": "0.5", "min": 0, "max": scale_max}))
            self.fields[f"comment_{c.pk}"] = forms.CharField(label=_("Comment"), required=False, max_length=500)
        self.fields["opinion"] = forms.CharField(label=_("Opinion"), required=False,
                                                 widget=forms.Textarea(attrs={"rows": 4}))
        self.fields["confidence"] = forms.TypedChoiceField(
            label=_("Confidence"), required=False, coerce=int, empty_value=None,
            choices=[("", "—")] + [(n, str(n)) for n in range(1, 6)],
            help_text=_("1 = outside my field, 5 = my core expertise."))

    def payload(self) -> dict:
        d = self.cleaned_data
        return {
            "scores": {c.pk: d.get(f"score_{c.pk}") for c in self.criteria if d.get(f"score_{c.pk}") is not None},
            "comments": {c.pk: d.get(f"comment_{c.pk}", "") for c in self.criteria},
            "opinion": d.get("opinion", ""),
            "confidence": d.get("confidence"),
        }


class TieForm(forms.Form):
    """A declared tie: to a person (by ID number) or an organization (by code)."""

    kind = forms.ChoiceField(label=_("Kind of tie"), choices=TieKind.choices)
    id_number = forms.CharField(label=_("ID number of the person"), max_length=18, required=False)
    org_code = forms.CharField(label=_("or code of the organization"), max_length=32, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if bool((data.get("id_number") or "").strip()) == bool((data.get("org_code") or "").strip()):
            raise forms.ValidationError(_("Give either a person's ID number or an organization's code."))
        return data
