"""Agency aliases: the names merged into an agency, so an import naming them finds it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0011_write_path'),
    ]

    operations = [
        migrations.CreateModel(
            name='AgencyAlias',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='名称')),
                ('region', models.CharField(blank=True, max_length=50, verbose_name='地区')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='aliases', to='articles.agency', verbose_name='机关')),
            ],
            options={
                'verbose_name': '机关别名',
                'verbose_name_plural': '机关别名',
                'constraints': [models.UniqueConstraint(fields=('name', 'region'), name='agency_alias_unique')],
            },
        ),
    ]
