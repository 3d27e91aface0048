"""Quality jobs (Celery tasks named "mfgplatform.<job>", see mfgplatform.operations.jobs)."""

from mfgplatform.operations.jobs import JobResult, periodic_job


@periodic_job("weekly_data_quality", soft_time_limit=1800)
def weekly_data_quality_task(period: str = "weekly") -> JobResult:
    """For the previous complete week (or `period`): the characteristics that went out of statistical
    control, per work unit, with the rules that signalled (quality.spc.monitoring). The findings are in
    the job's audit event and result; the compliance report lists them too."""
    from mfgplatform.compliance.periods import parse_period

    from .spc.monitoring import out_of_control

    week = parse_period(period)
    findings = out_of_control(week.start, week.end)
    return JobResult(rows=len(findings), detail={
        "period": week.label, "out_of_control": [finding.as_payload() for finding in findings],
    })
