from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tupo.analytics import indicators, queries
from tupo.analytics.models import Orientation, Population, Rts
from tupo.analytics.services import MAX_DEPTH


def _ordered_choices(found: dict, kind: str, note=lambda ind: ""):
    """Indicator choices with those usually on this side first; the others say which side they usually are."""
    first = [i for i in found.values() if i.kind == kind]
    rest = [i for i in found.values() if i.kind != kind]
    out = []
    for ind in first + rest:
        usual = "" if ind.kind == kind else (
            " · " + str(_("usually an output") if ind.kind == indicators.OUTPUT else _("usually an input")))
        out.append((ind.key, f"{ind.label} ({ind.unit}) — {ind.help}{note(ind)}{usual}"))
    return out


def _indicator_choices(population: str, kind: str):
    return _ordered_choices(indicators.for_population(population), kind)


def _yearly_choices(kind: str):
    from tupo.analytics import yearly

    return _ordered_choices(yearly.registry(), kind, lambda ind: "" if ind.dated else " · " + str(
        _("head-count: only years whose snapshot was taken in the year")))


class _UnitsForm(forms.Form):
    """What every analysis asks: a title, the root organization, how deep its units lie, inputs and outputs."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Optional; a title is made from the parameters otherwise."))
    root_org = forms.TypedChoiceField(label=_("Root organization"), coerce=int)
    depth = forms.TypedChoiceField(
        label=_("Units"), coerce=int,
        choices=[(n, _("%(n)s level(s) below the root") % {"n": n}) for n in range(1, MAX_DEPTH + 1)],
        help_text=_("1 = its direct sub-organizations (e.g. the townships of a county). Each unit counts its "
                    "whole subtree."))
    inputs = forms.MultipleChoiceField(
        label=_("Inputs (what is put in)"), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Resources used: less is better for the same results."))
    outputs = forms.MultipleChoiceField(
        label=_("Outputs (what comes out)"), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Results obtained: more is better for the same resources."))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roots = queries.root_choices(user)
        top = min((o.depth for o in roots), default=1)
        self.fields["root_org"].choices = [(o.pk, "\u3000" * (o.depth - top) + o.name) for o in roots]


class RunForm(_UnitsForm):
    field_order = ["population", "title", "root_org", "depth", "call_id", "year", "inputs", "outputs"]
    population = forms.ChoiceField(choices=Population.choices, widget=forms.HiddenInput)
    call_id = forms.TypedChoiceField(label=_("Call"), coerce=int, required=False, empty_value=None)
    year = forms.IntegerField(label=_("Year the projects started"), required=False, min_value=2000, max_value=2100)
    rts = forms.ChoiceField(
        label=_("Model"), choices=Rts.choices, initial=Rts.CRS, widget=forms.RadioSelect,
        help_text=_("Constant: a unit twice as large should achieve twice as much. Variable: large and small "
                    "units are compared with units of similar size."))
    orientation = forms.ChoiceField(
        label=_("Orientation"), choices=Orientation.choices, initial=Orientation.IN, widget=forms.RadioSelect)
    super_efficiency = forms.BooleanField(
        label=_("Rank the units on the frontier against each other (super-efficiency)"), required=False)

    def __init__(self, user, population: str, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["population"].initial = population
        self.fields["depth"].required = False
        self.fields["inputs"].choices = _indicator_choices(population, indicators.INPUT)
        self.fields["outputs"].choices = _indicator_choices(population, indicators.OUTPUT)
        if population == Population.ORGS:
            for name in ("call_id", "year"):
                del self.fields[name]
        else:
            del self.fields["depth"]
            self.fields["call_id"].choices = [("", _("Any call"))] + [
                (c.pk, f"{c.title} ({c.org.name})") for c in queries.call_choices(user)]
            self.fields["root_org"].help_text = _("Projects of calls issued by this organization or below it.")


class _AnyYearField(forms.TypedMultipleChoiceField):
    """Offers the years with figures, but lets any year through to the service, whose message says what
    is missing for it (rather than a bare "not a valid choice")."""

    def valid_value(self, value) -> bool:
        return True


class MalmquistForm(_UnitsForm):
    """Productivity change of organizations over years (Malmquist index)."""

    field_order = ["kind", "title", "root_org", "depth", "years", "inputs", "outputs"]
    kind = forms.CharField(widget=forms.HiddenInput, initial="malmquist")
    years = _AnyYearField(
        label=_("Years"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("At least two. Each year is compared with the previous one chosen."))

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.snapshots = queries.snapshots_in_scope(user)
        years = sorted({s.year for s in self.snapshots})
        self.fields["years"].choices = [(y, str(y)) for y in years]
        self.fields["inputs"].choices = _yearly_choices(indicators.INPUT)
        self.fields["outputs"].choices = _yearly_choices(indicators.OUTPUT)


class SnapshotForm(forms.Form):
    """Take this year's figures of a subtree (department administrators)."""

    root_org = forms.TypedChoiceField(label=_("Organization"), coerce=int)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roots = [o for o in queries.root_choices(user) if user.has_perm("analytics.take_snapshot", o)]
        top = min((o.depth for o in roots), default=1)
        self.fields["root_org"].choices = [(o.pk, "\u3000" * (o.depth - top) + o.name) for o in roots]
