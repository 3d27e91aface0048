from django.db import models


class DefectCategory(models.TextChoices):
    DIMENSIONAL = "dimensional", "Dimensional"
    VISUAL = "visual", "Visual / cosmetic"
    FUNCTIONAL = "functional", "Functional"
    MATERIAL = "material", "Material"
    ASSEMBLY = "assembly", "Assembly"
    CONTAMINATION = "contamination", "Contamination"
    PROCESS = "process", "Process (start-up, changeover)"
    OTHER = "other", "Other"


class DefectSeverity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


class InspectionKind(models.TextChoices):
    ATTRIBUTE = "attribute", "Attribute check (counts)"
    VARIABLE = "variable", "Variable measurement (Cp/Cpk)"


class ScrapDisposition(models.TextChoices):
    SCRAP = "scrap", "Scrapped"
    RECYCLE = "recycle", "Recycled"
    RETURN = "return", "Returned to supplier"
