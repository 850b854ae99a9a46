from django.urls import path

from tupo.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("calendar.ics", views.ics_export, name="ics_month"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/meeting.ics", views.ics_export, name="ics"),
    path("<int:pk>/attendance.xlsx", views.attendance_export, name="attendance_export"),
    path("<int:pk>/sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("<int:pk>/sign-in-manual/", views.sign_in_manual, name="sign_in_manual"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/materials/", views.material_upload, name="material_upload"),
    path("<int:pk>/materials/<int:file_id>/", views.material_download, name="material"),
    path("<int:pk>/materials/<int:file_id>/remove/", views.material_remove, name="material_remove"),
    path("<int:pk>/invitees/search/", views.invitee_search, name="invitee_search"),
    path("<int:pk>/invitees/", views.invite, name="invite"),
    path("<int:pk>/invitees/remove/", views.uninvite, name="uninvite"),
    path("<int:pk>/actions/", views.action_add, name="action_add"),
    path("<int:pk>/actions/<int:action_id>/status/", views.action_status, name="action_status"),
]
