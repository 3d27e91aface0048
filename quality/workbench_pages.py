"""The quality pages of the workbench, under /workbench/quality/ (see workbench.navigation)."""

from django.urls import path

from workbench.navigation import NavItem

from . import spc_views

app_name = "quality"
urlpatterns = [
    path("characteristic/", spc_views.characteristics, name="characteristics"),
    path("characteristic/<str:code>/", spc_views.characteristic, name="characteristic"),
    path("api/spc", spc_views.spc_api, name="spc-api"),
]
navigation = [NavItem("Control charts", "quality:characteristics", order=45, permission="quality.view_factquality")]
