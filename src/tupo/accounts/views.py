"""Login (password, then the second factor), password, two-factor set-up, tokens, and the admin pages."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tupo.accounts import services
from tupo.accounts.choices import Role
from tupo.accounts.forms import (
    GrantForm,
    LoginForm,
    OtpForm,
    PasswordForm,
    PolicyForm,
    ResetPasswordForm,
    TokenForm,
    UnlockForm,
    UserCreateForm,
)
from tupo.accounts.models import RoleGrant, SecurityPolicy, User
from tupo.core import audit
from tupo.core.choices import AuditResult

PENDING = "tupo_pending_user"


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


def locked_out(request, response=None, credentials=None, *args, **kwargs):
    policy = SecurityPolicy.current()
    return render(request, "accounts/locked.html", {"minutes": policy.lockout_minutes}, status=429)


def login_view(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if hasattr(request, "axes_locked_out") and request.axes_locked_out:
            return locked_out(request)
        if user is None:
            form.add_error(None, _("Wrong user name or password."))
        else:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                login(request, user)
                return redirect(_next(request))
            request.session[PENDING] = {"user": user.pk, "backend": user.backend, "tries": 0}
            return redirect(f"{_otp_url()}?next={_next(request)}")
    return render(request, "accounts/login.html", {"form": form, "next": _next(request)})


def _otp_url():
    from django.urls import reverse

    return reverse("accounts:otp_verify")


def otp_verify(request):
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("accounts:login")
    user = get_object_or_404(User, pk=pending["user"], is_active=True)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        allowed, data = device.verify_is_allowed() if device else (True, None)
        if not allowed:
            from django.utils import timezone

            wait = max(1, int((data["locked_until"] - timezone.now()).total_seconds() + 0.999))
            form.add_error("token", _("Too many wrong codes: wait %(n)d seconds, then enter the code shown at that moment.") % {"n": wait})
            return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})
        if device and device.verify_token(form.cleaned_data["token"]):
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(_next(request))
        pending["tries"] += 1
        request.session[PENDING] = pending
        audit.record("auth.otp_failed", actor=user, obj=user, result=AuditResult.FAILURE)
        if pending["tries"] >= 5:
            del request.session[PENDING]
            messages.error(request, _("Too many wrong codes. Log in again."))
            return redirect("accounts:login")
        form.add_error("token", _("The code is wrong or has expired."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@login_required
def password_view(request):
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_password(request.user, request.user, form.cleaned_data["new_password"],
                                  old_password=form.cleaned_data["old_password"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errs in exc.error_dict.items():
                    form.add_error(field if field in form.fields else "new_password", errs)
            else:
                form.add_error("new_password", exc.messages)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("core:home")
    return render(request, "accounts/password.html", {"form": form, "expired": services.password_expired(request.user)})


@login_required
def otp_setup(request):
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and request.method == "GET":
        return render(request, "accounts/otp_setup.html", {"enabled": True, "required": services.requires_second_factor(user)})
    pending = services.pending_totp_device(user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp(user, pending, form.cleaned_data["token"]):
            otp_login(request, pending)
            messages.success(request, _("Two-factor login is on."))
            return redirect("core:home")
        form.add_error("token", _("The code is wrong or has expired."))
    qr_svg = segno.make(pending.config_url, error="m").svg_inline(scale=4)
    import base64

    secret = base64.b32encode(pending.bin_key).decode()
    return render(request, "accounts/otp_setup.html", {
        "form": form, "qr_svg": qr_svg, "secret": secret, "required": services.requires_second_factor(user),
    })


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.create_token(request.user, request.user, name=form.cleaned_data["name"],
                                                days=form.cleaned_data["days"])
        form = TokenForm()
    return render(request, "accounts/tokens.html", {
        "form": form, "new_key": new_key, "tokens": request.user.api_tokens.all()[:50],
    })


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.revoke_token(request.user, token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")


# --- system administrator: accounts -----------------------------------------------------------------------

def _only(request, role):
    if role not in request.user.roles:
        raise Http404


@login_required
def users(request):
    _only(request, Role.SYSTEM_ADMIN)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_user(request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("password" if not hasattr(exc, "error_dict") else None, exc)
        else:
            messages.success(request, _("Account created."))
            return redirect("accounts:users")
    q = request.GET.get("q", "").strip()
    qs = User.objects.order_by("username").prefetch_related("role_grants__org")
    if q:
        qs = qs.filter(username__icontains=q) | qs.filter(display_name__icontains=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"form": form, "page": page, "q": q})


@login_required
@require_POST
def user_active(request, pk: int):
    _only(request, Role.SYSTEM_ADMIN)
    user = get_object_or_404(User, pk=pk)
    try:
        services.set_active(request.user, user, request.POST.get("active") == "1")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:users")


@login_required
@require_POST
def user_reset_password(request, pk: int):
    _only(request, Role.SYSTEM_ADMIN)
    user = get_object_or_404(User, pk=pk)
    form = ResetPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.set_password(request.user, user, form.cleaned_data["password"])
            messages.success(request, _("Password reset; the user must change it at next login."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("accounts:users")


# --- security administrator: roles, policy, lockouts ------------------------------------------------------

@login_required
def grants(request):
    _only(request, Role.SECURITY_ADMIN)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.grant_role(request.user, cd["username"], cd["role"], cd["org_code"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Role granted."))
            return redirect("accounts:grants")
    qs = RoleGrant.objects.select_related("user", "org", "granted_by").order_by("user__username", "role")
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(user__username__icontains=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/grants.html", {"form": form, "page": page})


@login_required
@require_POST
def grant_revoke(request, pk: int):
    _only(request, Role.SECURITY_ADMIN)
    grant = get_object_or_404(RoleGrant, pk=pk)
    services.revoke_role(request.user, grant)
    messages.success(request, _("Role revoked."))
    return redirect("accounts:grants")


@login_required
def policy(request):
    _only(request, Role.SECURITY_ADMIN)
    current = SecurityPolicy.current()
    form = PolicyForm(request.POST or None, instance=current, initial={"version": current.version})
    unlock_form = UnlockForm()
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.POLICY_FIELDS}
        try:
            services.update_policy(request.user, data, expected_version=form.cleaned_data["version"])
        except services.ConcurrentEditError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Security policy saved."))
            return redirect("accounts:policy")
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.order_by("-attempt_time")[:50]
    return render(request, "accounts/policy.html", {"form": form, "unlock_form": unlock_form, "attempts": attempts})


@login_required
@require_POST
def unlock(request):
    _only(request, Role.SECURITY_ADMIN)
    form = UnlockForm(request.POST)
    if form.is_valid():
        services.unlock(request.user, form.cleaned_data["username"])
        messages.success(request, _("Account unlocked."))
    return redirect("accounts:policy")
