from django.urls import path

from . import views

urlpatterns = [
    path("rules/", views.programme, name="programme"),
]
