from django.contrib import admin
from django.urls import include, path

from config import views as config_views
from eligibility import views as eligibility_views

urlpatterns = [
    path("", eligibility_views.home, name="home"),
    path("", include("sharing.urls")),  # before screenings/<id>/<step>/ of the wizard
    path("", include("eligibility.urls")),
    path("", include("clinics.urls")),
    path("", include("announcements.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("health/", config_views.health, name="health"),
]
