from django.db import models


class ConceptType(models.TextChoices):
    """What a term can stand for when a question is resolved into a KPI query."""

    METRIC = "metric", "Metric (KPI)"
    DIMENSION = "dimension", "Dimension (equipment, product, shift, …)"
    DIMENSION_MEMBER = "dimension_member", "Dimension member (a line, a product, …)"
    DATE_RANGE = "date_range", "Date range"
    UNIT = "unit", "Unit of measure"
    GRANULARITY = "granularity", "Granularity (shift, day, week, month)"


class Dimension(models.TextChoices):
    EQUIPMENT = "equipment", "Equipment"
    PRODUCT = "product", "Product"
    SHIFT = "shift", "Shift"
    DEFECT_TYPE = "defect_type", "Defect type"
    DOWNTIME_REASON = "downtime_reason", "Downtime reason"
    EQUIPMENT_CLASS = "equipment_class", "Equipment class"
