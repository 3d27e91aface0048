# The refresh log of the materialized views (mfgplatform.aggregates.registry).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mfgplatform', '0006_shifts_and_date_ranges'),
    ]

    operations = [
        migrations.CreateModel(
            name='MaterializedViewRefresh',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('view_name', models.CharField(db_index=True, max_length=63)),
                ('started_at', models.DateTimeField(db_index=True)),
                ('duration_seconds', models.FloatField(blank=True, null=True)),
                ('row_count', models.BigIntegerField(blank=True, null=True)),
                ('concurrently', models.BooleanField(default=False, help_text='Refreshed without blocking readers; a first population never is.')),
                ('outcome', models.CharField(choices=[('success', 'Success'), ('failed', 'Failed'), ('skipped', 'Skipped (a dependency failed)')], max_length=8)),
                ('error', models.TextField(blank=True)),
                ('triggered_by', models.CharField(blank=True, help_text='Command, task or test that asked.', max_length=64)),
            ],
            options={
                'verbose_name': 'materialized view refresh',
                'db_table': 'mv_refresh_log',
                'ordering': ['-started_at'],
                'indexes': [models.Index(fields=['view_name', '-started_at'], name='mv_refresh_log_view_time_idx')],
            },
        ),
    ]
