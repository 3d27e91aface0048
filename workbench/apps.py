from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    """The KPI workbench: browser pages on the KPI service, in the admin's look, under /workbench/."""

    name = "workbench"
    verbose_name = "KPI workbench"
