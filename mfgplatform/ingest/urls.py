from django.urls import path

from . import api

app_name = "ingest"
urlpatterns = [
    path("v1/events", api.ingest_events, name="events"),
    path("v1/openapi.json", api.ingest_schema, name="openapi"),
]
