-- shift_break_triggers, version 1: a change to the break windows (dim_shift_break) recomputes every day of
-- agg_time_model.
CREATE TRIGGER agg_time_model_shift_break AFTER INSERT OR UPDATE OR DELETE ON dim_shift_break
FOR EACH STATEMENT EXECUTE FUNCTION mfg_invalidate_all_days('agg_time_model');
CREATE TRIGGER agg_time_model_shift_break_truncate AFTER TRUNCATE ON dim_shift_break
FOR EACH STATEMENT EXECUTE FUNCTION mfg_invalidate_all_days('agg_time_model');
