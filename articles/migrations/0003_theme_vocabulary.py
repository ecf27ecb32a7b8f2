"""Seed the themes and the keyword vocabulary the importer suggests them from. Editors
change both in the admin (主题, 主题关键词)."""
from django.db import migrations

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


def slugify_cn(name):
    return name  # Chinese names are their own unique, URL-safe (percent-encoded) slugs.


def seed(apps, schema_editor):
    Theme = apps.get_model("articles", "Theme")
    ThemeKeyword = apps.get_model("articles", "ThemeKeyword")
    for name, keywords in VOCABULARY.items():
        theme, _ = Theme.objects.get_or_create(name=name, defaults={"slug": slugify_cn(name)})
        for keyword in keywords:
            ThemeKeyword.objects.get_or_create(keyword=keyword, defaults={"theme": theme})


def unseed(apps, schema_editor):
    apps.get_model("articles", "ThemeKeyword").objects.filter(
        keyword__in=[k for words in VOCABULARY.values() for k in words]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_editor_and_member_groups")]

    operations = [migrations.RunPython(seed, unseed)]
