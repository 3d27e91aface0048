"""Catalog import: rows/s per step for a generated product CSV, against a plain bulk insert.

Run against a scratch database (never the shared one):

    DATABASE_URL=postgres://postgres@127.0.0.1:5433/mfg_bench .venv/bin/python -m bench.import_catalog --rows 100000

Steps: parse the file, preview (every check plus a rolled-back write), confirm (the real write with a
history record per row), re-import the same file (nothing changes). The baseline is Django's plain
`bulk_create` of the same rows (no validation, no history) into the same table in the same run.
"""

from __future__ import annotations

import argparse
import os
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    from django.db import connection

    from mfgplatform.imports.engine import CatalogImporter
    from mfgplatform.imports.files import read_table
    from mfgplatform.models import DimUnitOfMeasure
    from production.models import Product
    from production.resources import ProductResource

    unit, _ = DimUnitOfMeasure.objects.get_or_create(
        code="BENCH-PCS", defaults={"name": "pieces", "symbol": "pcs", "quantity_kind": "count"}
    )
    with connection.cursor() as cursor:  # a clean slate for the benchmark's own codes
        cursor.execute("DELETE FROM dim_product_history WHERE code LIKE 'BENCH-%%'")
        cursor.execute("DELETE FROM dim_product WHERE code LIKE 'BENCH-%%'")

    header = "code,name,description,product_family,unit,default_pri_seconds,defect_opportunities_per_unit,is_active"
    lines = [header] + [
        f"BENCH-{i:07d},Product {i},Bench item {i},FAM-{i % 50},BENCH-PCS,{1 + i % 7}.25,1,true"
        for i in range(args.rows)
    ]
    content = ("\n".join(lines) + "\n").encode()
    rows = args.rows
    print(f"catalog import of {rows:,} product rows ({len(content) / 1e6:.1f} MB CSV)")

    def timed(label: str, func):
        started = time.perf_counter()
        value = func()
        seconds = time.perf_counter() - started
        print(f"  {label:<42} {seconds:7.2f} s {rows / seconds:10,.0f} rows/s")
        return value, seconds

    table, parse_s = timed("parse CSV", lambda: read_table(content, "bench.csv", max_bytes=len(content) + 1))
    importer = CatalogImporter(ProductResource(), reason="import bench.csv")
    preview, preview_s = timed("preview (dry run, rolled back)", lambda: importer.run(table, dry_run=True))
    assert preview.is_valid, preview.counts()
    assert preview.new == rows, preview.counts()
    table2, parse2_s = timed("parse CSV again (confirm step)", lambda: read_table(content, "bench.csv",
                                                                                  max_bytes=len(content) + 1))
    result, confirm_s = timed("confirm (write + history)", lambda: importer.run(table2, dry_run=False))
    assert result.written, result.counts()
    assert result.new == rows, result.counts()
    history_rows = Product.history.filter(code__startswith="BENCH-", history_type="+").count()
    again, reimport_s = timed("re-import same file (preview + confirm)", lambda: (
        importer.run(table, dry_run=True), importer.run(table, dry_run=False))[1])
    assert again.unchanged == rows, again.counts()

    def plain_bulk_insert():
        Product.objects.bulk_create(
            [Product(code=f"BENCH-B{i:07d}", name=f"Product {i}", description=f"Bench item {i}",
                     product_family=f"FAM-{i % 50}", unit=unit, default_pri_seconds=f"{1 + i % 7}.25",
                     defect_opportunities_per_unit=1, is_active=True) for i in range(rows)],
            batch_size=2000,
        )

    _, baseline_s = timed("baseline: plain bulk_create, no history", plain_bulk_insert)
    end_to_end = parse_s + preview_s + parse2_s + confirm_s
    label = "end to end (parse, preview, parse, confirm)"
    print(f"  {label:<42} {end_to_end:7.2f} s {rows / end_to_end:10,.0f} rows/s")
    print(f"  history records written: {history_rows:,} of {rows:,}")
    print(f"  ratio confirm / plain bulk insert:     {baseline_s / confirm_s:5.2f} (1.00 = as fast)")
    print(f"  ratio end-to-end / plain bulk insert:  {baseline_s / end_to_end:5.2f}")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM dim_product_history WHERE code LIKE 'BENCH-%%'")
        cursor.execute("DELETE FROM dim_product WHERE code LIKE 'BENCH-%%'")


if __name__ == "__main__":
    main()
