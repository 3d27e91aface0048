"""Choice sets of the shared layer."""

from django.db import models


class QuantityKind(models.TextChoices):
    COUNT = "count", "Count"
    MASS = "mass", "Mass"
    LENGTH = "length", "Length"
    AREA = "area", "Area"
    VOLUME = "volume", "Volume"
    TIME = "time", "Time"
    TEMPERATURE = "temperature", "Temperature"
    PRESSURE = "pressure", "Pressure"
    ENERGY = "energy", "Energy"
    POWER = "power", "Power"
    ELECTRIC_CURRENT = "electric_current", "Electric current"
    VOLTAGE = "voltage", "Voltage"
    FREQUENCY = "frequency", "Frequency"
    VELOCITY = "velocity", "Velocity"
    ACCELERATION = "acceleration", "Acceleration"
    FLOW = "flow", "Volume flow"
    RATIO = "ratio", "Ratio"
    CURRENCY = "currency", "Currency"


class DateRangeRule(models.TextChoices):
    """How a named date range resolves to concrete dates (docs/kpi.md, "Calendar")."""

    TODAY = "today", "Today (partial)"
    YESTERDAY = "yesterday", "Yesterday"
    LAST_N_DAYS = "last_n_days", "Last N complete days, ending yesterday"
    THIS_WEEK = "this_week", "Week to date (ISO week, partial)"
    LAST_WEEK = "last_week", "Previous complete ISO week"
    THIS_MONTH = "this_month", "Month to date (partial)"
    LAST_MONTH = "last_month", "Previous complete month"
    THIS_QUARTER = "this_quarter", "Quarter to date (partial)"
    LAST_QUARTER = "last_quarter", "Previous complete quarter"
    THIS_YEAR = "this_year", "Year to date (partial)"
    LAST_YEAR = "last_year", "Previous complete year"
    THIS_FISCAL_YEAR = "this_fiscal_year", "Fiscal year to date (partial)"
    LAST_FISCAL_YEAR = "last_fiscal_year", "Previous complete fiscal year"
    THIS_FISCAL_QUARTER = "this_fiscal_quarter", "Fiscal quarter to date (partial)"
    LAST_FISCAL_QUARTER = "last_fiscal_quarter", "Previous complete fiscal quarter"
    FIXED = "fixed", "Fixed dates"


class KpiStandard(models.TextChoices):
    ISO_22400 = "iso22400", "ISO 22400-2"
    ISO_9001 = "iso9001", "ISO 9001 (industry practice metrics)"
    ISO_14224 = "iso14224", "ISO 14224"
    TPM = "tpm", "TPM / Nakajima (classic OEE)"


class KpiTrend(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"


class KpiCategory(models.TextChoices):
    PRODUCTION = "production", "Production"
    QUALITY = "quality", "Quality"
    MAINTENANCE = "maintenance", "Maintenance"
    INVENTORY = "inventory", "Inventory"
    RELIABILITY = "reliability", "Reliability"
