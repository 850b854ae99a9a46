from django.urls import path

from tupo.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("export/", views.portfolio_export, name="export"),
    path("problems/", views.problems, name="problems"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/files/<int:file_id>/", views.project_file, name="file"),
    path("<int:pk>/visit/", views.visit, name="visit"),
    path("<int:pk>/do/<str:name>/", views.action, name="action"),
    path("decide/<str:kind>/<int:pk>/", views.decide, name="decide"),
]
