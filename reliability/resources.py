"""Import-export resources of the ISO 14224 code lists and the downtime reason tree."""

from mfgplatform.imports.resources import MasterDataResource, TreeResource, code_field

from .models import (
    DetectionMethod,
    DowntimeReason,
    FailureCause,
    FailureMechanism,
    FailureMode,
    MaintenanceActivity,
)


class FailureModeResource(MasterDataResource):
    class Meta(MasterDataResource.Meta):
        model = FailureMode
        fields = ("code", "name", "description", "is_active")


class FailureMechanismResource(MasterDataResource):
    group = code_field("group", FailureMechanism)

    class Meta(MasterDataResource.Meta):
        model = FailureMechanism
        fields = ("code", "name", "group", "description", "is_active")


class FailureCauseResource(MasterDataResource):
    group = code_field("group", FailureCause)

    class Meta(MasterDataResource.Meta):
        model = FailureCause
        fields = ("code", "name", "group", "description", "is_active")


class DetectionMethodResource(MasterDataResource):
    class Meta(MasterDataResource.Meta):
        model = DetectionMethod
        fields = ("code", "name", "activity_type", "description", "is_active")


class MaintenanceActivityResource(MasterDataResource):
    class Meta(MasterDataResource.Meta):
        model = MaintenanceActivity
        fields = ("code", "name", "typical_use", "description", "is_active")


class DowntimeReasonResource(TreeResource):
    parent = code_field("parent", DowntimeReason)
    failure_mode = code_field("failure_mode", FailureMode)
    failure_mechanism = code_field("failure_mechanism", FailureMechanism)
    failure_cause = code_field("failure_cause", FailureCause)

    class Meta(TreeResource.Meta):
        model = DowntimeReason
        fields = ("code", "name", "parent", "description", "time_category", "is_failure", "is_minor_stop",
                  "failure_mode", "failure_mechanism", "failure_cause", "failure_impact", "maintenance_category",
                  "is_active")
