"""Top-level URL configuration: the admin is the workbench."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "mfgplatform"
admin.site.site_title = "mfgplatform"
admin.site.index_title = "Plant master data, facts and operations"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/ingest/", include("mfgplatform.ingest.urls")),
]
