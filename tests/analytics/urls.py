"""The project's URLconf plus the analytics pages (until the project URLconf includes them)."""

from django.urls import include, path

from tupo.config.urls import urlpatterns as project_urlpatterns

urlpatterns = [p for p in project_urlpatterns if getattr(p, "namespace", None) != "analytics"] + [
    path("analytics/", include("tupo.analytics.urls")),
]
