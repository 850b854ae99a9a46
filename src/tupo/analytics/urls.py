from django.urls import path

from tupo.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.run_list, name="list"),
    path("new/", views.run_new, name="new"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="progress"),
    path("runs/<int:pk>/export/", views.run_export, name="export"),
    path("runs/<int:pk>/export/prepare/", views.run_export_prepare, name="export_prepare"),
    path("runs/<int:pk>/export/status/", views.run_export_status, name="export_status"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="cancel"),
    path("snapshots/take/", views.snapshot_take, name="snapshot"),
]
