from django.urls import path, re_path

from . import national, views

urlpatterns = [
    path("past-results/", views.past_results_page, name="past_results"),
    path("past-results/<slug:table>.csv", views.past_results_csv, name="past_results_csv"),
    # notices and the staff dashboard
    path("staff/", views.staff_dashboard, name="staff_dashboard"),
    re_path(
        r"^staff/follow-up\.(?P<fmt>csv|xlsx)$",
        views.staff_follow_up_export,
        name="staff_follow_up_export",
    ),
    re_path(
        r"^staff/funnel\.(?P<fmt>csv|xlsx)$", views.staff_funnel_export, name="staff_funnel_export"
    ),
    path("staff/reminders/", views.staff_reminders_send, name="staff_reminders_send"),
    path(
        "reminders/stop/<str:token>/", views.deadline_reminders_stop, name="deadline_reminders_stop"
    ),
    path("staff/notices/", views.staff_notice_list, name="staff_notice_list"),
    path(
        "staff/notices/from-template/<int:template_id>/",
        national.staff_notice_from_template,
        name="staff_notice_from_template",
    ),
    # the Japan Medical Association: counts per prefecture, templates for every association
    path("national/", national.national_dashboard, name="national_dashboard"),
    path("national/funnel.csv", national.national_export, name="national_export"),
    path("national/templates/new/", national.national_template_new, name="national_template_new"),
    path(
        "national/templates/<int:template_id>/publish/",
        national.national_template_publish,
        name="national_template_publish",
    ),
    path("staff/notices/new/", views.staff_notice_new, name="staff_notice_new"),
    path("staff/notices/<int:publication_id>/", views.staff_notice, name="staff_notice"),
    path(
        "staff/notices/<int:publication_id>/edit/",
        views.staff_notice_edit,
        name="staff_notice_edit",
    ),
    path(
        "staff/notices/<int:publication_id>/attachments/",
        views.staff_notice_attach,
        name="staff_notice_attach",
    ),
    path(
        "staff/notices/<int:publication_id>/attachments/<int:attachment_id>/delete/",
        views.staff_notice_detach,
        name="staff_notice_detach",
    ),
    path(
        "staff/notices/<int:publication_id>/publish/",
        views.staff_notice_publish,
        name="staff_notice_publish",
    ),
    path(
        "staff/notices/<int:publication_id>/withdraw/",
        views.staff_notice_withdraw,
        name="staff_notice_withdraw",
    ),
    path(
        "staff/notices/<int:publication_id>/resend/",
        views.staff_notice_resend,
        name="staff_notice_resend",
    ),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:publication_id>/", views.notice_detail, name="notice_detail"),
    path(
        "notices/<int:publication_id>/attachments/<int:attachment_id>/",
        views.notice_attachment,
        name="notice_attachment",
    ),
]
