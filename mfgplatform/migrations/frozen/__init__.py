"""Helpers of the data migrations, frozen as they were when those migrations were released.

A migration must run the same way forever, so the reference-data migrations do not call the live
modules (`mfgplatform.reference_data`, `mfgplatform.roles`, `mfgplatform.calendar`), which change with the
product; they call these copies, one file per released version. Like the SQL files (docs/sql.md) a
released file is never edited: `MANIFEST.sha256` holds their SHA-256 sums and
tests/foundation/test_floor_plan.py compares them. A migration needing different behaviour gets a new
file `<name>_v<N+1>.py`. The migration loader skips this package (it is a package, not a migration).
"""
