"""The real sample compilation, imported and downloaded whole: codes restored in every title,
placeholders and Latin words kept, Word headings and a table of contents for its articles."""
import re

import pytest
from django.urls import reverse

from articles.importer import import_compilation
from articles.models import Article
from tests.factories import make_user

from .utils import docx_xml, open_docx

# A code letter next to a Han character (D建, 以T教育) — none may survive restoration.
_HAN = "[\u4e00-\u9fff]"
LEFTOVER_CODE = re.compile(
    rf"(?<![A-Za-z])(?:DK|D|T)(?={_HAN})|(?<={_HAN})(?:DK|D|T)(?![A-Za-z])"
)


@pytest.mark.django_db
def test_real_compilation_downloads_restored_with_headings_and_contents(client, sample_path):
    compilation = import_compilation(sample_path, publish=True).compilation
    titles = [a.display_title for a in Article.objects.in_compilation(compilation)]
    assert len(titles) >= 7
    client.force_login(make_user("会员样本", group="会员"))  # the sample's paid part needs one

    response = client.get(reverse("articles:compilation_download", args=[compilation.pk, "docx"]))
    assert response.status_code == 200
    document = open_docx(response.content)
    article_titles = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert article_titles == titles
    assert any(p.style.name in ("Heading 2", "Heading 3") for p in document.paragraphs)
    xml = docx_xml(response.content)
    assert 'TOC \\o "1-1"' in xml
    assert "以主题教育深化“六型”模范机关建设" in titles

    text = client.get(
        reverse("articles:compilation_download", args=[compilation.pk, "txt"])
    ).content.decode("utf-8-sig")
    assert not LEFTOVER_CODE.search(text), LEFTOVER_CODE.search(text)
    assert "XX市" in text and "APP" in text  # placeholders and Latin words stay as written
