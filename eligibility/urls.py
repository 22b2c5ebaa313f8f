from django.urls import path

from . import rules_views, views

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
    path(
        "screenings/<int:screening_id>/stage/<slug:frame_code>/",
        views.screening_stage,
        name="screening_stage",
    ),
    path("screenings/<int:screening_id>/rename/", views.screening_rename, name="screening_rename"),
    path(
        "screenings/<int:screening_id>/new-round-notice/",
        views.screening_new_round_notice,
        name="screening_new_round_notice",
    ),
    path(
        "screenings/<int:screening_id>/<slug:step>/preview/",
        views.wizard_preview,
        name="wizard_preview",
    ),
    path("screenings/<int:screening_id>/<slug:step>/", views.wizard_step, name="wizard_step"),
    # rule administration (rule administrators only)
    path("rules/admin/", rules_views.versions, name="rules_admin"),
    path("rules/admin/clone/", rules_views.version_clone, name="rules_admin_clone"),
    path("rules/admin/import/", rules_views.version_import, name="rules_admin_import"),
    path("rules/admin/<int:version_id>/", rules_views.version_detail, name="rules_admin_version"),
    path(
        "rules/admin/<int:version_id>/edit/<slug:section>/",
        rules_views.version_section,
        name="rules_admin_section",
    ),
    path(
        "rules/admin/<int:version_id>/impact/",
        rules_views.version_impact,
        name="rules_admin_impact",
    ),
    path(
        "rules/admin/<int:version_id>/delete/",
        rules_views.version_delete,
        name="rules_admin_delete",
    ),
    path(
        "rules/admin/<int:version_id>/publish/",
        rules_views.version_publish,
        name="rules_admin_publish",
    ),
    path(
        "rules/admin/<int:version_id>/rescreen/",
        rules_views.version_rescreen,
        name="rules_admin_rescreen",
    ),
    path(
        "rules/admin/<int:version_id>/export/",
        rules_views.version_export,
        name="rules_admin_export",
    ),
]
