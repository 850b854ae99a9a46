from django.urls import path

from tupo.awards import views

app_name = "awards"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.cycle_new, name="cycle_new"),
    path("<int:pk>/", views.cycle_detail, name="cycle"),
    path("<int:pk>/status/", views.cycle_status, name="cycle_status"),
    path("<int:pk>/shortlist/", views.shortlist, name="shortlist"),
    path("<int:pk>/notice/", views.notice_save, name="notice_save"),
    path("<int:pk>/objections/new/", views.objection_record, name="objection_record"),
    path("<int:pk>/to-cases/", views.to_cases, name="to_cases"),
    path("<int:pk>/commendation.<str:fmt>", views.commendation, name="commendation"),
    path("<int:pk>/vote-settings/", views.vote_settings, name="vote_settings"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("votes/", views.votes, name="votes"),
    path("objections/mine/", views.objections_mine, name="objections_mine"),
    path("objections/<int:pk>/", views.objection_detail, name="objection"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("notices/<int:pk>/publish/", views.notice_publish, name="notice_publish"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("nominations/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("nominations/<int:pk>/<str:action>/", views.nomination_action, name="nomination_action"),
    path("mine/", views.mine, name="mine"),
    path("panel/", views.panel, name="panel"),
    path("panel/<int:pk>/", views.score, name="score"),
    # Public (no login)
    path("public/<int:pk>/notice/", views.public_notice, name="public_notice"),
    path("public/<int:pk>/notice/v<int:version>/", views.public_notice, name="public_notice_version"),
    path("public/<int:pk>/notice/v<int:version>.<str:fmt>", views.public_notice_file, name="public_notice_file"),
    path("public/<int:pk>/object/", views.public_objection, name="public_objection"),
    path("public/<int:pk>/results/", views.public_results, name="public_results"),
    path("public/receipt/", views.public_receipt, name="public_receipt"),
    path("public/verify/", views.verify, name="verify"),
]
