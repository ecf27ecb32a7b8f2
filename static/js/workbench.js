/* The writer's workbench on every page: clip and copy paragraphs of an article with their
 * source, collect articles into folders, follow searches, agencies, themes and initiatives.
 * Everything here enhances pages that work without it; changes go through the JSON API
 * (/api/folders/, /api/clips/, /api/drafts/, /api/follows/) with the session's CSRF token.
 * workbench-pages.js builds the workbench's own pages on what is exported at the end. */
(function () {
  "use strict";

  const body = document.body;
  const signedIn = body.hasAttribute("data-signed-in");
  const _ = window.gettext || ((text) => text);
  const format = (text, values) =>
    window.interpolate ? window.interpolate(text, values, !Array.isArray(values)) : text;
  body.setAttribute("data-js", "");

  // --- small DOM helper ------------------------------------------------------------------

  /* h("button", {type: "button", class: "x", text: "…", onclick: fn}, child, …) */
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "class") element.className = value;
      else if (name === "text") element.textContent = value;
      else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else element.setAttribute(name, value === true ? "" : value);
    }
    element.append(...children.filter((child) => child !== null && child !== undefined));
    return element;
  }

  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  // --- the status line (aria-live) -------------------------------------------------------

  const toast = document.querySelector("[data-wb-toast]");
  const statusLine = toast && toast.querySelector("[data-wb-status]");
  const statusActions = toast && toast.querySelector("[data-wb-actions]");
  const statusClose = toast && toast.querySelector("[data-wb-close]");
  let fadeTimer = null;
  let fadeAfter = 0;
  let returnFocus = null;

  /* Say something in the status line at the foot of the screen. It fades after a while
   * (not while the pointer or focus is in it); `actions` (elements) are offered beside the
   * message, and with `focus` the first of them takes the focus, which goes back to
   * `returnTo` when the line is closed. */
  function say(message, { error = false, actions = null, focus = false, returnTo = null } = {}) {
    if (!statusLine) return;
    toast.classList.toggle("is-error", error);
    toast.classList.add("is-open");
    statusActions.replaceChildren(...(actions || []));
    statusActions.hidden = !actions;
    statusClose.hidden = false;
    // Emptied first, so that the same message said twice is announced twice.
    statusLine.textContent = "";
    window.setTimeout(() => { statusLine.textContent = message; }, 30);
    fadeAfter = error || actions ? 15000 : 6000;
    returnFocus = focus ? returnTo : null;
    if (focus && actions) statusActions.querySelector("select, button, a").focus();
    fade();
  }

  function fade() {
    clearTimeout(fadeTimer);
    if (toast.contains(document.activeElement) || toast.matches(":hover")) return;
    fadeTimer = window.setTimeout(closeStatus, fadeAfter);
  }

  function closeStatus() {
    clearTimeout(fadeTimer);
    const hadFocus = toast.contains(document.activeElement);
    toast.classList.remove("is-open", "is-error");
    statusActions.replaceChildren();
    statusActions.hidden = true;
    statusClose.hidden = true;
    if (hadFocus && returnFocus && document.contains(returnFocus)) returnFocus.focus();
    returnFocus = null;
  }

  if (toast) {
    statusClose.addEventListener("click", closeStatus);
    toast.addEventListener("keydown", (event) => {
      if (event.key === "Escape") closeStatus();
    });
    ["mouseenter", "focusin"].forEach((name) =>
      toast.addEventListener(name, () => clearTimeout(fadeTimer)));
    toast.addEventListener("mouseleave", () => {
      if (toast.classList.contains("is-open")) fade();
    });
    toast.addEventListener("focusout", (event) => {
      if (!toast.contains(event.relatedTarget) && toast.classList.contains("is-open")) {
        window.setTimeout(fade);  // once the focus has left
      }
    });
  }

  // --- the JSON API ----------------------------------------------------------------------

  class ApiError extends Error {}

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) return meta.content;
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.split("=")[1]) : "";
  }

  /* One request to the workbench API: JSON in and out, the CSRF header on writes. Resolves
   * with the answer (null for 204); rejects with an ApiError holding the API's message. */
  async function api(method, url, data) {
    const headers = { Accept: "application/json" };
    const options = { method, headers, credentials: "same-origin" };
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
    if (data !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(data);
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (failure) {
      throw new ApiError(_("网络连接失败，请稍后重试。"));
    }
    if (response.status === 204) return null;
    const answer = await response.json().catch(() => null);
    if (!response.ok) {
      throw new ApiError((answer && answer.error) || format(_("操作失败（%s），请稍后重试。"),
                                                            [response.status]));
    }
    return answer;
  }

  /* Run `work` for a control (a button or a form) once at a time, and show a failure in the
   * status line. Meanwhile the control is aria-busy, not disabled, so it keeps the focus. */
  async function busy(control, work) {
    if (control.getAttribute("aria-busy") === "true") return undefined;
    control.setAttribute("aria-busy", "true");
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ApiError)) console.warn(error);  // a bug here, not the reader's
      say(error instanceof ApiError ? error.message : _("操作失败，请刷新页面后重试。"),
          { error: true });
      return undefined;
    } finally {
      control.removeAttribute("aria-busy");
    }
  }

  /* A form whose submission is `work(values)` instead of a page load. */
  function onSubmit(form, work) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const values = Object.fromEntries(new FormData(form));
      busy(form, () => work(values, form));
    });
  }

  const apiUrl = (name, ...parts) =>
    body.dataset[`api${name[0].toUpperCase()}${name.slice(1)}`] +
    parts.map((part) => `${part}/`).join("");

  /* The login page, then back here (to `anchor` if given). */
  function toLogin(anchor) {
    const back = location.pathname + location.search + (anchor ? `#${anchor}` : "");
    location.assign(`${body.dataset.loginUrl}?next=${encodeURIComponent(back)}`);
  }

  // --- copying ---------------------------------------------------------------------------

  /* The text, a newline, and its source line: what a writer pastes and cites. */
  function copyWithSource(text, source) {
    const copy = window.huibianCopyText;
    const done = copy ? copy(`${text}\n${source}`) : Promise.resolve(false);
    return done.then((ok) => say(ok ? _("已复制，并附上出处。") : _("复制失败，请手动选择文本。"),
                                 { error: !ok }));
  }

  // --- an inline editor ------------------------------------------------------------------

  /* Replace `shown` by a small form for `fields` ([{name, label, value, multiline, maxlength}])
   * until saved or cancelled; `save(values)` resolves when the API accepted them. */
  function editInline(shown, trigger, fields, save) {
    if (shown.nextElementSibling && shown.nextElementSibling.matches(".wb-edit")) return;
    const inputs = fields.map((field) => {
      const id = nextId("edit");
      const control = h(field.multiline ? "textarea" : "input", {
        id, name: field.name, maxlength: field.maxlength || null,
        rows: field.multiline ? 4 : null, type: field.multiline ? null : "text",
        required: field.required || null,
      });
      control.value = field.value || "";
      return h("div", { class: "field" }, h("label", { for: id, text: field.label }), control);
    });
    const form = h("form", { class: "wb-edit" }, ...inputs,
      h("div", { class: "wb-edit-buttons" },
        h("button", { type: "submit", class: "button-primary", text: _("保存") }),
        h("button", { type: "button", text: _("取消"), onclick: () => finish() })));
    const finish = () => {
      form.remove();
      shown.hidden = false;
      trigger.focus();
    };
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") finish();
    });
    onSubmit(form, async (values) => {
      await save(values);
      finish();
    });
    shown.hidden = true;
    shown.after(form);
    form.querySelector("input, textarea").focus();
  }

  // --- drafts (组稿) a new clip can go to --------------------------------------------------

  let draftsLoaded = null;
  const drafts = () => (draftsLoaded = draftsLoaded ||
    api("GET", apiUrl("drafts")).then((answer) => answer.results).catch((error) => {
      draftsLoaded = null;
      throw error;
    }));

  /* The status line after a clip was saved: it offers the reader's drafts to append it to. */
  async function offerDrafts(clip, message, control) {
    let list;
    try {
      list = await drafts();
    } catch (error) {
      say(message);
      return;
    }
    if (!list.length) {
      say(message, { actions: [h("a", { href: body.dataset.workbenchUrl,
                                        text: _("新建组稿后可把摘抄加入组稿") })] });
      return;
    }
    const id = nextId("draft-choice");
    const select = h("select", { id },
      ...list.map((draft) => h("option", { value: draft.id, text: draft.title })));
    const add = h("button", { type: "button", class: "button-small", text: _("加入组稿") });
    add.addEventListener("click", () => busy(add, async () => {
      const draft = list.find((d) => String(d.id) === select.value);
      await api("POST", apiUrl("drafts", draft.id, "items"), { clip: clip.id });
      say(format(_("已加入组稿「%(title)s」。"), { title: draft.title }), {
        actions: [h("a", { href: draft.url, text: _("打开组稿") })], focus: true, returnTo: control,
      });
    }));
    say(message, { actions: [h("label", { for: id, class: "visually-hidden", text: _("选择组稿") }),
                             select, add], focus: true, returnTo: control });
  }

  // --- the article page: per-paragraph tools and the selection toolbar --------------------

  function articlePage() {
    const article = document.querySelector("article[data-article]");
    if (!article) return;
    const articleId = Number(article.dataset.article);
    const source = article.dataset.sourceLine;
    const blocks = Array.from(article.querySelectorAll("[data-block]"));

    async function clip(control, block, start, end) {
      const paragraph = Number(block.dataset.block);
      if (!signedIn) {
        toLogin(block.id);
        return;
      }
      await busy(control, async () => {
        const data = { article: articleId, paragraph };
        if (start !== undefined) Object.assign(data, { start, end });
        const saved = await api("POST", apiUrl("clips"), data);
        const message = start === undefined
          ? format(_("已摘抄第 %(n)s 段。"), { n: paragraph })
          : format(_("已摘抄所选的 %(n)s 个字。"), { n: saved.text.length });
        await offerDrafts(saved, message, control);
      });
    }

    blocks.forEach((block) => {
      const n = block.dataset.block;
      const actionsId = nextId("block-tools");
      const toggle = h("button", {
        type: "button", class: "block-tools-toggle", "aria-expanded": "false",
        "aria-controls": actionsId, "aria-label": format(_("第 %(n)s 段的工具"), { n }), text: "⋯",
      });
      const clipButton = h("button", { type: "button", text: _("摘抄"),
                                       "aria-label": format(_("摘抄（第 %(n)s 段）"), { n }) });
      const copyButton = h("button", { type: "button", text: _("复制（带出处）"),
                                       "aria-label": format(_("复制（带出处）（第 %(n)s 段）"), { n }) });
      const tools = h("div", { class: "block-tools no-print" }, toggle,
                      h("span", { class: "block-tools-actions", id: actionsId }, clipButton, copyButton));
      toggle.addEventListener("click", () => {
        const open = !tools.classList.contains("is-open");
        tools.classList.toggle("is-open", open);
        toggle.setAttribute("aria-expanded", String(open));
        if (open) clipButton.focus();
      });
      clipButton.addEventListener("click", () => clip(clipButton, block));
      copyButton.addEventListener("click", () => copyWithSource(block.textContent.trim(), source));
      block.after(tools);
    });

    selectionToolbar(article, blocks, source, clip);
    if (signedIn) {
      let toolbar = article.querySelector(".toolbar");
      if (!toolbar) {  // a reader of the free preview has no reading tools: make a place
        toolbar = h("div", { class: "toolbar no-print", role: "toolbar",
                             "aria-label": _("阅读工具") });
        article.querySelector(".article-header").after(toolbar);
      }
      toolbar.prepend(folderPicker(articleId,
                                   document.getElementById("article-title").textContent.trim()));
    }
  }

  /* Selecting text inside one paragraph offers 摘抄所选 and 复制所选（带出处） beside it. */
  function selectionToolbar(article, blocks, source, clip) {
    const hint = h("span", { class: "selection-hint", text: _("请在同一段内选择文字。") });
    const clipButton = h("button", { type: "button", class: "button-small", text: _("摘抄所选") });
    const copyButton = h("button", { type: "button", class: "button-small",
                                     text: _("复制所选（带出处）") });
    const bar = h("div", { class: "selection-tools no-print", role: "toolbar",
                           "aria-label": _("所选文字"), hidden: true },
                  hint, clipButton, copyButton);
    document.body.append(bar);
    let chosen = null;  // {block, start, end, text}

    // A click on the bar must not drop the selection it acts on.
    bar.addEventListener("mousedown", (event) => event.preventDefault());
    clipButton.addEventListener("click", () => {
      if (chosen) clip(clipButton, chosen.block, chosen.start, chosen.end).then(hide);
    });
    copyButton.addEventListener("click", () => {
      if (chosen) copyWithSource(chosen.text, source).then(hide);
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") hide();
    });

    function hide() {
      bar.hidden = true;
      chosen = null;
    }

    const blockOf = (node) => {
      const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
      const block = element && element.closest("[data-block]");
      return block && article.contains(block) ? block : null;
    };

    /* The selection as offsets into one block's textContent, or "across" when it spans
     * several, or null. A triple click ends at the start of the next element: whatever lies
     * outside the block being only white space, it still counts as inside. */
    function measure(selection) {
      if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
      const range = selection.getRangeAt(0);
      const first = blockOf(range.startContainer);
      const last = blockOf(range.endContainer);
      const block = first || last;
      if (!block) return null;
      const inside = range.cloneRange();
      if (first !== block) inside.setStart(block, 0);
      if (last !== block) inside.setEnd(block, block.childNodes.length);
      if (inside.toString().trim() !== range.toString().trim()) return "across";
      const before = document.createRange();
      before.selectNodeContents(block);
      before.setEnd(inside.startContainer, inside.startOffset);
      const text = block.textContent;
      let start = before.toString().length;
      let end = start + inside.toString().length;
      while (start < end && /\s/.test(text[start])) start += 1;
      while (end > start && /\s/.test(text[end - 1])) end -= 1;
      if (start === end) return null;
      return { block, start, end, text: text.slice(start, end), rect: range.getBoundingClientRect() };
    }

    // Shown once the selection rests: not while a mouse or finger is still dragging it.
    let pending = null;
    let dragging = false;
    const later = () => {
      clearTimeout(pending);
      pending = window.setTimeout(update, 200);
    };
    document.addEventListener("selectionchange", () => {
      if (!dragging) later();
    });
    document.addEventListener("pointerdown", (event) => {
      dragging = !bar.contains(event.target);
    });
    document.addEventListener("pointerup", () => {
      if (dragging) later();
      dragging = false;
    });

    function update() {
      const found = measure(document.getSelection());
      if (!found) {
        hide();
        return;
      }
      const across = found === "across";
      chosen = across ? null : found;
      hint.hidden = !across;
      clipButton.hidden = across;
      copyButton.hidden = across;
      bar.hidden = false;
      const rect = across ? document.getSelection().getRangeAt(0).getBoundingClientRect()
        : found.rect;
      // Below the selection: phones show their own menu above it.
      const width = document.documentElement.clientWidth;
      const left = Math.max(8, Math.min(rect.left, width - bar.offsetWidth - 8));
      bar.style.left = `${left + window.scrollX}px`;
      bar.style.top = `${rect.bottom + window.scrollY + 8}px`;
    }
  }

  // --- folders (收藏): the picker on the article page and on every card --------------------

  let foldersLoaded = null;
  const folders = () => (foldersLoaded = foldersLoaded ||
    api("GET", apiUrl("folders")).then((answer) => answer.results).catch((error) => {
      foldersLoaded = null;
      throw error;
    }));
  let openPicker = null;  // {picker, close} of the picker whose list is open

  document.addEventListener("click", (event) => {
    if (openPicker && !openPicker.picker.contains(event.target)) openPicker.close(false);
  });

  /* A 收藏 button opening a list of the reader's folders and a field for a new one. */
  function folderPicker(articleId, title, small) {
    const panelId = nextId("folder-panel");
    const button = h("button", {
      type: "button", class: `button folder-button${small ? " button-small" : ""}`,
      "aria-expanded": "false",
      "aria-controls": panelId, text: _("收藏"),
      "aria-label": title ? format(_("收藏《%(title)s》"), { title }) : null,
    });
    const panel = h("div", { class: "wb-popover", id: panelId, hidden: true });
    const picker = h("div", { class: "folder-picker" }, button, panel);

    async function addTo(folder) {
      const answer = await api("POST", apiUrl("folders", folder.id, "articles"),
                               { article: articleId });
      if (answer.created) folder.article_count = (folder.article_count || 0) + 1;
      close(true);
      button.textContent = _("已收藏");
      say(format(answer.created ? _("已收藏到「%(name)s」。") : _("本文已在「%(name)s」中。"),
                 { name: folder.name }),
          { actions: [h("a", { href: folder.url, text: _("打开收藏夹") })] });
    }

    function render(list) {
      const inputId = nextId("new-folder");
      const form = h("form", { class: "wb-popover-new" },
        h("label", { for: inputId, text: _("新建收藏夹") }),
        h("div", { class: "wb-inline" },
          h("input", { id: inputId, name: "name", type: "text", maxlength: 60, required: true,
                       placeholder: _("收藏夹名称") }),
          h("button", { type: "submit", class: "button-small", text: _("新建并收藏") })));
      onSubmit(form, async (values) => {
        const folder = await api("POST", apiUrl("folders"), { name: values.name });
        list.push(folder);
        await addTo(folder);
      });
      const choices = list.map((folder) => {
        const choice = h("button", { type: "button", "data-folder": folder.id },
          h("span", { class: "folder-name", text: folder.name }),
          h("span", { class: "count",
                      text: format(_("%(n)s 篇"), { n: folder.article_count || 0 }) }));
        choice.addEventListener("click", () => busy(choice, () => addTo(folder)));
        return h("li", null, choice);
      });
      panel.replaceChildren(
        h("p", { class: "wb-popover-title", text: _("收藏到") }),
        choices.length ? h("ul", { class: "wb-popover-list" }, ...choices)
          : h("p", { class: "muted small", text: _("还没有收藏夹，先新建一个。") }),
        form);
    }

    function close(focusButton) {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
      if (openPicker && openPicker.picker === picker) openPicker = null;
      if (focusButton) button.focus();
    }

    button.addEventListener("click", () => {
      if (!panel.hidden) {
        close(false);
        return;
      }
      if (openPicker) openPicker.close(false);
      busy(button, async () => {
        render(await folders());
        panel.hidden = false;
        button.setAttribute("aria-expanded", "true");
        openPicker = { picker, close };
        panel.querySelector("button, input").focus();
      });
    });
    picker.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !panel.hidden) {
        event.stopPropagation();
        close(true);
      }
    });
    return picker;
  }

  function cards() {
    document.querySelectorAll("li.card[data-article]").forEach((card) => {
      const title = card.querySelector(".card-title a");
      card.append(h("div", { class: "card-actions no-print" },
                    folderPicker(Number(card.dataset.article), title && title.textContent.trim(),
                                 true)));
    });
  }

  // --- follows (关注) ----------------------------------------------------------------------

  /* The search on this page as a follow takes it: q, match and the filters, nothing else. */
  function searchParams() {
    const params = {};
    for (const [key, value] of new URLSearchParams(location.search)) {
      if (!value || ["page", "sort", "within"].includes(key)) continue;
      if (key === "match" && value === "auto") continue;  // the default: no parameter
      params[key] = value;
    }
    return params;
  }

  function followButtons() {
    document.querySelectorAll("[data-follow-kind], [data-follow-search]").forEach((button) => {
      button.addEventListener("click", () => busy(button, async () => {
        const params = button.hasAttribute("data-follow-search") ? searchParams()
          : { [button.dataset.followKind]: button.dataset.followValue };
        const follow = await api("POST", apiUrl("follows"), params);
        button.textContent = _("已关注");
        say(format(_("已关注「%(label)s」，新文章会在工作台提示。"), { label: follow.label }),
            { actions: [h("a", { href: body.dataset.workbenchUrl, text: _("打开工作台") })] });
      }));
    });
  }

  // --- downloads ---------------------------------------------------------------------------

  function filenameOf(response, fallback) {
    const header = response.headers.get("Content-Disposition") || "";
    const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (utf8) return decodeURIComponent(utf8[1]);
    const plain = /filename="([^"]+)"/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  /* Fetch an export and save it, so that a refusal (too many articles, nothing to export)
   * shows as a message here instead of a page of JSON. */
  async function download(url, control) {
    await busy(control, async () => {
      say(_("正在生成文件……"));
      let response;
      try {
        response = await fetch(url, { credentials: "same-origin",
                                      headers: { Accept: "application/json" } });
      } catch (failure) {
        throw new ApiError(_("网络连接失败，请稍后重试。"));
      }
      if (!response.ok) {
        const answer = await response.json().catch(() => null);
        throw new ApiError((answer && answer.error) || format(_("下载失败（%s）。"), [response.status]));
      }
      const blob = await response.blob();
      const link = h("a", { href: URL.createObjectURL(blob),
                            download: filenameOf(response, url.split("/").pop().split("?")[0]) });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(link.href), 60000);
      say(_("文件已开始下载。"));
    });
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-download]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    download(link.href, link);
  });

  // ----------------------------------------------------------------------------------------

  articlePage();
  if (signedIn) {
    cards();
    followButtons();
  }

  window.Workbench = {
    api, busy, onSubmit, say, h, format, apiUrl, editInline, copyWithSource, download, nextId,
    ApiError, signedIn,
  };
})();
