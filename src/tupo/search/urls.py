from django.urls import path

from tupo.search import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("terms/", views.terms_page, name="terms"),
]
