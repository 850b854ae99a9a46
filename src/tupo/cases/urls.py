from django.urls import path

from tupo.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/transition/", views.case_transition, name="transition"),
    path("<int:pk>/files/", views.case_upload, name="upload"),
    path("<int:pk>/files/<int:file_id>/", views.case_file, name="file"),
    path("<int:pk>/adopt/", views.case_adopt, name="adopt"),
    path("<int:pk>/report/", views.case_report, name="report"),
    path("adoptions/", views.adoption_list, name="adoptions"),
    path("brands/", views.brand_list, name="brands"),
    path("brands/new/", views.brand_create, name="brand_create"),
    path("brands/<int:pk>/", views.brand_detail, name="brand"),
    path("brands/<int:pk>/transition/", views.brand_transition, name="brand_transition"),
    path("brands/<int:pk>/logo/", views.brand_logo, name="brand_logo"),
    path("brands/<int:pk>/cases/", views.brand_link_case, name="brand_link_case"),
    path("brands/<int:pk>/cases/<int:case_id>/unlink/", views.brand_unlink_case, name="brand_unlink_case"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
