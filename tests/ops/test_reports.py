"""The compliance report: sections, rendering, and delivery through a real SMTP server on loopback."""

import csv
import datetime as dt
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from mfgplatform.compliance.delivery import claim_deliveries, report_for_period, send_claimed, send_due_reports
from mfgplatform.compliance.periods import ReportPeriod, parse_period, previous_period
from mfgplatform.compliance.render import csv_safe
from mfgplatform.models import ComplianceReport, DimShift, ReportDelivery, ReportSubscription
from mfgplatform.time_elements import ELEMENTS, label

pytestmark = pytest.mark.django_db

FIRST_DAY = dt.date(2026, 11, 2)
SEED_DAYS = 3
PERIOD = ReportPeriod(FIRST_DAY, FIRST_DAY + dt.timedelta(days=SEED_DAYS - 1))


@pytest.fixture
def plant_data():
    """A small simulated plant (the project's seeder, inside the test transaction), views refreshed."""
    call_command("seed_iso_compliant", size="tiny", days=SEED_DAYS, start=FIRST_DAY, no_progress=True,
                 stdout=StringIO())
    call_command("refresh_views", stdout=StringIO())


def _csv(report: ComplianceReport, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(report.csv_files[name])))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-10", dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("2026-W01", dt.date(2025, 12, 29), dt.date(2026, 1, 4)),
        ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2026-10-05", dt.date(2026, 10, 5), dt.date(2026, 10, 5)),
        ("2026-10-01..2026-10-15", dt.date(2026, 10, 1), dt.date(2026, 10, 15)),
    ],
)
def test_periods_parse_from_the_command_line(text, start, end):
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


def test_the_scheduled_period_is_the_previous_complete_one():
    wednesday = dt.date(2026, 11, 25)
    assert previous_period("daily", wednesday) == ReportPeriod(dt.date(2026, 11, 24), dt.date(2026, 11, 24), "daily")
    assert previous_period("weekly", wednesday) == ReportPeriod(dt.date(2026, 11, 16), dt.date(2026, 11, 22),
                                                                "weekly")
    assert previous_period("monthly", wednesday) == ReportPeriod(dt.date(2026, 10, 1), dt.date(2026, 10, 31),
                                                                 "monthly")
    assert previous_period("quarterly", wednesday) == ReportPeriod(dt.date(2026, 7, 1), dt.date(2026, 9, 30),
                                                                   "quarterly")


def test_an_unknown_period_is_refused_with_the_accepted_forms():
    with pytest.raises(CommandError, match="Unknown period 'last-tuesday'"):
        call_command("audit_iso_compliance", period="last-tuesday", stdout=StringIO())


def test_oee_section_numbers_follow_from_the_elements(plant_data):
    report, created = report_for_period(PERIOD)
    assert created
    # Times in hours, quantities in units, under their ISO 22400-2 symbols and meanings.
    element_rows = _csv(report, "oee_elements.csv")
    elements = {row["element"]: float(row["value"]) * (3600 if row["unit"] == "h" else 1) for row in element_rows}
    assert {row["element"]: row["meaning"] for row in element_rows}["ADOT"] == ELEMENTS["ADOT"].meaning
    assert elements["POT"] == pytest.approx(elements["PBT"] + elements["PDT"], abs=10)
    kpis = {row["kpi"]: row for row in _csv(report, "oee_kpis.csv")}
    # OEE index = A × E × Q reduces to PRI·GQ / PBT (ISO 22400-2), shown in percent.
    assert float(kpis["oee"]["value"]) == pytest.approx(100 * elements["PRI_GQ"] / elements["PBT"], abs=0.01)
    assert float(kpis["availability"]["value"]) == pytest.approx(100 * elements["APT"] / elements["PBT"], abs=0.01)
    losses = {row["loss"]: float(row["hours"]) for row in _csv(report, "oee_losses.csv")}
    assert losses[label("ADET")] == pytest.approx(elements["ADET"] / 3600, abs=0.01)
    assert losses[label("ADOT")] == pytest.approx(elements["ADOT"] / 3600, abs=0.01)
    assert losses["Speed loss (APT − PRI·PQ)"] == pytest.approx((elements["APT"] - elements["PRI_PQ"]) / 3600, abs=0.01)
    assert losses["Quality loss (PRI·PQ − PRI·GQ)"] == pytest.approx(
        (elements["PRI_PQ"] - elements["PRI_GQ"]) / 3600, abs=0.01)
    assert list(losses.values()) == sorted(losses.values(), reverse=True)  # a Pareto of losses
    assert report.summary["sections"]["oee"]["summary"] == f"plant OEE {float(kpis['oee']['value']):g} %"


