"""ISO compliance: the report (sections, rendering, delivery) and the installation check."""
