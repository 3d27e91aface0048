"""Audit-log receivers for events that are not row edits: logins, failed logins, lockouts, and
changes to who may do what (group membership, group and user permissions, staff/superuser flags).

Connected in MfgPlatformConfig.ready(). The acting user and address of a permission change come
from the request django-simple-history's middleware keeps for the current thread.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from simple_history.models import HistoricalRecords

from .audit import record_event

FLAGS = ("is_staff", "is_superuser", "is_active")


def _current_request():
    return getattr(HistoricalRecords.context, "request", None)


def _actor(request):
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def on_login(sender, request, user, **kwargs) -> None:
    record_event("auth.login", actor=user, request=request, obj=user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the username is kept: Django already masks the password in `credentials`.
    username = str(credentials.get("username", ""))[:150]
    record_event("auth.login_failed", actor_label=username, request=request, username=username)


def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    record_event("auth.locked_out", actor_label=str(username or "")[:150], request=request,
                 username=username, locked_ip=ip_address)


def _labels(model, pk_set) -> list[str]:
    if not pk_set:
        return []
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    if model._meta.model_name == "permission":
        return sorted(
            f"{app}.{codename}"
            for app, codename in model.objects.filter(pk__in=pk_set).values_list("content_type__app_label", "codename")
        )
    return sorted(str(obj) for obj in model.objects.filter(pk__in=pk_set))


def on_membership_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    request = _current_request()
    relation = sender._meta.model_name  # user_groups, user_user_permissions, group_permissions
    record_event(
        f"permission.{relation}_{action.removeprefix('post_')}",
        actor=_actor(request), request=request, obj=instance,
        target=str(instance), changed=_labels(model, pk_set), reverse=reverse,
    )


def on_user_flags_before_save(sender, instance, **kwargs) -> None:
    if instance.pk is None:
        instance._audit_flags_before = None
        return
    instance._audit_flags_before = sender.objects.filter(pk=instance.pk).values(*FLAGS).first()


def on_user_flags_saved(sender, instance, created, **kwargs) -> None:
    before = getattr(instance, "_audit_flags_before", None)
    after = {flag: getattr(instance, flag) for flag in FLAGS}
    changed = {flag: [before[flag], after[flag]] for flag in FLAGS if before and before[flag] != after[flag]}
    if created and (instance.is_staff or instance.is_superuser):
        changed = {flag: [None, after[flag]] for flag in ("is_staff", "is_superuser") if after[flag]}
    if changed:
        request = _current_request()
        record_event("permission.user_flags_changed", actor=_actor(request), request=request, obj=instance,
                     target=instance.get_username(), changed=changed)


def on_group_saved(sender, instance, created, **kwargs) -> None:
    if created:
        request = _current_request()
        record_event("permission.group_created", actor=_actor(request), request=request, obj=instance,
                     target=instance.name)


def on_group_deleted(sender, instance, **kwargs) -> None:
    request = _current_request()
    record_event("permission.group_deleted", actor=_actor(request), request=request, object_type="auth.group",
                 object_id=str(instance.pk), target=instance.name)


def connect() -> None:
    user_model = get_user_model()
    user_logged_in.connect(on_login, dispatch_uid="audit-login")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit-login-failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit-locked-out")
    for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(on_membership_changed, sender=through, dispatch_uid=f"audit-m2m-{through._meta.label}")
    pre_save.connect(on_user_flags_before_save, sender=user_model, dispatch_uid="audit-user-flags-pre")
    post_save.connect(on_user_flags_saved, sender=user_model, dispatch_uid="audit-user-flags")
    post_save.connect(on_group_saved, sender=Group, dispatch_uid="audit-group-created")
    post_delete.connect(on_group_deleted, sender=Group, dispatch_uid="audit-group-deleted")
