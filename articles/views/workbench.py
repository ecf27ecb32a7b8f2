"""The workbench's pages: an overview, a folder, the clips, a draft's outline, a follow.
Each shows what ``workbench.selectors`` reads in a fixed number of queries; every change is
made by the page's script through the JSON interface (``articles.api.workbench``)."""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from ..workbench import follows as follow_rules
from ..workbench import selectors, services
from ..workbench.access import shown_text, source_states
from ..workbench.models import Draft, DraftItem, Folder, Follow
from ..workbench.sources import source_line

CLIPS_PER_PAGE = 50


def _own(model, user, pk):
    row = model.objects.owned_by(user).filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def _decorate(user, rows):
    """Each clip or clip item with ``shown``, ``state`` and ``source``: one or two queries."""
    states = source_states(user, rows)
    for row in rows:
        row.state = states.get(row.pk)
        row.shown = shown_text(row, row.state)
        row.source = source_line(row)
    return rows


@never_cache
@login_required
def home(request):
    follows = list(Follow.objects.owned_by(request.user))
    counts = follow_rules.new_counts(follows, request.user)
    for follow in follows:
        follow.new = counts[follow.pk]
    clips = _decorate(request.user, list(selectors.clips_for(request.user)[:10]))
    return render(request, "workbench/home.html", {
        "folders": selectors.folders_with_counts(request.user),
        "drafts": selectors.drafts_with_counts(request.user),
        "follows": follows, "clips": clips,
    })


@never_cache
@login_required
def folder(request, pk):
    folder = _own(Folder, request.user, pk)
    items = list(selectors.folder_items(folder)[:services.MAX_FOLDER_ARTICLES])
    return render(request, "workbench/folder.html", {"folder": folder, "items": items})


@never_cache
@login_required
def clips(request):
    params = request.GET
    q = params.get("q", "")[:200]
    ids = {}
    for name in ("article", "agency", "compilation"):
        value = params.get(name, "")
        ids[name] = int(value) if value.isdigit() and len(value) < 18 else None
    queryset = selectors.clips_for(request.user, q=q, tag=params.get("tag", "")[:20], **ids)
    from django.core.paginator import Paginator

    page = Paginator(queryset, CLIPS_PER_PAGE).get_page(params.get("page"))
    return render(request, "workbench/clips.html", {
        "page_obj": page, "clips": _decorate(request.user, list(page.object_list)), "q": q,
        "sources": selectors.clip_sources(request.user), "chosen": ids,
        "drafts": selectors.drafts_with_counts(request.user),
    })


@never_cache
@login_required
def draft(request, pk):
    draft = _own(Draft, request.user, pk)
    items = list(selectors.draft_items(draft))
    _decorate(request.user, [i for i in items if i.kind == DraftItem.Kind.CLIP])
    recent = _decorate(request.user, list(selectors.clips_for(request.user)[:30]))
    return render(request, "workbench/draft.html", {
        "draft": draft, "items": items, "recent_clips": recent,
        "max_items": services.MAX_DRAFT_ITEMS,
    })


@login_required
def follow(request, pk):
    """Open a follow: its results, and from now on nothing counts as new."""
    follow = _own(Follow, request.user, pk)
    services.follow_seen(follow=follow)
    return redirect(follow_rules.results_url(follow))
