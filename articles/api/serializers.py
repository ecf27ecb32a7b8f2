"""How the API shows the library's records."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Agency, Article, Compilation, Initiative, Theme
from ..permissions import can_read_full
from ..text import teaser


class AgencySerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    region = serializers.CharField(source="region_id", allow_null=True, read_only=True,
                                   help_text="地区的行政区划代码（省 2 位、地 4 位、县 6 位），无则为 null")
    region_path = serializers.SerializerMethodField(help_text="地区：省 › 地 › 县，无则为空")

    class Meta:
        model = Agency
        fields = ("id", "name", "level", "sector", "region", "region_path", "url")

    def get_region_path(self, agency) -> str:
        from ..regions import gazetteer

        return gazetteer().path(agency.region_id)


class TagSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url")


class ThemeSerializer(TagSerializer, serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ("name", "slug", "description", "url")


class InitiativeSerializer(TagSerializer, serializers.ModelSerializer):
    class Meta:
        model = Initiative
        fields = ("name", "slug", "description", "url")


class CompilationSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Compilation
        fields = ("id", "title", "declared_count", "published_at", "url")


class ArticleListSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="display_title")
    url = serializers.CharField(source="get_absolute_url")
    agency = AgencySerializer(allow_null=True)
    compilation = serializers.IntegerField(source="compilation_id")
    themes = serializers.SerializerMethodField()
    initiatives = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ("id", "title", "url", "agency", "compilation", "position", "year",
                  "published_at", "members_only", "chars", "themes", "initiatives")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_themes(self, article):
        return [t.name for t in getattr(article, "theme_list", None) or article.themes.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_initiatives(self, article):
        return [t.name for t in getattr(article, "initiative_list", None)
                or article.initiatives.all()]


class SectionSerializer(serializers.Serializer):
    heading = serializers.CharField(allow_blank=True)
    paragraphs = serializers.ListField(child=serializers.CharField(allow_blank=True))


class ArticleDetailSerializer(ArticleListSerializer):
    """An article with its text: the whole of it for whoever may read it in full
    (``full``: true), otherwise its free preview alone (``text`` is the preview, no
    sections)."""

    compilation = CompilationSerializer()
    full = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()

    class Meta(ArticleListSerializer.Meta):
        fields = (*ArticleListSerializer.Meta.fields, "full", "text", "sections")

    def _full(self, article) -> bool:
        return can_read_full(self.context["request"].user, article)

    @extend_schema_field(serializers.BooleanField())
    def get_full(self, article):
        return self._full(article)

    @extend_schema_field(serializers.CharField())
    def get_text(self, article):
        return article.text if self._full(article) else teaser(article.text)

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, article):
        if not self._full(article):
            return []
        return [{"heading": str(s.get("heading") or ""),
                 "paragraphs": [str(p) for p in s.get("paragraphs") or []]}
                for s in article.display_sections or [] if isinstance(s, dict)]


class CompilationDetailSerializer(CompilationSerializer):
    articles = serializers.SerializerMethodField()

    class Meta(CompilationSerializer.Meta):
        fields = (*CompilationSerializer.Meta.fields, "articles")

    @extend_schema_field(ArticleListSerializer(many=True))
    def get_articles(self, compilation):
        return ArticleListSerializer(self.context["articles"], many=True,
                                     context=self.context).data


class SearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    agency = serializers.CharField(allow_null=True)
    snippets = serializers.ListField(child=serializers.CharField())


class SearchAnswerSerializer(serializers.Serializer):
    query = serializers.CharField(allow_blank=True)
    total = serializers.IntegerField()
    match = serializers.ChoiceField(choices=["exact", "loose"])
    results = SearchResultSerializer(many=True)
