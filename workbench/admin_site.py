"""The admin site with its apps in the order people look for them: the domain catalogs first, the
shared dimensions next, accounts, operations and infrastructure (Celery, Axes, task results) last.
Django's default is alphabetical, which put Axes and Celery above Equipment."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

APP_ORDER = [
    "equipment", "production", "quality", "reliability", "ontology", "mfgplatform",
    "auth", "django_celery_beat", "django_celery_results", "axes",
]


class WorkbenchAdminSite(admin.AdminSite):
    # The index says where the numbers are before listing the models.
    index_template = "workbench/admin_index.html"

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        position = {label: index for index, label in enumerate(APP_ORDER)}
        return sorted(apps, key=lambda app: (position.get(app["app_label"], len(APP_ORDER)), app["name"]))


class WorkbenchAdminConfig(AdminConfig):
    """django.contrib.admin with the site above (INSTALLED_APPS names this instead of django.contrib.admin)."""

    default_site = "workbench.admin_site.WorkbenchAdminSite"
