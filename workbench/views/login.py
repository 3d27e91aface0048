"""The admin's login form, landing on the performance home unless a `next` page was asked for."""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import reverse


def login(request):
    extra_context = None
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        extra_context = {REDIRECT_FIELD_NAME: reverse("workbench:home")}
    return admin.site.login(request, extra_context=extra_context)
