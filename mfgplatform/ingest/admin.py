"""Admin of the ingest API's data sources: issue a source's token (shown once), revoke it, see when it
was last used. Only the token's hash is stored, so a lost token is replaced, not recovered."""

from __future__ import annotations

from django.contrib import admin, messages

from ..audit import record_event
from ..models import IngestToken


@admin.register(IngestToken)
class IngestTokenAdmin(admin.ModelAdmin):
    list_display = ("source", "token_hint", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("source",)
    actions = ("revoke",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("source",)
        return ("source", "token_hint", "is_active", "created_at", "last_used_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("source", "token_hint", "created_at", "last_used_at")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            record_event("ingest.token_changed", actor=request.user, obj=obj, request=request, source=obj.source,
                         is_active=obj.is_active)
            return
        token = obj.assign_new_token()
        super().save_model(request, obj, form, change)
        record_event("ingest.token_issued", actor=request.user, obj=obj, request=request, source=obj.source)
        # The only time the token is shown: it is not stored, only its hash.
        messages.warning(request, f"Token for {obj.source}: {token} — copy it now into the data source's "
                                  "configuration; it cannot be shown again.")

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        active = queryset.filter(is_active=True)
        sources = list(active.values_list("source", flat=True))
        active.update(is_active=False)
        for source in sources:
            record_event("ingest.token_revoked", actor=request.user, request=request,
                         object_type=IngestToken._meta.label_lower, object_id=source, source=source)
        self.message_user(request, f"Revoked {len(sources)} token(s).", messages.SUCCESS)
