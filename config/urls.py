"""Top-level URL configuration: the KPI workbench (the landing page), the admin, the ingest API."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from workbench.views.login import login as workbench_login

admin.site.site_header = "mfgplatform"
admin.site.site_title = "mfgplatform"
admin.site.index_title = "Plant master data, facts and operations"

urlpatterns = [
    path("", RedirectView.as_view(url="/workbench/", permanent=False)),
    # After login the performance home, not the model list (an explicit ?next= still wins).
    path("admin/login/", workbench_login, name="workbench-login"),
    path("admin/", admin.site.urls),
    path("workbench/", include("workbench.urls")),
    path("api/ingest/", include("mfgplatform.ingest.urls")),
    path("api/ask/", include("ontology.urls")),
]
