# Scheduled operations: compliance report subscriptions, reports and per-recipient deliveries;
# the source state of the materialized views; the operations status page (a proxy, no table).

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mfgplatform', '0041_mv_shift_occurrence'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportSubscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, unique=True)),
                ('report_kind', models.CharField(choices=[('iso_compliance', 'ISO compliance (22400 OEE, 9001 quality, 14224 reliability, records)')], default='iso_compliance', max_length=32)),
                ('period_kind', models.CharField(choices=[('daily', 'Previous production day'), ('weekly', 'Previous ISO week'), ('monthly', 'Previous month'), ('quarterly', 'Previous quarter')], default='monthly', max_length=16)),
                ('recipients', django.contrib.postgres.fields.ArrayField(base_field=models.EmailField(max_length=254), help_text='E-mail addresses, comma-separated.', size=None)),
                ('is_active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'report subscription',
                'db_table': 'report_subscription',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='ViewSourceState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('view_name', models.CharField(max_length=63, unique=True)),
                ('source_signature', models.JSONField(help_text='Per source table: storage file and write counters')),
                ('refreshed_at', models.DateTimeField(help_text='Last successful refresh')),
                ('checked_at', models.DateTimeField(help_text='Last time the job found the view current')),
            ],
            options={
                'verbose_name': 'materialized view source state',
                'db_table': 'mv_source_state',
                'ordering': ['view_name'],
            },
        ),
        migrations.CreateModel(
            name='ComplianceReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('report_kind', models.CharField(choices=[('iso_compliance', 'ISO compliance (22400 OEE, 9001 quality, 14224 reliability, records)')], max_length=32)),
                ('period_kind', models.CharField(blank=True, choices=[('daily', 'Previous production day'), ('weekly', 'Previous ISO week'), ('monthly', 'Previous month'), ('quarterly', 'Previous quarter')], max_length=16)),
                ('period_start', models.DateField(help_text='First production day covered')),
                ('period_end', models.DateField(help_text='Last production day covered (inclusive)')),
                ('generated_at', models.DateTimeField()),
                ('content_hash', models.CharField(help_text='SHA-256 of the HTML, PDF and CSV files', max_length=64)),
                ('html', models.TextField()),
                ('pdf', models.BinaryField()),
                ('csv_files', models.JSONField(default=dict, help_text='CSV data attached to the e-mail, by file name')),
                ('images', models.JSONField(default=dict, help_text='Chart PNGs (base64) by content id, embedded in the HTML')),
                ('summary', models.JSONField(default=dict, help_text='Per-section status and headline figures')),
            ],
            options={
                'verbose_name': 'compliance report',
                'db_table': 'compliance_report',
                'ordering': ['-period_start', 'report_kind'],
                'constraints': [models.UniqueConstraint(fields=('report_kind', 'period_start', 'period_end'), name='compliance_report_once_per_period'), models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='compliance_report_period_ordered')],
            },
        ),
        migrations.CreateModel(
            name='ReportDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('recipient', models.EmailField(max_length=254)),
                ('status', models.CharField(choices=[('claimed', 'Claimed (sending)'), ('sent', 'Sent')], default='claimed', max_length=8)),
                ('claimed_at', models.DateTimeField()),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('last_error', models.TextField(blank=True)),
                ('message_id', models.CharField(blank=True, max_length=255)),
                ('report', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='mfgplatform.compliancereport')),
                ('subscription', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='deliveries', to='mfgplatform.reportsubscription')),
            ],
            options={
                'verbose_name': 'report delivery',
                'verbose_name_plural': 'report deliveries',
                'db_table': 'report_delivery',
                'ordering': ['-claimed_at'],
                'constraints': [models.UniqueConstraint(fields=('report', 'recipient'), name='report_delivery_once_per_recipient'), models.CheckConstraint(condition=models.Q(('status', 'claimed'), ('sent_at__isnull', False), _connector='OR'), name='report_delivery_sent_has_time')],
            },
        ),
        migrations.CreateModel(
            name='OperationsStatus',
            fields=[],
            options={
                'verbose_name': 'operations status',
                'verbose_name_plural': 'operations status',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('mfgplatform.viewsourcestate',),
        ),
    ]
