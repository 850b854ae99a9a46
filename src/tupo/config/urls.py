from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from tupo.config.api import api
from tupo.core import views as core_views

urlpatterns = [
    path("", include("tupo.core.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("tupo.accounts.urls")),
    path("orgs/", include("tupo.orgs.urls")),
    path("topics/", include("tupo.topics.urls")),
    path("projects/", include("tupo.projects.urls")),
    path("reviews/", include("tupo.reviews.urls")),
    path("awards/", include("tupo.awards.urls")),
    path("analytics/", include("tupo.analytics.urls")),
    path("cases/", include("tupo.cases.urls")),
    path("meetings/", include("tupo.meetings.urls")),
    path("search/", include("tupo.search.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
]
