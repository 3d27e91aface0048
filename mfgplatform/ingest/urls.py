from django.urls import path

from . import views

app_name = "ingest"
urlpatterns = [
    path("v1/events", views.ingest_events, name="events"),
    path("v1/openapi.json", views.ingest_schema, name="openapi"),
]
