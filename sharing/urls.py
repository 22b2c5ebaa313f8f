from django.urls import path

from . import views

urlpatterns = [
    # the clinic's side (its own users)
    path("screenings/<int:screening_id>/share/", views.share_links, name="share_links"),
    path(
        "screenings/<int:screening_id>/share/<int:link_id>/revoke/",
        views.share_link_revoke,
        name="share_link_revoke",
    ),
    # the vendor's side (anyone with a usable token, no login)
    path("share/<slug:token>/", views.shared_result_page, name="shared_result"),
    path("share/<slug:token>/result.pdf", views.shared_result_pdf, name="shared_result_pdf"),
]
