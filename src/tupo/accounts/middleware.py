"""Security policy enforced on every request: idle logout, password age, the second factor."""

from django.shortcuts import redirect
from django.urls import reverse

from tupo.accounts.models import SecurityPolicy

ALWAYS_ALLOWED = ("accounts:logout", "accounts:password", "accounts:otp_setup", "set_language", "healthz")


class SecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(("/static/", "/api/")):
            request.session.set_expiry(SecurityPolicy.current().idle_minutes * 60)
            redirect_to = self._required_step(request, user)
            if redirect_to and request.path != redirect_to and not self._allowed(request):
                return redirect(redirect_to)
        return self.get_response(request)

    @staticmethod
    def _allowed(request) -> bool:
        allowed = {reverse(name) for name in ALWAYS_ALLOWED}
        return request.path in allowed or request.path.startswith("/i18n/")

    @staticmethod
    def _required_step(request, user) -> str | None:
        from tupo.accounts.services import password_expired, requires_second_factor

        if requires_second_factor(user) and not user.is_verified():
            return reverse("accounts:otp_setup")
        if password_expired(user):
            return reverse("accounts:password")
        return None
