"""The schema of every model, squashed from the first twelve migrations before the first
deploy, with the data they seeded: the 编辑 and 会员 groups, the themes with the keyword
vocabulary the importer suggests them from, and the library's state row. The search index (tables outside Django's
models) is created by the next migration, with its SQL frozen there.

A database migrated through 0001–0012 is taken as having applied this one (``replaces``)."""
import django.db.models.deletion
import simple_history.models
import taggit.managers
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

EDITOR, MEMBER = "编辑", "会员"
VOCABULARY = {
    "清廉机关": ["清廉", "廉政", "廉洁", "反腐", "拒腐", "倡廉"],
    "党建": ["党建", "党组织", "党支部", "党员", "党组", "党委", "党课", "主题党日"],
    "作风建设": ["作风", "四风", "八项规定", "正风肃纪"],
    "模范机关": ["模范机关"],
    "学习型机关": ["学习型", "理论学习", "读书班"],
    "服务型机关": ["服务型", "为民办实事", "我为群众办实事"],
    "效能型机关": ["效能型", "效能"],
    "政治建设": ["政治建设", "政治机关", "两个维护"],
    "精神文明建设": ["文明创建", "文明城市", "文明单位", "精神文明"],
    "主题教育": ["主题教育"],
    "意识形态": ["意识形态"],
    "志愿服务": ["志愿服务", "志愿者"],
}


def create_groups(apps, schema_editor):
    """编辑 with exactly the content permissions (created now: Django makes permissions only
    after all migrations), and 会员 for readers of members-only text."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.set(Permission.objects.filter(content_type__app_label="articles"))
    Group.objects.get_or_create(name=MEMBER)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITOR, MEMBER]).delete()


def seed_themes(apps, schema_editor):
    Theme = apps.get_model("articles", "Theme")
    ThemeKeyword = apps.get_model("articles", "ThemeKeyword")
    for name, keywords in VOCABULARY.items():
        # Chinese names are their own unique, URL-safe (percent-encoded) slugs.
        theme, _ = Theme.objects.get_or_create(name=name, defaults={"slug": name})
        for keyword in keywords:
            ThemeKeyword.objects.get_or_create(keyword=keyword, defaults={"theme": theme})


def create_library_state(apps, schema_editor):
    """The one row holding the library version (``articles.library``): made here, so no
    reader's request has to write it."""
    import time

    apps.get_model("articles", "LibraryState").objects.get_or_create(
        pk=1, defaults={"version": time.time_ns()}
    )