def test_defect_pareto_counts_match_the_quality_facts(plant_data):
    report, _ = report_for_period(PERIOD)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(defect_count), 0) FROM fact_quality WHERE date_key BETWEEN %s AND %s",
                       [20261102, 20261104])
        defects = cursor.fetchone()[0]
    pareto = [int(row["defects"]) for row in _csv(report, "defect_pareto.csv")]
    assert sum(pareto) == defects
    assert pareto == sorted(pareto, reverse=True)


def test_retention_section_flags_sensor_data_older_than_the_policy(settings):
    settings.SENSOR_RETENTION_DAYS = 30
    old = timezone.now().replace(microsecond=0) - dt.timedelta(days=45)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality) "
                       "VALUES (%s, 1, 'temp', 20.5, 0)", [old])
    report, _ = report_for_period(ReportPeriod(dt.date(2026, 11, 1), dt.date(2026, 11, 1)))
    rows = {row["table"]: row for row in _csv(report, "retention.csv")}
    assert rows["fact_sensor_event"]["policy"] == "30 days"
    assert rows["fact_sensor_event"]["oldest row"] == old.isoformat()
    assert rows["fact_sensor_event"]["status"] == "over policy"
    assert rows["fact_production"]["policy"] == "kept indefinitely"
    assert report.summary["sections"]["retention"] == {
        "status": "attention", "summary": "1 table(s) hold data older than their policy: fact_sensor_event"}


def test_audit_trail_section_counts_rows_without_history_and_changes_without_user():
    # bulk_create bypasses django-simple-history: the row has no creation record.
    DimShift.objects.bulk_create([DimShift(code="X", name="Extra", start_time="10:00", end_time="12:00")])
    shift = DimShift.objects.get(code="X")
    shift.name = "Extra shift"
    shift.save()  # a change recorded without a user (no request, none set)
    period = ReportPeriod(timezone.localdate() - dt.timedelta(days=1), timezone.localdate() + dt.timedelta(days=1))
    report, _ = report_for_period(period)
    rows = {row["table"]: row for row in _csv(report, "audit_trail.csv")}
    assert rows["dim_shift"]["rows without creation record"] == "1"
    assert rows["dim_shift"]["changes without user"] == "1"
    assert rows["dim_date"]["rows without creation record"] == "0"
    assert report.summary["sections"]["audit_trail"]["status"] == "attention"


def test_report_email_has_embedded_charts_pdf_and_csv_attachments(plant_data, smtp_server):
    ReportSubscription.objects.create(name="Plant management", period_kind="daily",
                                      recipients=["ops@example.com", "quality@example.com"])
    today = FIRST_DAY + dt.timedelta(days=1)
    [run] = send_due_reports(today=today)
    assert run.sent == ["ops@example.com", "quality@example.com"]
    assert run.period == "2026-11-02"

    handler = smtp_server.handler
    assert [rcpts for _, rcpts in handler.envelopes] == [["ops@example.com"], ["quality@example.com"]]
    message = handler.messages[0]
    assert message["Subject"].startswith("ISO compliance report 2026-11-02 to 2026-11-02 [")
    assert message["To"] == "ops@example.com"
    assert message["Message-ID"].startswith("<compliance-report-")
    assert message.get_content_type() == "multipart/mixed"
    body = message.get_body(preferencelist=("html",))
    html = body.get_content()
    assert 'src="cid:oee-losses.png"' in html
    assert "Production performance: OEE" in html
    assert "Audit-trail completeness" in html
    related = [part for part in message.walk() if part.get_content_type() == "image/png"]
    content_ids = sorted(part["Content-ID"] for part in related)
    assert "<oee-losses.png>" in content_ids
    assert "<defect-pareto.png>" in content_ids
    assert all(part.get_content()[:8] == b"\x89PNG\r\n\x1a\n" for part in related)
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    pdf = attachments.pop("iso-compliance-20261102-20261102.pdf")
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content()[:5] == b"%PDF-"
    assert set(attachments) == {"oee_kpis.csv", "oee_by_equipment.csv", "oee_elements.csv", "oee_losses.csv",
                                "quality_kpis.csv", "capability.csv", "out_of_control.csv", "defect_pareto.csv",
                                "reliability_by_class.csv", "reliability_by_failure_mode.csv", "retention.csv",
                                "support_equipment.csv",
                                "audit_trail.csv"} - _unavailable_csvs(run.report_id)
    report = ComplianceReport.objects.get(pk=run.report_id)
    assert attachments["retention.csv"].get_content().replace("\r\n", "\n") == report.csv_files[
        "retention.csv"].replace("\r\n", "\n")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "ISO compliance report" in text
    assert "Period: 2026-11-02" in text


