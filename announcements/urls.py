from django.urls import path

from . import views

urlpatterns = [
    path("past-results/", views.past_results_page, name="past_results"),
    path("past-results/<slug:table>.csv", views.past_results_csv, name="past_results_csv"),
]
