"""Template tags of the large-table changelist (see mfgplatform.admin_base.LargeTableAdmin)."""

from django import template

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def indexed_date_hierarchy(changelist, hierarchy):
    """Render Django's date navigation from an IndexedDateHierarchy instead of SELECT DISTINCT."""
    if hierarchy is None:
        return {"show": False}
    return hierarchy.context(changelist)
