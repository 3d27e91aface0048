import datetime as dt
from tests.kpi.test_time_model_property import *  # noqa
from tests.kpi.factories import add_downtime, add_run

def test_probe(plant, refresh):
    shifts, units, reasons = plant
    add_downtime(units[0], reasons[1], ORIGIN + dt.timedelta(hours=5), None)
    add_downtime(units[1], reasons[2], ORIGIN + dt.timedelta(hours=30), ORIGIN + dt.timedelta(hours=40))
    add_run(units[0], ORIGIN + dt.timedelta(hours=7), ORIGIN + dt.timedelta(hours=9), pq=10, gq=9)
    for e in refresh("mv_time_model", "mv_reliability_event", "mv_downtime_by_reason"):
        print(e.view_name, e.duration_seconds)
