"""Per-request context (user, source address) that services and the audit log read."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from django.conf import settings


@dataclass
class RequestContext:
    user: object
    ip: str | None


_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("tupo_request", default=None)


def client_ip(request) -> str | None:
    """Source address; trusts X-Forwarded-For only when TUPO_PROXY_COUNT says a proxy is in front."""
    proxies = settings.TUPO_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def current_request_context() -> RequestContext | None:
    return _context.get()


class bound_context:  # noqa: N801 - used as a context manager
    """Bind a user (and address) for code run outside a request: CLI commands, tasks, tests."""

    def __init__(self, user, ip: str | None = None):
        self.ctx = RequestContext(user=user, ip=ip)

    def __enter__(self):
        self.token = _context.set(self.ctx)
        return self.ctx

    def __exit__(self, *exc):
        _context.reset(self.token)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _context.set(RequestContext(user=request.user, ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            _context.reset(token)
