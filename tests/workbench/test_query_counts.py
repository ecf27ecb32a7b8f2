"""Every workbench page and list answers in the same number of queries whatever its size."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.workbench import services
from tests.factories import make_article

from .conftest import JsonClient

pytestmark = pytest.mark.django_db


def grow(reader, library, n):
    """n more of everything: folders with articles, clips, draft items, follows."""
    articles = [make_article(compilation=library["compilation"], title=f"第{i}篇材料",
                             original_text=f"一、做法\n第{i}篇的第一段。", members_only=i % 2 == 0)
                for i in range(n)]
    folder = services.folder_create(owner=reader, name=f"收藏{services.Folder.objects.count()}")
    draft = services.draft_create(owner=reader, title=f"稿{services.Draft.objects.count()}")
    for article in articles:
        services.folder_add_article(folder=folder, user=reader, article_id=article.pk)
        clip = services.clip_create(owner=reader, article_id=article.pk, paragraph=2)
        services.draft_add_item(draft=draft, owner=reader, clip_id=clip.pk)
        services.draft_add_item(draft=draft, owner=reader, heading=f"标题{article.pk}")
    return folder, draft


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("url", [
    "/api/folders/", "/api/folders/{folder}/", "/api/clips/", "/api/drafts/",
    "/api/drafts/{draft}/", "/workbench/", "/workbench/clips/", "/workbench/folders/{folder}/",
    "/workbench/drafts/{draft}/",
])
def test_constant_queries(reader, library, url):
    api = JsonClient(reader)
    folder, draft = grow(reader, library, 2)
    small = queries(api.client, url.format(folder=folder.pk, draft=draft.pk))
    more_folder, more_draft = grow(reader, library, 25)
    # The same folder and draft grown (the other one stays for the lists).
    for article_id in more_folder.items.values_list("article_id", flat=True):
        services.folder_add_article(folder=folder, user=reader, article_id=article_id)
    for item in list(more_draft.items.all()):
        item.pk, item.draft = None, draft
        item.position += 1000
        item.save()
    large = queries(api.client, url.format(folder=folder.pk, draft=draft.pk))
    assert large == small, f"{url}: {small} queries with 2 rows, {large} with 27"
