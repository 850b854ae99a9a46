"""The JSON API at /api/v1/ (django-ninja). Routers live in their apps and call the same services."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from tupo.accounts.services import authenticate_token
from tupo.core.middleware import current_request_context
from tupo.core.services import ConcurrentEditError, InvalidTransition


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = authenticate_token(token)
        if user is None:
            return None
        request.user = user
        ctx = current_request_context()
        if ctx is not None:
            ctx.user = user
        return user


api = NinjaAPI(title="Tupo API", version="1", urls_namespace="api", auth=BearerToken(),
               docs_url="/docs", openapi_url="/openapi.json")


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "invalid", "errors": errors}, status=422)


@api.exception_handler(ConcurrentEditError)
def conflict(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(InvalidTransition)
def bad_transition(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(request, {"detail": "missing, wrong, revoked or expired token"}, status=401)


@api.get("/me", tags=["accounts"])
def me(request):
    user = request.auth
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": [{"role": g.role, "org": g.org_id} for g in user.grants],
    }


def _mount_app_routers() -> None:
    """Every Tupo app with an ``api.py`` exposing ``router`` is mounted at /api/v1/."""
    import importlib
    from importlib.util import find_spec

    from django.conf import settings

    for app in settings.INSTALLED_APPS:
        if app.startswith("tupo.") and find_spec(f"{app}.api") is not None:
            module = importlib.import_module(f"{app}.api")
            if hasattr(module, "router"):
                api.add_router("/", module.router)


_mount_app_routers()
