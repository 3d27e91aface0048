from django.db import models


class TaxonomyLevel(models.IntegerChoices):
    """ISO 14224 taxonomy levels; levels 3–5 carry the plant's site / area / line hierarchy
    (IEC 62264), level 6 is the equipment unit that failure records attach to."""

    INDUSTRY = 1, "1 Industry"
    BUSINESS_CATEGORY = 2, "2 Business category"
    INSTALLATION = 3, "3 Installation (site)"
    PLANT_UNIT = 4, "4 Plant / unit (area)"
    SECTION_SYSTEM = 5, "5 Section / system (line)"
    EQUIPMENT_UNIT = 6, "6 Equipment unit"
    SUBUNIT = 7, "7 Subunit"
    MAINTAINABLE_ITEM = 8, "8 Component / maintainable item"
    PART = 9, "9 Part"


class EquipmentCategory(models.TextChoices):
    ROTATING = "rotating", "Rotating"
    MECHANICAL = "mechanical", "Mechanical"
    ELECTRICAL = "electrical", "Electrical"
    SAFETY_CONTROL = "safety_control", "Safety and control"
    PRODUCTION = "production", "Production machinery"
    OTHER = "other", "Other"


class Criticality(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
