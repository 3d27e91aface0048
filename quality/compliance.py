"""The quality app's findings in the compliance report: characteristics out of statistical control."""

from mfgplatform.compliance.findings import register_findings

from .spc.monitoring import out_of_control

register_findings("out_of_control", out_of_control)
