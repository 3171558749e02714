"""Schema: evidence rules (取证规则) per minor class, major class or global default; 0012
seeds the defaults. Reversing drops the table."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0010_remove_event_reporter_phone'),
    ]

    operations = [
        migrations.CreateModel(
            name='EvidenceRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('is_global', models.BooleanField(default=False, verbose_name='全局默认')),
                ('complete_photo', models.BooleanField(default=True, verbose_name='处置完毕须上传照片')),
                ('complete_place', models.BooleanField(default=False, verbose_name='处置完毕须在现场定位')),
                ('verify_photo', models.BooleanField(default=True, verbose_name='核查须上传照片')),
                ('verify_place', models.BooleanField(default=False, verbose_name='核查须在现场定位')),
                ('radius_m', models.PositiveIntegerField(default=200, verbose_name='现场范围(米)')),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='更新时间')),
                ('category', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evidence_rule', to='events.minorcategory', verbose_name='事件小类')),
                ('major', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evidence_rule', to='events.majorcategory', verbose_name='事件大类')),
            ],
            options={
                'verbose_name': '取证规则',
                'verbose_name_plural': '取证规则',
                'ordering': ['major__code', 'category__code'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('category__isnull', False), ('is_global', False), ('major__isnull', True)), models.Q(('category__isnull', True), ('is_global', False), ('major__isnull', False)), models.Q(('category__isnull', True), ('is_global', True), ('major__isnull', True)), _connector='OR'), name='events_evidence_rule_one_scope'), models.UniqueConstraint(condition=models.Q(('is_global', True)), fields=('is_global',), name='events_evidence_rule_one_global')],
            },
        ),
    ]
