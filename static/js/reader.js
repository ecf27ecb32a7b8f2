/* Small progressive enhancements of the article page; everything works without them. */
(function () {
  "use strict";

  // Facets fold away on narrow screens, so the results come first on a phone.
  var facets = document.querySelector("[data-facets]");
  if (facets && window.matchMedia && !window.matchMedia("(min-width: 760px)").matches) {
    facets.open = false;
  }

  // Original/restored switch: toggle in place instead of reloading the page.
  var toggle = document.querySelector("[data-text-switch]");
  var restored = document.querySelector('[data-text="restored"]');
  var original = document.querySelector('[data-text="original"]');
  if (toggle && restored && original) {
    toggle.setAttribute("role", "button");
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      var showOriginal = original.hidden;
      original.hidden = !showOriginal;
      restored.hidden = showOriginal;
      toggle.setAttribute("aria-pressed", showOriginal ? "true" : "false");
      toggle.textContent = showOriginal ? toggle.dataset.labelRestored : toggle.dataset.labelOriginal;
    });
  }

  // Copy the visible text with its source line, because writers must cite.
  var copy = document.querySelector("[data-copy-article]");
  var status = document.querySelector(".copy-status");
  if (copy && restored) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var body = (original && !original.hidden) ? original : restored;
      var title = document.getElementById("article-title");
      var parts = [];
      if (title) parts.push(title.innerText.trim());
      body.querySelectorAll("h2, p").forEach(function (node) {
        if (!node.classList.contains("notice")) parts.push(node.innerText.trim());
      });
      var text = parts.join("\n") + "\n\n" + copy.dataset.source + "\n";
      // Messages come from the template, translated like every other string.
      var done = function () { if (status) status.textContent = status.dataset.done; };
      var fail = function () { if (status) status.textContent = status.dataset.failed; };
      copyText(text).then(function (ok) { ok ? done() : fail(); });
    });
  }

  // Resolves true once the text is on the clipboard; workbench.js copies through it too.
  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; }, function () { return legacyCopy(text); });
    }
    return Promise.resolve(legacyCopy(text));
  }
  window.huibianCopyText = copyText;

  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
})();
