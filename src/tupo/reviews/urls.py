from django.urls import path

from tupo.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.round_create, name="round_create"),
    path("experts/quality/", views.quality, name="quality"),
    path("experts/ties/", views.ties, name="ties"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/status/", views.round_status, name="round_status"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/chair/", views.chair, name="chair"),
    path("<int:pk>/items/", views.item_add, name="item_add"),
    path("<int:pk>/conflicts/", views.conflicts, name="conflicts"),
    path("<int:pk>/assignment/", views.assignment, name="assignment"),
    path("<int:pk>/ranking/", views.ranking, name="ranking"),
    path("<int:pk>/scores.xlsx", views.export_scores, name="export"),
    path("<int:pk>/report.docx", views.export_report, name="report"),
    path("<int:pk>/report.pdf", views.export_report, {"fmt": "pdf"}, name="report_pdf"),
    path("<int:pk>/bids/", views.bids, name="bids"),
    path("assignments/<int:pk>/reassign/", views.reassign, name="reassign"),
    path("items/<int:pk>/decide/", views.decide, name="decide"),
    path("items/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("mine/", views.mine, name="mine"),
    path("mine/profile/", views.profile, name="profile"),
    path("mine/ties/", views.tie_add, name="tie_add"),
    path("ties/<int:pk>/withdraw/", views.tie_withdraw, name="tie_withdraw"),
    path("mine/<int:pk>/", views.scorecard, name="scorecard"),
    path("mine/<int:pk>/decline/", views.decline_or_recuse, {"action": "decline"}, name="decline"),
    path("mine/<int:pk>/recuse/", views.decline_or_recuse, {"action": "recuse"}, name="recuse"),
]
