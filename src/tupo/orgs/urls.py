from django.urls import path

from tupo.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree_view, name="tree"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/new-child/", views.add_child, name="add_child"),
    path("<int:pk>/export/", views.export_orgs, name="export"),
    path("<int:pk>/people/new/", views.person_create, name="person_create"),
    path("<int:pk>/posts/new/", views.post_assign, name="post_assign"),
    path("<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("posts/<int:pk>/end/", views.post_end, name="post_end"),
    path("dashboard/", views.dashboard_home, name="dashboard_home"),
    path("people/", views.people, name="people"),
    path("people/export/", views.export_people, name="people_export"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/transfer/", views.person_transfer, name="person_transfer"),
    path("people/<int:pk>/status/", views.person_status, name="person_status"),
    path("import/", views.import_view, name="import"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="import_template"),
    path("import/report/<str:token>.xlsx", views.import_report, name="import_report"),
]
