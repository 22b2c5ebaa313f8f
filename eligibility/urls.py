from django.urls import path

from . import views

urlpatterns = [
    path("rules/", views.programme, name="programme"),
    path("screenings/", views.screenings, name="screenings"),
    path("screenings/<int:screening_id>/result/", views.result, name="screening_result"),
    path("screenings/<int:screening_id>/result.pdf", views.screening_pdf, name="screening_pdf"),
    path(
        "screenings/<int:screening_id>/deadlines.ics",
        views.screening_calendar,
        name="screening_calendar",
    ),
    path(
        "screenings/<int:screening_id>/compare/", views.screening_compare, name="screening_compare"
    ),
    path(
        "screenings/<int:screening_id>/recheck/", views.screening_recheck, name="screening_recheck"
    ),
    path("screenings/<int:screening_id>/rename/", views.screening_rename, name="screening_rename"),
    path(
        "screenings/<int:screening_id>/<slug:step>/preview/",
        views.wizard_preview,
        name="wizard_preview",
    ),
    path("screenings/<int:screening_id>/<slug:step>/", views.wizard_step, name="wizard_step"),
]
