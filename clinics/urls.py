from django.urls import path, re_path

from . import io_views, views

urlpatterns = [
    path("clinic/profile/", views.profile, name="profile"),
    path("clinic/profile/reminders/", views.profile_reminders, name="profile_reminders"),
    path("staff/members/", views.members, name="members"),
    path("staff/members/<int:clinic_id>/edit/", views.member_edit, name="member_edit"),
    path("staff/invitations/new/", views.invitation_new, name="invitation_new"),
    path("staff/join-requests/", views.join_requests, name="join_requests"),
    path(
        "staff/join-requests/<int:request_id>/decide/",
        views.join_request_decide,
        name="join_request_decide",
    ),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("join/", views.join_request_new, name="join_request_new"),
    path("staff/members/import/", io_views.member_import, name="member_import"),
    path(
        "staff/members/import/<int:import_id>/",
        io_views.member_import_preview,
        name="member_import_preview",
    ),
    path(
        "staff/members/import/<int:import_id>/confirm/",
        io_views.member_import_confirm,
        name="member_import_confirm",
    ),
    path(
        "staff/members/import/<int:import_id>/invite/",
        io_views.member_import_invite,
        name="member_import_invite",
    ),
    re_path(
        r"^staff/members/export\.(?P<fmt>csv|xlsx)$", io_views.member_export, name="member_export"
    ),
]