def _unavailable_csvs(report_id: int) -> set[str]:
    """CSV files of sections the KPI service could not compute in this deployment."""
    report = ComplianceReport.objects.get(pk=report_id)
    missing = set()
    if report.summary["sections"]["reliability"]["status"] == "unavailable":
        missing |= {"reliability_by_class.csv", "reliability_by_failure_mode.csv"}
    if report.summary["sections"]["quality"]["status"] == "unavailable":
        missing |= {"quality_kpis.csv", "capability.csv", "out_of_control.csv", "defect_pareto.csv"}
    return missing


def test_a_report_goes_once_per_period_and_recipient_whatever_the_reruns(smtp_server):
    ReportSubscription.objects.create(name="Board", period_kind="monthly", recipients=["board@example.com"])
    ReportSubscription.objects.create(name="Board copy", period_kind="monthly",
                                      recipients=["BOARD@example.com", "audit@example.com"])
    today = dt.date(2026, 11, 25)
    first = send_due_reports(today=today)
    second = send_due_reports(today=today)
    assert [run.sent for run in first] == [["board@example.com"], ["audit@example.com"]]
    assert [run.sent for run in second] == [[], []]
    assert sorted(rcpt for _, rcpts in smtp_server.handler.envelopes for rcpt in rcpts) == [
        "audit@example.com", "board@example.com"]
    assert ComplianceReport.objects.get().period_start == dt.date(2026, 10, 1)
    assert ReportDelivery.objects.filter(status="sent").count() == 2


