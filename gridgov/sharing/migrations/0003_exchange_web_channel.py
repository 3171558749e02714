"""Schema: the exchange evidence of a preview or download on the web (channel ``web``)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sharing', '0002_mask_exchange_params'),
    ]

    operations = [
        migrations.AlterField(
            model_name='exchangelog',
            name='channel',
            field=models.CharField(choices=[('exchange', '交换接口'), ('ckan', 'CKAN 接口'), ('web', '网页预览与下载')], max_length=20),
        ),
    ]
