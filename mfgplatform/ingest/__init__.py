"""Fact ingestion: CSV files through `manage.py load_facts`, machine events through the HTTP API.

- `facts`  — per fact type: the CSV columns, the per-row checks and the insert, all in SQL
- `loader` — COPY into a staging table, validate in SQL, move in one transaction or reject all
"""
