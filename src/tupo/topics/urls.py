from django.urls import path

from tupo.topics import views

app_name = "topics"
urlpatterns = [
    path("", views.call_list, name="calls"),
    path("calls/new/", views.call_create, name="call_create"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/publish/", views.call_publish, name="call_publish"),
    path("calls/<int:pk>/attach/", views.call_attach, name="call_attach"),
    path("calls/<int:pk>/files/<int:att_id>/", views.call_attachment, name="call_attachment"),
    path("calls/<int:pk>/screening/", views.screening, name="screening"),
    path("calls/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("calls/<int:pk>/export/", views.call_export, name="call_export"),
    path("calls/<int:pk>/topics/<int:topic_id>/bid/", views.bid_create, name="bid_create"),
    path("topics/", views.topic_list, name="topics"),
    path("topics/new/", views.topic_create, name="topic_create"),
    path("proposals/new/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("bids/", views.my_bids, name="my_bids"),
    path("bids/<int:pk>/", views.bid_detail, name="bid"),
    path("bids/<int:pk>/edit/", views.bid_edit, name="bid_edit"),
    path("bids/<int:pk>/files/<int:att_id>/", views.attachment, name="attachment"),
    path("bids/<int:pk>/<str:action>/", views.bid_action, name="bid_action"),
]
