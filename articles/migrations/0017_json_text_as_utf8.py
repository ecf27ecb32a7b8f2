"""The JSON fields that hold text keep Chinese as UTF-8 (``articles.fields.UnicodeJSONEncoder``).

Only how values are encoded changes, not the columns: the alteration is Django's state alone
(on SQLite an ``AlterField`` would copy every article into a new table for nothing). Values
written before read the same."""
from django.db import migrations, models

import articles.fields


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0016_import_job'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='article',
                name='sections',
                field=models.JSONField(blank=True, default=list, encoder=articles.fields.UnicodeJSONEncoder, help_text='结构化正文：[{"heading": 小标题, "paragraphs": [段落…]}]，保留原文代码。', verbose_name='章节'),
            ),
            migrations.AlterField(
                model_name='follow',
                name='params',
                field=models.JSONField(default=dict, encoder=articles.fields.UnicodeJSONEncoder, verbose_name='检索条件'),
            ),
            migrations.AlterField(
                model_name='historicalarticle',
                name='sections',
                field=models.JSONField(blank=True, default=list, encoder=articles.fields.UnicodeJSONEncoder, help_text='结构化正文：[{"heading": 小标题, "paragraphs": [段落…]}]，保留原文代码。', verbose_name='章节'),
            ),
            migrations.AlterField(
                model_name='importjob',
                name='edits',
                field=models.JSONField(blank=True, default=dict, encoder=articles.fields.UnicodeJSONEncoder, help_text='确认导入时预览表单提交的内容，由确认任务照原样写入。', verbose_name='预览中的修改'),
            ),
            migrations.AlterField(
                model_name='importjob',
                name='result',
                field=models.JSONField(blank=True, encoder=articles.fields.UnicodeJSONEncoder, help_text='预览：显示预览页所需的数据；确认：导入的汇编及其摘要。', null=True, verbose_name='结果'),
            ),
        ]),
    ]
