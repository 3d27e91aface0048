"""A deterministic simulation of a discrete-manufacturing plant, used to seed development data.

The simulation is pure (numpy, no database) and reproducible from one integer seed:

- `sizes`      — named data-set sizes (tiny, small, demo, large)
- `profiles`   — per equipment class: failure law, repair law, failure modes, minor stops, sensors
- `catalog`    — the fixed codes the simulation writes (reason tree, defect types, ISO code lists)
- `layout`     — the plant: site → areas → lines → equipment units, products and their PRI
- `shifts`     — shift occurrences over the horizon (weekends, holidays, the night shift)
- `process`    — per equipment timeline: production, failures and repairs, maintenance, setups, stops
- `quality`    — per production run: good / scrap / rework, inspections, scrap records, measurements
- `sensors`    — condition-monitoring signals that drift before failures
- `reference`  — database side: ensure the reference rows the simulation needs exist
- `masterdata` — database side: create / remove the seeded plant with history
- `writer`     — database side: COPY the simulated facts
- `seed`       — the service behind `manage.py seed_iso_compliant`
"""
