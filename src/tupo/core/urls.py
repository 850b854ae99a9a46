from django.urls import path

from tupo.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/day/", views.calendar_add_day, name="calendar_add_day"),
    path("calendar/year/", views.calendar_add_year, name="calendar_add_year"),
    path("backups/", views.backups, name="backups"),
    path("notifications/", views.notifications, name="notifications"),
]
