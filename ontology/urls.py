from django.urls import path

from .ask import api

urlpatterns = [
    path("", api.ask, name="ask-api"),
    path("feedback/", api.feedback, name="ask-api-feedback"),
]
