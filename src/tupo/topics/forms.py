"""Forms of the bidding pages: they only shape input; every rule is checked by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tupo.topics.choices import OutputForm, Tier
from tupo.topics.models import Topic

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    bottleneck = forms.CharField(label=_("The real bottleneck"), widget=forms.Textarea(attrs={"rows": 3}))
    expected_result = forms.CharField(label=_("Expected result"), widget=forms.Textarea(attrs={"rows": 3}))


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    background = forms.CharField(label=_("Background"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    output_form = forms.ChoiceField(label=_("Expected output form"), choices=OutputForm.choices)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    funding = forms.DecimalField(label=_("Funding (yuan)"), min_value=0, decimal_places=2)
    duration_months = forms.IntegerField(label=_("Expected duration (months)"), min_value=1, max_value=60, initial=12)


class CallForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    description = forms.CharField(label=_("Notice text"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    topics = forms.ModelMultipleChoiceField(label=_("Topics"), queryset=Topic.objects.none(),
                                            widget=forms.CheckboxSelectMultiple)
    deadline = forms.DateField(label=_("Deadline (last day)"), widget=DATE, required=False)
    deadline_workdays = forms.IntegerField(label=_("…or working days after publication"), min_value=1,
                                           max_value=60, required=False)
    max_principal_age = forms.IntegerField(label=_("Highest age of the principal"), min_value=18, required=False)
    min_service_years = forms.IntegerField(label=_("Fewest years of service"), min_value=0, required=False)
    team_min = forms.IntegerField(label=_("Smallest team"), min_value=1, initial=1)
    team_max = forms.IntegerField(label=_("Largest team"), min_value=1, initial=5)
    one_bid_per_person = forms.BooleanField(label=_("A person leads or joins one bid per call"), required=False,
                                            initial=True)
    max_bids_per_org = forms.IntegerField(label=_("Most bids per organization"), min_value=1, required=False)
    block_unfinished = forms.BooleanField(label=_("No bid from a principal with an unfinished earlier project"),
                                          required=False, initial=True)
    awards_per_topic = forms.IntegerField(label=_("Bids awarded per topic"), min_value=1, initial=1)
    criteria = forms.CharField(label=_("Review criteria"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                               initial="Innovation: 40\nFeasibility: 30\nValue for practice: 30",
                               help_text=_("One per line: name: weight. Weights add up to 100."))

    def __init__(self, *args, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = topics if topics is not None else Topic.objects.none()

    def clean(self):
        cd = super().clean()
        if not cd.get("deadline") and not cd.get("deadline_workdays"):
            self.add_error("deadline", _("Give the deadline as a date or as working days."))
        return cd

    def criteria_list(self) -> list[dict]:
        out = []
        for line in (self.cleaned_data.get("criteria") or "").splitlines():
            if not line.strip():
                continue
            name, _sep, weight = line.rpartition(":")
            out.append({"name": name.strip() or weight.strip(), "weight": weight.strip() if name else 0})
        return out


MILESTONE_ROWS = 6
BUDGET_ROWS = 6


class BidForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    angle = forms.CharField(label=_("Angle"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    outline = forms.CharField(label=_("Research outline"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    method = forms.CharField(label=_("Method"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    expected_outputs = forms.CharField(label=_("Expected outputs"), widget=forms.Textarea(attrs={"rows": 2}),
                                       required=False)
    total_budget = forms.DecimalField(label=_("Total budget (yuan)"), min_value=0, decimal_places=2)
    service_years = forms.IntegerField(label=_("Your years of Party-building work"), min_value=0, required=False,
                                       help_text=_("Leave empty to count from the date of joining the Party."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def rows_from_post(data, prefix: str, fields: tuple[str, ...], n: int) -> list[dict]:
    """Repeated rows named prefix-0-field … prefix-(n-1)-field; blank rows are dropped by the service."""
    return [{f: (data.get(f"{prefix}-{i}-{f}") or "").strip() for f in fields} for i in range(n)]


class InviteForm(forms.Form):
    id_number = forms.CharField(label=_("ID number of the person to invite"), max_length=18)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