def unseed_themes(apps, schema_editor):
    apps.get_model("articles", "ThemeKeyword").objects.filter(
        keyword__in=[k for words in VOCABULARY.values() for k in words]
    ).delete()


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("articles", "0001_initial"),
        ("articles", "0002_editor_and_member_groups"),
        ("articles", "0003_theme_vocabulary"),
        ("articles", "0004_search_index"),
        ("articles", "0005_article_facet_index"),
        ("articles", "0006_article_list_indexes"),
        ("articles", "0007_search_prefix_index"),
        ("articles", "0008_search_tier_indexes"),
        ("articles", "0009_search_heads_index"),
        ("articles", "0010_search_grams"),
        ("articles", "0011_write_path"),
        ("articles", "0012_agency_alias"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name='Initiative',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                ('slug', models.SlugField(allow_unicode=True, max_length=100, unique=True, verbose_name='slug')),
                ('description', models.TextField(blank=True, verbose_name='说明')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
            ],
            options={
                'verbose_name': '举措',
                'verbose_name_plural': '举措',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='LibraryState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.BigIntegerField(default=0, verbose_name='资料库版本')),
                ('next_release_at', models.DateTimeField(blank=True, null=True, verbose_name='下次定时发布')),
            ],
            options={
                'verbose_name': '资料库状态',
                'verbose_name_plural': '资料库状态',
            },
        ),
        migrations.CreateModel(
            name='Theme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                ('slug', models.SlugField(allow_unicode=True, max_length=100, unique=True, verbose_name='slug')),
                ('description', models.TextField(blank=True, verbose_name='说明')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
            ],
            options={
                'verbose_name': '主题',
                'verbose_name_plural': '主题',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Agency',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='如：市审计局、县委组织部。', max_length=100, verbose_name='名称')),
                ('level', models.CharField(choices=[('省', '省'), ('市', '市'), ('州', '州'), ('县', '县'), ('区', '区'), ('乡镇', '乡镇'), ('其他', '其他')], db_index=True, default='其他', max_length=4, verbose_name='层级')),
                ('sector', models.CharField(blank=True, db_index=True, help_text='所属系统，如：审计、民政、组织、文明办、交通运输。', max_length=30, verbose_name='系统')),
                ('region', models.CharField(blank=True, db_index=True, help_text='可留空；同名机关在不同地区时用它区分。', max_length=50, verbose_name='地区')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
            ],
            options={
                'verbose_name': '机关',
                'verbose_name_plural': '机关',
                'ordering': ['name', 'region'],
                'constraints': [models.UniqueConstraint(fields=('name', 'region'), name='agency_unique_name_region')],
            },
        ),
        migrations.CreateModel(
            name='Compilation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=300, verbose_name='标题')),
                ('declared_count', models.PositiveIntegerField(blank=True, help_text='标题中（N篇）的 N。', null=True, verbose_name='声明篇数')),
                ('source_name', models.CharField(blank=True, max_length=255, verbose_name='来源文件名')),
                ('checksum', models.CharField(blank=True, db_index=True, help_text='导入文件的 SHA-256；同一文件再次导入时据此识别为未变化。', max_length=64, verbose_name='文件校验和')),
                ('status', models.CharField(choices=[('draft', '草稿'), ('scheduled', '定时发布'), ('published', '已发布')], db_index=True, default='draft', max_length=10, verbose_name='状态')),
                ('published_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='发布时间')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
            ],
            options={
                'verbose_name': '汇编',
                'verbose_name_plural': '汇编',
                'ordering': ['-published_at', '-id'],
                'indexes': [models.Index(fields=['status', '-published_at'], name='compilation_pub_idx')],
            },
        ),
        migrations.CreateModel(
            name='Article',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField(help_text='在汇编正文中的顺序，从 1 开始。', verbose_name='序号')),
                ('title', models.CharField(db_index=True, max_length=300, verbose_name='标题')),
                ('original_text', models.TextField(help_text='导入时的正文（保留 D建 等代码）。修改后，显示文本、小标题和字数会重新生成。', verbose_name='原文')),
                ('text', models.TextField(editable=False, help_text='还原代码后的正文，用于显示和搜索。', verbose_name='显示文本')),
                ('sections', models.JSONField(blank=True, default=list, help_text='结构化正文：[{"heading": 小标题, "paragraphs": [段落…]}]，保留原文代码。', verbose_name='章节')),
                ('year', models.PositiveSmallIntegerField(blank=True, db_index=True, null=True, verbose_name='年份')),
                ('members_only', models.BooleanField(db_index=True, default=False, help_text='勾选后，未登录读者只能看到标题、信息和开头约150字。', verbose_name='仅会员可读')),
                ('status', models.CharField(choices=[('draft', '草稿'), ('scheduled', '定时发布'), ('published', '已发布')], db_index=True, default='draft', max_length=10, verbose_name='状态')),
                ('published_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='发布时间')),
                ('chars', models.PositiveIntegerField(default=0, editable=False, verbose_name='字数')),
                ('checksum', models.CharField(db_index=True, editable=False, max_length=64, verbose_name='正文校验和')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('version', models.PositiveIntegerField(default=1, editable=False, help_text='每次保存加一；编辑时据此发现他人已修改。', verbose_name='版本')),
                ('theme_names', models.TextField(blank=True, default='', verbose_name='主题')),
                ('initiative_names', models.TextField(blank=True, default='', verbose_name='举措')),
                ('agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='articles', to='articles.agency', verbose_name='机关')),
                ('compilation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='articles', to='articles.compilation', verbose_name='汇编')),
            ],
            options={
                'verbose_name': '文章',
                'verbose_name_plural': '文章',
                'ordering': ['-published_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalAgency',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(help_text='如：市审计局、县委组织部。', max_length=100, verbose_name='名称')),
                ('level', models.CharField(choices=[('省', '省'), ('市', '市'), ('州', '州'), ('县', '县'), ('区', '区'), ('乡镇', '乡镇'), ('其他', '其他')], db_index=True, default='其他', max_length=4, verbose_name='层级')),
                ('sector', models.CharField(blank=True, db_index=True, help_text='所属系统，如：审计、民政、组织、文明办、交通运输。', max_length=30, verbose_name='系统')),
                ('region', models.CharField(blank=True, db_index=True, help_text='可留空；同名机关在不同地区时用它区分。', max_length=50, verbose_name='地区')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '机关历史',
                'verbose_name_plural': 'historical 机关',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalArticle',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('position', models.PositiveIntegerField(help_text='在汇编正文中的顺序，从 1 开始。', verbose_name='序号')),
                ('title', models.CharField(db_index=True, max_length=300, verbose_name='标题')),
                ('original_text', models.TextField(help_text='导入时的正文（保留 D建 等代码）。修改后，显示文本、小标题和字数会重新生成。', verbose_name='原文')),
                ('sections', models.JSONField(blank=True, default=list, help_text='结构化正文：[{"heading": 小标题, "paragraphs": [段落…]}]，保留原文代码。', verbose_name='章节')),
                ('year', models.PositiveSmallIntegerField(blank=True, db_index=True, null=True, verbose_name='年份')),
                ('members_only', models.BooleanField(db_index=True, default=False, help_text='勾选后，未登录读者只能看到标题、信息和开头约150字。', verbose_name='仅会员可读')),
                ('status', models.CharField(choices=[('draft', '草稿'), ('scheduled', '定时发布'), ('published', '已发布')], db_index=True, default='draft', max_length=10, verbose_name='状态')),
                ('published_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='发布时间')),
                ('chars', models.PositiveIntegerField(default=0, editable=False, verbose_name='字数')),
                ('checksum', models.CharField(db_index=True, editable=False, max_length=64, verbose_name='正文校验和')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='更新时间')),
                ('version', models.PositiveIntegerField(default=1, editable=False, help_text='每次保存加一；编辑时据此发现他人已修改。', verbose_name='版本')),
                ('theme_names', models.TextField(blank=True, default='', verbose_name='主题')),
                ('initiative_names', models.TextField(blank=True, default='', verbose_name='举措')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('agency', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='articles.agency', verbose_name='机关')),
                ('compilation', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='articles.compilation', verbose_name='汇编')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '文章历史',
                'verbose_name_plural': 'historical 文章',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalCompilation',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('title', models.CharField(max_length=300, verbose_name='标题')),
                ('declared_count', models.PositiveIntegerField(blank=True, help_text='标题中（N篇）的 N。', null=True, verbose_name='声明篇数')),
                ('source_name', models.CharField(blank=True, max_length=255, verbose_name='来源文件名')),
                ('checksum', models.CharField(blank=True, db_index=True, help_text='导入文件的 SHA-256；同一文件再次导入时据此识别为未变化。', max_length=64, verbose_name='文件校验和')),
                ('status', models.CharField(choices=[('draft', '草稿'), ('scheduled', '定时发布'), ('published', '已发布')], db_index=True, default='draft', max_length=10, verbose_name='状态')),
                ('published_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='发布时间')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='更新时间')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '汇编历史',
                'verbose_name_plural': 'historical 汇编',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalInitiative',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(db_index=True, max_length=100, verbose_name='name')),
                ('slug', models.SlugField(allow_unicode=True, max_length=100, verbose_name='slug')),
                ('description', models.TextField(blank=True, verbose_name='说明')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '举措历史',
                'verbose_name_plural': 'historical 举措',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalTheme',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(db_index=True, max_length=100, verbose_name='name')),
                ('slug', models.SlugField(allow_unicode=True, max_length=100, verbose_name='slug')),
                ('description', models.TextField(blank=True, verbose_name='说明')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '主题历史',
                'verbose_name_plural': 'historical 主题',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='TaggedInitiative',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('content_object', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='articles.article')),
                ('tag', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tagged_articles', to='articles.initiative')),
            ],
            options={
                'verbose_name': '文章举措',
                'verbose_name_plural': '文章举措',
            },
        ),
        migrations.AddField(
            model_name='article',
            name='initiatives',
            field=taggit.managers.TaggableManager(blank=True, help_text='用逗号、顿号或分号分隔，如：三突出三强化、四点聚力。', through='articles.TaggedInitiative', to='articles.Initiative', verbose_name='举措'),
        ),
        migrations.CreateModel(
            name='TaggedTheme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('content_object', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='articles.article')),
                ('tag', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tagged_articles', to='articles.theme')),
            ],
            options={
                'verbose_name': '文章主题',
                'verbose_name_plural': '文章主题',
            },
        ),
        migrations.AddField(
            model_name='article',
            name='themes',
            field=taggit.managers.TaggableManager(blank=True, help_text='用逗号、顿号或分号分隔，如：清廉机关、党建。', through='articles.TaggedTheme', to='articles.Theme', verbose_name='主题'),
        ),
        migrations.CreateModel(
            name='ThemeKeyword',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('keyword', models.CharField(max_length=50, unique=True, verbose_name='关键词')),
                ('theme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='keywords', to='articles.theme', verbose_name='主题')),
            ],
            options={
                'verbose_name': '主题关键词',
                'verbose_name_plural': '主题关键词',
                'ordering': ['keyword'],
            },
        ),
        migrations.CreateModel(
            name='TocEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField(verbose_name='序号')),
                ('title', models.CharField(max_length=300, verbose_name='标题')),
                ('page', models.PositiveIntegerField(blank=True, null=True, verbose_name='页码')),
                ('article', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='toc_entries', to='articles.article', verbose_name='对应文章')),
                ('compilation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='toc_entries', to='articles.compilation', verbose_name='汇编')),
            ],
            options={
                'verbose_name': '目录条目',
                'verbose_name_plural': '目录条目',
                'ordering': ['compilation', 'position'],
            },
        ),
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
        migrations.AddConstraint(
            model_name='taggedinitiative',
            constraint=models.UniqueConstraint(fields=('content_object', 'tag'), name='tagged_initiative_unique'),
        ),
        migrations.AddConstraint(
            model_name='taggedtheme',
            constraint=models.UniqueConstraint(fields=('content_object', 'tag'), name='tagged_theme_unique'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['status', '-published_at', '-id'], name='article_pub_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['agency', 'status'], name='article_agency_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['year', 'status'], name='article_year_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['status', '-published_at', '-id', 'compilation', 'agency', 'year'], name='article_list_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['status', 'title', 'id', 'compilation', 'agency', 'year'], name='article_title_list_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['agency', 'status', '-published_at', '-id', 'compilation', 'year'], name='article_agency_list_idx'),
        ),
        migrations.AddConstraint(
            model_name='article',
            constraint=models.UniqueConstraint(fields=('compilation', 'position'), name='article_unique_position'),
        ),
        migrations.AddConstraint(
            model_name='tocentry',
            constraint=models.UniqueConstraint(fields=('compilation', 'position'), name='toc_unique_position'),
        ),
        migrations.RunPython(create_groups, remove_groups),
        migrations.RunPython(seed_themes, unseed_themes),
        migrations.RunPython(create_library_state, migrations.RunPython.noop),
    ]
