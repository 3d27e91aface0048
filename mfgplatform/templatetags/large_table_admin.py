"""Template tags of the large-table changelist (see mfgplatform.admin_base.LargeTableAdmin)."""

from django import template

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def indexed_date_hierarchy(changelist, hierarchy):
    """Render Django's date navigation from an IndexedDateHierarchy instead of SELECT DISTINCT."""
    if hierarchy is None:
        return {"show": False}
    return hierarchy.context(changelist)


@register.simple_tag
def phone_rows_style(changelist):
    """On a phone, each row of a fact list becomes a small card whose values carry their column's name
    (the labels come from the list's own columns), so the quantities are read without scrolling the
    table sideways. Desktop layout is unchanged."""
    from django.contrib.admin.utils import label_for_field
    from django.utils.html import format_html_join
    from django.utils.safestring import mark_safe

    labels = format_html_join(
        "\n", '#result_list .field-{}::before {{ content: "{}: "; }}',
        ((name, str(label_for_field(name, changelist.model, changelist.model_admin)).replace('"', ""))
         for name in changelist.list_display if isinstance(name, str) and name != "action_checkbox"),
    )
    return mark_safe(
        "<style>@media (max-width: 600px) {\n"
        "#result_list thead { display: none; }\n"
        "#result_list, #result_list tbody { display: block; width: 100%; }\n"
        "#result_list tr { display: block; padding: 6px 0; border-bottom: 1px solid var(--hairline-color); }\n"
        "#result_list tr td, #result_list tr th { display: inline-block; border: 0; padding: 1px 10px 1px 0; "
        "white-space: normal; }\n"
        "#result_list td::before, #result_list th::before { color: var(--body-quiet-color); font-size: 0.85em; }\n"
        f"{labels}\n}}</style>"
    )
