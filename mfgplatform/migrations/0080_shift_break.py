"""Positioned shift breaks: break windows (local start + length) as master data with history, in place
of a shift's unpositioned break minutes; `planned_break_minutes` stays as the total of the windows, kept
from them (0081 positions the existing minutes)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

class Migration(migrations.Migration):

    dependencies = [
        ('mfgplatform', '0061_day_aggregates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='dimshift',
            name='planned_break_minutes',
            field=models.PositiveSmallIntegerField(default=0, editable=False, help_text="Total length of the shift's break windows (kept from them; the windows are what counts)."),
        ),
        migrations.AlterField(
            model_name='historicaldimshift',
            name='planned_break_minutes',
            field=models.PositiveSmallIntegerField(default=0, editable=False, help_text="Total length of the shift's break windows (kept from them; the windows are what counts)."),
        ),
        migrations.CreateModel(
            name='HistoricalShiftBreak',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('start_time', models.TimeField(help_text="Local wall-clock start; earlier than the shift's start means after midnight (night shift).")),
                ('minutes', models.PositiveSmallIntegerField(help_text='Length in elapsed minutes.')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('shift', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='mfgplatform.dimshift')),
            ],
            options={
                'verbose_name': 'historical shift break',
                'verbose_name_plural': 'historical shift breaks',
                'db_table': 'dim_shift_break_history',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ShiftBreak',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('start_time', models.TimeField(help_text="Local wall-clock start; earlier than the shift's start means after midnight (night shift).")),
                ('minutes', models.PositiveSmallIntegerField(help_text='Length in elapsed minutes.')),
                ('shift', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='breaks', to='mfgplatform.dimshift')),
            ],
            options={
                'verbose_name': 'shift break',
                'db_table': 'dim_shift_break',
                'ordering': ['shift', 'start_time'],
                'constraints': [models.UniqueConstraint(fields=('shift', 'start_time'), name='dim_shift_break_unique_start'), models.CheckConstraint(condition=models.Q(('minutes__gte', 1)), name='dim_shift_break_minutes_positive', violation_error_message='A break lasts at least one minute.')],
            },
        ),
    ]
