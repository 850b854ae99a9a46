from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import Role
from tupo.accounts.models import SecurityPolicy, User


class LoginForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class OtpForm(forms.Form):
    token = forms.CharField(label=_("Six-digit code from your authenticator app"), max_length=6, min_length=6,
                            widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "one-time-code"}))


class PasswordForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, help_text=password_validators_help_text_html)
    new_password_again = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self):
        cd = super().clean()
        if cd.get("new_password") and cd.get("new_password") != cd.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return cd


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)


class UserCreateForm(forms.Form):
    username = forms.RegexField(label=_("User name"), regex=r"^[\w.@+-]+$", max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=60)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput,
                               help_text=_("The user must change it at first login."))


class ResetPasswordForm(forms.Form):
    password = forms.CharField(label=_("New initial password"), widget=forms.PasswordInput)


class GrantForm(forms.Form):
    username = forms.CharField(label=_("User name"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    org_code = forms.CharField(label=_("Organization code"), required=False,
                               help_text=_("Leave empty for the system, security and audit administrators."))

    def clean_username(self):
        user = User.objects.filter(username=self.cleaned_data["username"]).first()
        if user is None:
            raise forms.ValidationError(_("No such user."))
        return user

    def clean_org_code(self):
        from tupo.orgs.models import Organization

        code = self.cleaned_data["org_code"].strip()
        if not code:
            return None
        org = Organization.objects.filter(code=code).first()
        if org is None:
            raise forms.ValidationError(_("No organization has this code."))
        return org


class PolicyForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = SecurityPolicy
        fields = ["min_length", "min_classes", "max_age_days", "history_count", "lockout_failures",
                  "lockout_minutes", "idle_minutes", "require_2fa_for_all"]


class UnlockForm(forms.Form):
    username = forms.CharField(label=_("User name"))
