"""Make audit_log append-only in the database, whatever path a write takes (ISO 9001 7.5.3.2,
21 CFR 11.10(e)).

UPDATE is always rejected. DELETE is rejected unless the transaction declares an archive run with
`SET LOCAL mfgplatform.audit_archive = 'on'` (the archive job copies the rows out first). Row
triggers do not fire on TRUNCATE, which stays available to test teardown and to operators.
"""

from django.db import migrations

CREATE_SQL = """
CREATE OR REPLACE FUNCTION audit_log_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('mfgplatform.audit_archive', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % rejected', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only an archive run may delete, after SET LOCAL mfgplatform.audit_archive = ''on''.';
END;
$$;

DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
DROP FUNCTION IF EXISTS audit_log_reject_change();
"""


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0004_kpi_catalog")]

    operations = [migrations.RunSQL(sql=CREATE_SQL, reverse_sql=DROP_SQL)]
