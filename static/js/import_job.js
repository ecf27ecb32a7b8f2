// The admin's import job page: polls the job's status view (data-status-url) once a second,
// moves the progress bar, and reloads the page when the job has finished (the server then
// shows the preview, the compilation or the error). Every text comes from the server.
(function () {
  "use strict";
  var root = document.querySelector(".import-job[data-status-url]");
  if (!root || root.dataset.state === "failed") {
    return;
  }
  var bar = document.getElementById("import-job-progress");
  function show(id, text) {
    var node = document.getElementById(id);
    if (node) {
      node.textContent = text;
    }
  }
  function poll() {
    fetch(root.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (status) {
        if (status.finished) {
          window.location.reload();
          return;
        }
        if (bar) {
          bar.value = status.progress;
          bar.textContent = status.progress + "%";
        }
        show("import-job-state", status.state_label);
        show("import-job-stage", status.stage);
        show("import-job-percent", status.progress + "%");
        show("import-job-note", status.note);
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 3000); // the server is restarting or the network hiccuped
      });
  }
  window.setTimeout(poll, 1000);
})();
