/* The workbench's own pages (/workbench/…): the overview, a folder, the clips and a draft.
 * The pages are rendered by the server; this script makes their controls work through the
 * JSON API, with the helpers of workbench.js (loaded before it). */
(function () {
  "use strict";

  const { api, busy, onSubmit, say, h, format, apiUrl, editInline, copyWithSource, download } =
    window.Workbench;
  const _ = window.gettext || ((text) => text);

  /* The first element of a <template data-…> filled for a new row. */
  function fromTemplate(template) {
    return template.content.firstElementChild.cloneNode(true);
  }

  /* Handle clicks on `selector` inside `root` (rows added later included). */
  function on(root, selector, handler) {
    root.addEventListener("click", (event) => {
      const control = event.target.closest(selector);
      if (control && root.contains(control)) handler(control, event);
    });
  }

  // --- /workbench/ -------------------------------------------------------------------------

  function homePage(root) {
    const folderList = root.querySelector("[data-folder-list]");

    onSubmit(root.querySelector("[data-create-folder]"), async (values, form) => {
      const folder = await api("POST", apiUrl("folders"), { name: values.name });
      const row = fromTemplate(root.querySelector("[data-folder-template]"));
      row.dataset.folder = folder.id;
      const link = row.querySelector("[data-name]");
      link.textContent = folder.name;
      link.href = folder.url;
      const empty = folderList.querySelector("[data-empty]");
      if (empty) empty.remove();
      folderList.append(row);
      form.reset();
      say(format(_("已新建收藏夹「%(name)s」。"), { name: folder.name }));
    });

    on(folderList, "[data-rename]", (button) => {
      const row = button.closest("[data-folder]");
      const link = row.querySelector("[data-name]");
      editInline(link, button, [{ name: "name", label: _("收藏夹名称"), value: link.textContent,
                                  maxlength: 60, required: true }], async (values) => {
        const folder = await api("PATCH", apiUrl("folders", row.dataset.folder),
                                 { name: values.name });
        link.textContent = folder.name;
        say(format(_("已改名为「%(name)s」。"), { name: folder.name }));
      });
    });

    on(folderList, "[data-delete]", (button) => {
      const row = button.closest("[data-folder]");
      const name = row.querySelector("[data-name]").textContent;
      if (!window.confirm(format(_("删除收藏夹「%(name)s」？其中的文章本身不受影响。"), { name }))) {
        return;
      }
      busy(button, async () => {
        await api("DELETE", apiUrl("folders", row.dataset.folder));
        row.remove();
        say(format(_("已删除收藏夹「%(name)s」。"), { name }));
        root.querySelector("[data-create-folder] input").focus();
      });
    });

    onSubmit(root.querySelector("[data-create-draft]"), async (values) => {
      const draft = await api("POST", apiUrl("drafts"), { title: values.title });
      location.assign(draft.url);
    });

    root.querySelectorAll("[data-follow]").forEach((row) => followRow(row));
  }

  function followRow(row) {
    const url = apiUrl("follows", row.dataset.follow);
    const feed = row.querySelector("[data-feed-url]");
    const digest = row.querySelector("[data-digest]");

    row.querySelector("[data-copy-feed]").addEventListener("click", () => {
      window.huibianCopyText(feed.value).then((ok) => {
        say(ok ? _("已复制订阅地址。") : _("复制失败，请手动选择地址。"), { error: !ok });
        if (!ok) feed.select();
      });
    });
    feed.addEventListener("focus", () => feed.select());

    digest.addEventListener("change", () => busy(digest, async () => {
      const wanted = digest.checked;
      try {
        await api("PATCH", url, { digest: wanted });
      } catch (error) {
        digest.checked = !wanted;
        throw error;
      }
      say(wanted ? _("已开启每日邮件摘要。") : _("已关闭每日邮件摘要。"));
    }));

    const token = row.querySelector("[data-new-token]");
    token.addEventListener("click", () => {
      if (!window.confirm(_("更换后，旧的订阅地址立即失效，需要在阅读器中改用新地址。继续吗？"))) return;
      busy(token, async () => {
        const follow = await api("POST", `${url}token/`);
        feed.value = follow.feed_url;
        say(_("已更换订阅地址，旧地址已失效。"));
      });
    });

    const unfollow = row.querySelector("[data-unfollow]");
    unfollow.addEventListener("click", () => {
      const label = row.querySelector(".wb-row-title").textContent;
      if (!window.confirm(format(_("取消关注「%(label)s」？"), { label }))) return;
      busy(unfollow, async () => {
        await api("DELETE", url);
        row.remove();
        say(format(_("已取消关注「%(label)s」。"), { label }));
      });
    });
  }

  // --- a folder --------------------------------------------------------------------------

  function folderPage(root) {
    const id = root.dataset.folder;
    const title = root.querySelector("[data-folder-name]");
    const chosen = () => Array.from(root.querySelectorAll("[data-choose]:checked"));
    const all = root.querySelector("[data-select-all]");
    const count = root.querySelector("[data-selected-count]");
    const rows = () => Array.from(root.querySelectorAll("[data-folder-article]"));

    function refresh() {
      const n = chosen().length;
      const total = rows().length;
      if (count) count.textContent = format(_("已选 %(n)s 篇"), { n });
      if (all) {
        all.checked = total > 0 && n === total;
        all.indeterminate = n > 0 && n < total;
      }
      root.querySelector("[data-folder-count]").textContent = format(_("共 %(n)s 篇"), { n: total });
      root.querySelector("[data-empty]").hidden = total > 0;
    }

    root.addEventListener("change", (event) => {
      if (event.target === all) {
        root.querySelectorAll("[data-choose]").forEach((box) => { box.checked = all.checked; });
      }
      refresh();
    });

    /* The selected ids, or a message when there are none. */
    function selection() {
      const ids = chosen().map((box) => box.value);
      if (!ids.length) say(_("请先勾选文章。"), { error: true });
      return ids;
    }

    on(root, "[data-export-selected]", (button) => {
      const ids = selection();
      if (ids.length) download(
        `${button.dataset.exportSelected}?articles=${ids.join(",")}`, button);
    });

    on(root, "[data-remove-selected]", (button) => {
      const ids = selection();
      if (!ids.length) return;
      if (!window.confirm(format(_("把所选的 %(n)s 篇移出收藏夹？"), { n: ids.length }))) return;
      busy(button, async () => {
        for (const article of ids) {
          await api("DELETE", apiUrl("folders", id, "articles", article));
          root.querySelector(`[data-folder-article="${article}"]`).remove();
        }
        refresh();
        say(format(_("已移出 %(n)s 篇。"), { n: ids.length }));
      });
    });

    on(root, "[data-rename]", (button) => {
      editInline(title, button, [{ name: "name", label: _("收藏夹名称"), value: title.textContent,
                                   maxlength: 60, required: true }], async (values) => {
        const folder = await api("PATCH", apiUrl("folders", id), { name: values.name });
        title.textContent = folder.name;
        document.title = document.title.replace(/^[^·]*·/, `${folder.name} ·`);
        say(format(_("已改名为「%(name)s」。"), { name: folder.name }));
      });
    });

    on(root, "[data-delete-folder]", (button) => {
      if (!window.confirm(format(_("删除收藏夹「%(name)s」？其中的文章本身不受影响。"),
                                 { name: title.textContent }))) return;
      busy(button, async () => {
        await api("DELETE", apiUrl("folders", id));
        location.assign(root.dataset.workbenchUrl);
      });
    });
    refresh();
  }

  // --- the clips -------------------------------------------------------------------------

  function clipsPage(root) {
    const clipOf = (control) => control.closest("[data-clip]");

    on(root, "[data-copy]", (button) => {
      const clip = clipOf(button);
      copyWithSource(clip.querySelector("[data-text]").textContent,
                     clip.querySelector("[data-source]").textContent);
    });

    on(root, "[data-edit]", (button) => {
      const clip = clipOf(button);
      const note = clip.querySelector("[data-note]");
      const meta = clip.querySelector("[data-meta]");
      editInline(meta, button, [
        { name: "note", label: _("笔记"), value: note.textContent, multiline: true,
          maxlength: 2000 },
        { name: "tags", label: _("标签（用顿号或逗号分隔）"), value: clip.dataset.tags,
          maxlength: 300 },
      ], async (values) => {
        const saved = await api("PATCH", apiUrl("clips", clip.dataset.clip),
                                { note: values.note, tags: values.tags });
        note.textContent = saved.note;
        note.hidden = !saved.note;
        clip.dataset.tags = saved.tags.join("、");
        clip.querySelector("[data-tag-list]").replaceChildren(...saved.tags.map((tag) =>
          h("li", null, h("a", { class: "tag", href: `?tag=${encodeURIComponent(tag)}`, text: tag }))));
        say(_("已保存笔记和标签。"));
      });
    });

    on(root, "[data-add-to-draft]", (button) => {
      const clip = clipOf(button);
      const select = clip.querySelector("[data-draft-choice]");
      busy(button, async () => {
        await api("POST", apiUrl("drafts", select.value, "items"), { clip: Number(clip.dataset.clip) });
        say(format(_("已加入组稿「%(title)s」。"),
                   { title: select.options[select.selectedIndex].textContent }));
      });
    });

    on(root, "[data-delete]", (button) => {
      const clip = clipOf(button);
      if (!window.confirm(_("删除这条摘抄？已加入组稿的内容仍保留在组稿中。"))) return;
      busy(button, async () => {
        await api("DELETE", apiUrl("clips", clip.dataset.clip));
        const next = clip.nextElementSibling || clip.previousElementSibling;
        clip.remove();
        say(_("已删除摘抄。"));
        if (next) next.querySelector("button, a").focus();
      });
    });
  }

  // --- a draft -----------------------------------------------------------------------------

  function draftPage(root) {
    const id = root.dataset.draft;
    const list = root.querySelector("[data-draft-items]");
    const items = () => Array.from(list.querySelectorAll(":scope > [data-item]"));
    const order = () => items().map((item) => Number(item.dataset.item));
    let saving = Promise.resolve();

    /* The edges' 上移/下移 say they cannot move further (aria-disabled keeps them focusable). */
    function refresh() {
      const all = items();
      all.forEach((item, index) => {
        item.querySelector('[data-move="up"]').setAttribute("aria-disabled", String(index === 0));
        item.querySelector('[data-move="down"]').setAttribute("aria-disabled",
                                                               String(index === all.length - 1));
      });
      root.querySelector("[data-empty]").hidden = all.length > 0;
    }

    /* Save the order on the page; moves made while one is saving are saved after it. When
     * saving fails, the page takes the server's order again. */
    function save() {
      const wanted = order();
      saving = saving.then(() => api("POST", apiUrl("drafts", id, "order"), { items: wanted }))
        .catch((error) => {
          say(error.message || _("保存顺序失败。"), { error: true });
          return api("GET", apiUrl("drafts", id)).then((draft) => {
            const byId = new Map(items().map((item) => [Number(item.dataset.item), item]));
            draft.items.forEach((entry) => { if (byId.has(entry.id)) list.append(byId.get(entry.id)); });
            refresh();
          }).catch(() => {});
        });
      return saving;
    }

    /* After a move: focus back where it was, announce the new place, save. */
    function moved(item, focus) {
      refresh();
      (focus && document.contains(focus) ? focus : item).focus();
      say(format(_("已移到第 %(n)s 项。"), { n: items().indexOf(item) + 1 }));
      save();
    }

    function move(item, by, focus) {
      const all = items();
      const to = all.indexOf(item) + by;
      if (to < 0 || to >= all.length) return;
      if (by < 0) all[to].before(item);
      else all[to].after(item);
      moved(item, focus);
    }

    on(list, "[data-move]", (button) => {
      if (button.getAttribute("aria-disabled") === "true") return;
      move(button.closest("[data-item]"), button.dataset.move === "up" ? -1 : 1, button);
    });

    list.addEventListener("keydown", (event) => {
      if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
      if (event.target.matches("input, textarea, select")) return;
      const item = event.target.closest("[data-item]");
      if (!item) return;
      event.preventDefault();
      move(item, event.key === "ArrowUp" ? -1 : 1, event.target);
    });

    // Drag and drop by the handle: the item follows the pointer, the order is saved on drop.
    let dragged = null;
    let before = null;
    list.addEventListener("dragstart", (event) => {
      const handle = event.target.closest && event.target.closest("[data-drag-handle]");
      if (!handle) return;
      dragged = handle.closest("[data-item]");
      before = order().join(",");
      dragged.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.item);
      event.dataTransfer.setDragImage(dragged, 12, 12);
    });
    list.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      const over = event.target.closest("[data-item]");
      if (!over || over === dragged) return;
      const box = over.getBoundingClientRect();
      if (event.clientY > box.top + box.height / 2) over.after(dragged);
      else over.before(dragged);
    });
    list.addEventListener("drop", (event) => {
      if (dragged) event.preventDefault();
    });
    list.addEventListener("dragend", () => {
      if (!dragged) return;
      const item = dragged;
      dragged = null;
      item.classList.remove("is-dragging");
      if (order().join(",") !== before) moved(item, null);
    });

    on(list, "[data-delete]", (button) => {
      const item = button.closest("[data-item]");
      if (!window.confirm(_("从提纲中删除这一项？"))) return;
      busy(button, async () => {
        await api("DELETE", apiUrl("drafts", id, "items", item.dataset.item));
        const next = item.nextElementSibling || item.previousElementSibling;
        item.remove();
        refresh();
        say(_("已删除这一项。"));
        (next || root.querySelector("[data-add] input")).focus();
      });
    });

    on(list, "[data-edit]", (button) => {
      const item = button.closest("[data-item]");
      const text = item.querySelector("[data-text]");
      const heading = item.dataset.kind === "heading";
      editInline(text, button, [{ name: "text", label: heading ? _("小标题") : _("正文"),
                                  value: text.textContent, multiline: !heading, required: true,
                                  maxlength: heading ? 200 : 20000 }], async (values) => {
        const saved = await api("PATCH", apiUrl("drafts", id, "items", item.dataset.item),
                                { text: values.text });
        text.textContent = saved.text;
        say(_("已保存。"));
      });
    });

    /* A new entry at the end, from what the API answered. */
    function append(entry) {
      const item = fromTemplate(root.querySelector(`[data-item-template="${entry.kind}"]`));
      item.dataset.item = entry.id;
      item.querySelector("[data-text]").textContent = entry.text;
      if (entry.source) {
        const source = item.querySelector("[data-source]");
        source.textContent = entry.source.line;
        if (entry.source.url) source.href = entry.source.url;
      }
      list.append(item);
      refresh();
      say(format(_("已添加为第 %(n)s 项。"), { n: items().length }));
    }

    root.querySelectorAll("[data-add]").forEach((form) => {
      onSubmit(form, async (values) => {
        append(await api("POST", apiUrl("drafts", id, "items"), values));
        form.reset();
        form.querySelector("input, textarea").focus();
      });
    });

    on(root, "[data-add-clip]", (button) => busy(button, async () => {
      append(await api("POST", apiUrl("drafts", id, "items"),
                       { clip: Number(button.dataset.addClip) }));
    }));

    const title = root.querySelector("[data-draft-title]");
    on(root, "[data-rename]", (button) => {
      editInline(title, button, [{ name: "title", label: _("组稿标题"), value: title.textContent,
                                   maxlength: 200, required: true }], async (values) => {
        const draft = await api("PATCH", apiUrl("drafts", id), { title: values.title });
        title.textContent = draft.title;
        document.title = document.title.replace(/^[^·]*·/, `${draft.title} ·`);
        say(_("已修改标题。"));
      });
    });

    on(root, "[data-delete-draft]", (button) => {
      if (!window.confirm(format(_("删除组稿「%(title)s」？此操作不能撤销，摘抄本身不受影响。"),
                                 { title: title.textContent }))) return;
      busy(button, async () => {
        await api("DELETE", apiUrl("drafts", id));
        location.assign(root.dataset.workbenchUrl);
      });
    });

    refresh();
  }

  // ----------------------------------------------------------------------------------------

  const pages = [["[data-workbench-home]", homePage], ["[data-folder-page]", folderPage],
                 ["[data-clip-list]", clipsPage], ["[data-draft-page]", draftPage]];
  for (const [selector, page] of pages) {
    const root = document.querySelector(selector);
    if (root) page(root);
  }
})();