def test_an_smtp_failure_leaves_the_claim_for_the_retry(smtp_server, settings):
    report, _ = report_for_period(ReportPeriod(dt.date(2026, 10, 1), dt.date(2026, 10, 1)))
    claims = claim_deliveries(report, ["ops@example.com"])
    settings.EMAIL_PORT = 1  # nothing listens there
    with pytest.raises(ConnectionRefusedError):
        send_claimed(report, claims)
    delivery = ReportDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("claimed", 1)
    assert delivery.last_error.startswith("ConnectionRefusedError")
    settings.EMAIL_PORT = smtp_server.port
    outcome = send_claimed(report, claim_deliveries(report, ["ops@example.com"]))
    assert outcome.sent == ["ops@example.com"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")


def test_the_command_generates_once_and_emails_the_extra_recipient(smtp_server, tmp_path):
    out = StringIO()
    call_command("audit_iso_compliance", period="2026-10", email=True, to=["cfo@example.com"], output=tmp_path,
                 stdout=out)
    assert "Generated report" in out.getvalue()
    assert "Sent to: cfo@example.com" in out.getvalue()
    assert (tmp_path / "iso-compliance-20261001-20261031.pdf").read_bytes()[:5] == b"%PDF-"
    out = StringIO()
    call_command("audit_iso_compliance", period="2026-10", email=True, to=["cfo@example.com"], stdout=out)
    assert "Reused the stored report" in out.getvalue()
    assert "Already sent for this period to: cfo@example.com" in out.getvalue()
    assert len(smtp_server.handler.messages) == 1


@pytest.mark.parametrize(("cell", "written"), [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("@x", "'@x"),
                                               ("-2", "'-2"), ("plain", "plain"), (-2.5, -2.5)])
def test_csv_cells_that_spreadsheets_would_run_are_escaped(cell, written):
    assert csv_safe(cell) == written


def test_a_scoped_report_covers_the_subtree_of_its_line_only(plant_data, smtp_server):
    from equipment.models import Equipment
    from mfgplatform.kpi import compute_kpis

    line = Equipment.objects.filter(taxonomy_level=5).order_by("code").first()
    units = set(Equipment.objects.filter(path__startswith=f"{line.path}/").values_list("code", flat=True))
    plant_report, _ = report_for_period(PERIOD)
    line_report, created = report_for_period(PERIOD, scope=line.code)
    assert created  # one report per scope and period
    assert line_report.pk != plant_report.pk

    [expected] = compute_kpis(["oee"], equipment=[line.code], start=PERIOD.start, end=PERIOD.end)
    kpis = {row["kpi"]: row for row in _csv(line_report, "oee_kpis.csv")}
    assert float(kpis["oee"]["value"]) == pytest.approx(100 * expected.value, abs=0.01)
    assert line_report.summary["sections"]["oee"]["summary"] == f"{line.code} OEE {float(kpis['oee']['value']):g} %"
    listed = {row["group"] for row in _csv(line_report, "oee_by_equipment.csv")}
    assert listed
    assert listed <= units
    assert f"{line.code} {line.name}" in line_report.html

    ReportSubscription.objects.create(name="Line board", period_kind="daily", scope=line.code,
                                      recipients=["line@example.com"])
    [run] = send_due_reports(today=PERIOD.end + dt.timedelta(days=1))
    assert run.sent == ["line@example.com"]
    (message,) = smtp_server.handler.messages
    assert message["Subject"].strip().startswith(f"ISO compliance report {line.code} {PERIOD.end}")
    assert ComplianceReport.objects.get(pk=run.report_id).scope == line.code


def test_a_subscription_is_sent_after_its_send_time_in_the_plants_zone(smtp_server, settings):
    settings.PLANT_TIME_ZONE = "America/Chicago"  # UTC−6 in November
    settings.PRODUCTION_DAY_START = "06:00"
    ReportSubscription.objects.create(name="Daily", period_kind="daily", send_time=dt.time(7, 0),
                                      recipients=["daily@example.com"])
    ReportSubscription.objects.create(name="Weekly", period_kind="weekly", send_time=dt.time(18, 30),
                                      recipients=["weekly@example.com"])
    wednesday = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    assert send_due_reports(now=wednesday.replace(hour=12, minute=59)) == []  # 06:59 in Chicago
    [daily] = send_due_reports(now=wednesday.replace(hour=13, minute=5))  # 07:05 in Chicago
    assert (daily.subscription, daily.period, daily.sent) == ("Daily", "2026-11-24", ["daily@example.com"])
    runs = send_due_reports(now=wednesday.replace(hour=23, minute=40, tzinfo=dt.UTC))  # 17:40: weekly not yet
    assert [(run.subscription, run.sent, run.already_sent) for run in runs] == [("Daily", [], ["daily@example.com"])]
    # 00:35 UTC on Thursday is still 18:35 on Wednesday in Chicago: the weekly report's time has come.
    runs = send_due_reports(now=dt.datetime(2026, 11, 26, 0, 35, tzinfo=dt.UTC))
    assert [(run.subscription, run.period, run.sent) for run in runs] == [
        ("Daily", "2026-11-24", []), ("Weekly", "2026-11-16 to 2026-11-22", ["weekly@example.com"])]
    assert len(smtp_server.handler.messages) == 2


def test_a_subscription_scope_must_be_a_site_area_or_line():
    from django.core.exceptions import ValidationError

    from equipment.models import Equipment, EquipmentClass
    from equipment.services import equipment_save

    site = Equipment(code="S1", name="Site", taxonomy_level=3)
    equipment_save(equipment=site, reason="test")
    pump_class = EquipmentClass.objects.create(code="ZZ", name="Test class", category="rotating")
    unit = Equipment(code="S1-U1", name="Unit", taxonomy_level=6, parent=site, equipment_class=pump_class)
    equipment_save(equipment=unit, reason="test")
    subscription = ReportSubscription(name="Bad", scope="S1-U1", recipients=["a@example.com"])
    with pytest.raises(ValidationError, match="not a site, an area or a line"):
        subscription.full_clean()
    subscription.scope = "NOPE"
    with pytest.raises(ValidationError, match="No equipment has the code 'NOPE'"):
        subscription.full_clean()
    subscription.scope = "S1"
    subscription.full_clean()


def test_the_command_reports_on_a_line_and_refuses_a_unit_as_scope(plant_data):
    from equipment.models import Equipment

    line = Equipment.objects.filter(taxonomy_level=5).order_by("code").first()
    out = StringIO()
    call_command("audit_iso_compliance", period=f"{PERIOD.start}..{PERIOD.end}", scope=line.code, stdout=out)
    assert f"{line.code} OEE" in out.getvalue()
    assert ComplianceReport.objects.get().scope == line.code
    unit = Equipment.objects.filter(taxonomy_level=6).order_by("code").first()
    with pytest.raises(CommandError, match="not a site, an area or a line"):
        call_command("audit_iso_compliance", period="2026-10", scope=unit.code, stdout=StringIO())


def test_the_subscription_form_offers_sites_areas_and_lines_as_scope(plant_data, client, admin_user):
    from equipment.models import Equipment

    client.force_login(admin_user)
    page = client.get("/admin/mfgplatform/reportsubscription/add/")
    offered = [code for code, _ in page.context["adminform"].form.fields["scope"].choices]
    expected = list(Equipment.objects.filter(taxonomy_level__in=(3, 4, 5)).order_by("path")
                    .values_list("code", flat=True))
    assert offered == ["", *expected]
    line = expected[-1]
    response = client.post("/admin/mfgplatform/reportsubscription/add/", {
        "name": "Line weekly", "report_kind": "iso_compliance", "scope": line, "period_kind": "weekly",
        "send_time": "07:15", "recipients": "lead@example.com", "is_active": "on"})
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get(name="Line weekly")
    assert (subscription.scope, subscription.send_time) == (line, dt.time(7, 15))
