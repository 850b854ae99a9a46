from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tupo.awards.choices import ABSTRACT_MAX, AttachmentKind, ObjectionChannel, ObjectionOutcome
from tupo.awards.models import Nomination

DATE = forms.DateInput(attrs={"type": "date"})


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    approval_ref = forms.CharField(label=_("Approval reference (批准文号)"), max_length=80)
    approving_body = forms.CharField(label=_("Approving body"), max_length=120)
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=120, required=False)
    categories = forms.CharField(label=_("Categories"), widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("One per line."))
    grades = forms.CharField(label=_("Grades and quotas"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("One per line: name, quota (e.g. 一等奖, 2)."))
    criteria = forms.CharField(label=_("Criteria and weights"), widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("One per line: name, weight; weights sum to 100."))
    apply_start = forms.DateField(label=_("Applications from"), widget=DATE)
    apply_end = forms.DateField(label=_("Applications until"), widget=DATE)
    notice_workdays = forms.IntegerField(label=_("Notice period (working days)"), initial=5, min_value=1)
    max_per_org = forms.IntegerField(label=_("Most nominations per organization"), initial=1, min_value=1)
    required_materials = forms.CharField(label=_("Required materials"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))

    def to_data(self) -> dict:
        d = dict(self.cleaned_data)
        d["categories"] = _lines(d["categories"])
        grades = []
        for n, line in enumerate(_lines(d["grades"]), start=1):
            name, _sep, quota = line.replace("，", ",").rpartition(",")
            grades.append({"code": f"g{n}", "name": name.strip() or quota.strip(), "quota": quota.strip()})
        d["grades"] = grades
        crit = []
        for line in _lines(d["criteria"]):
            name, _sep, weight = line.replace("，", ",").rpartition(",")
            crit.append({"name": name.strip(), "weight": weight.strip() if weight.strip().isdigit() else 0})
        d["criteria"] = crit
        return d


class NominateForm(forms.Form):
    org = forms.ModelChoiceField(label=_("Nominating organization"), queryset=None)
    category = forms.ChoiceField(label=_("Category"))
    title = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args, orgs=None, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.fields["category"].choices = [(c, c) for c in categories]


class CaseTextForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Nomination
        fields = ("title", "abstract", "background", "practice", "results", "discussion", "appendix")
        widgets = {k: forms.Textarea(attrs={"rows": 4}) for k in
                   ("background", "practice", "results", "discussion", "appendix")}
        widgets["abstract"] = forms.Textarea(attrs={"rows": 4, "maxlength": ABSTRACT_MAX})
        help_texts = {"abstract": _("At most 1,500 characters.")}


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("File"))


class ScreenForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("Result"), coerce=lambda v: v == "1",
                                    choices=[("1", _("Pass")), ("0", _("Fail"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Time"), widget=forms.DateTimeInput(attrs={
        "type": "datetime-local", "aria-label": _("Time")}))
    panel = forms.ModelMultipleChoiceField(label=_("Panel"), queryset=None, widget=forms.SelectMultiple(attrs={
        "aria-label": _("Panel"), "size": 4}))

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = users


class ScoreForm(forms.Form):
    value = forms.DecimalField(label=_("Score (0–100)"), min_value=0, max_value=100, decimal_places=2,
                               widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}))


class InspectionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date", "aria-label": _("Date")}))
    inspectors = forms.CharField(label=_("Inspectors"), max_length=200, widget=forms.TextInput(attrs={
        "placeholder": _("Inspectors"), "aria-label": _("Inspectors")}))
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={
        "rows": 2, "placeholder": _("Findings"), "aria-label": _("Findings")}))


class DecideForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), required=False)

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", _("Not awarded"))] + [(g["code"], g["name"]) for g in grades]


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 5}))
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=120)
    issue_date = forms.DateField(label=_("Issue date"), widget=DATE)
    objection_contact = forms.CharField(label=_("How to object"), widget=forms.Textarea(attrs={"rows": 3}))
    correction_note = forms.CharField(label=_("What this version corrects"), required=False, max_length=300)


class PublicObjectionForm(forms.Form):
    nomination = forms.TypedChoiceField(label=_("Entry objected to"), coerce=int, required=False, empty_value=None)
    name = forms.CharField(label=_("Real name"), max_length=60, required=False)
    contact = forms.CharField(label=_("Phone or address"), max_length=120, required=False)
    content = forms.CharField(label=_("Objection"), widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nomination"].choices = [("", "—")] + [(e["nomination"], f"{e['org']}《{e['title']}》")
                                                           for e in entries]


class RecordObjectionForm(PublicObjectionForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=ObjectionChannel.choices)
    anonymous = forms.BooleanField(label=_("Anonymous (recorded as such, handled per policy)"), required=False)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    postmark_on = forms.DateField(label=_("Postmark date (letters)"), widget=DATE, required=False)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[c for c in ObjectionOutcome.choices if c[0]])
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 2}))
    reply_on = forms.DateField(label=_("Reply date"), widget=DATE, required=False)
    withdraw = forms.BooleanField(label=_("Withdraw the entry"), required=False)
    promote = forms.ModelChoiceField(label=_("Promote instead"), queryset=None, required=False)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["promote"].queryset = candidates if candidates is not None else Nomination.objects.none()


class VoteSettingsForm(forms.Form):
    vote_enabled = forms.BooleanField(label=_("Hold an online vote of the members"), required=False)
    vote_weight = forms.IntegerField(label=_("Weight of the vote (%)"), min_value=0, max_value=100, initial=0,
                                     help_text=_("0 keeps the expert ranking unchanged."))
    vote_start = forms.DateField(label=_("Voting from"), widget=DATE, required=False)
    vote_end = forms.DateField(label=_("Voting until"), widget=DATE, required=False)
    vote_max_choices = forms.IntegerField(label=_("Entries per ballot (at most)"), min_value=1, initial=1)


class BallotForm(forms.Form):
    category = forms.CharField(widget=forms.HiddenInput)
    nominations = forms.MultipleChoiceField(label=_("Entries"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominations"].choices = [(str(n.pk), f"{n.org.name}《{n.title}》") for n in entries]


class HandlerForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=None)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = staff
