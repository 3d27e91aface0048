"""The Ask page of the workbench, under /workbench/ontology/ (see workbench.navigation)."""

from django.urls import path

from workbench.navigation import NavItem

from . import views

app_name = "ontology"
urlpatterns = [path("ask/", views.ask_page, name="ask")]
navigation = [NavItem("Ask", "ontology:ask", order=90, permission="production.view_factproduction")]
