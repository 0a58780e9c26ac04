/* Drag and drop onto the evidence upload forms (and the import forms), and a size check before
   sending. Progressive enhancement only: without JavaScript the file input works as it is.
   Loaded from 'self' (the CSP allows no inline code). */
(function () {
  "use strict";

  function init(zone) {
    if (zone.dataset.a8Ready) return;
    zone.dataset.a8Ready = "1";
    var input = zone.querySelector("input[type=file]");
    var list = zone.querySelector("[data-a8-filelist]");
    var maxBytes = parseInt(zone.dataset.a8MaxBytes || "0", 10);
    if (!input) return;

    function show() {
      if (!list) return;
      list.textContent = "";
      var total = 0;
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("li");
        item.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
        list.appendChild(item);
        total += file.size;
      });
      // The server's limit is per request: warn before a long upload is refused at the end.
      if (!maxBytes || total <= maxBytes) input.removeAttribute("aria-invalid");
      if (maxBytes && total > maxBytes) {
        var warning = document.createElement("li");
        warning.className = "text-danger";
        warning.textContent = zone.dataset.a8TooLarge || "";
        list.appendChild(warning);
      }
    }

    function highlight(on) {
      zone.classList.toggle("border-primary", on);
      zone.classList.toggle("bg-body-secondary", on);
    }

    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        highlight(true);
      });
    });
    zone.addEventListener("dragleave", function () { highlight(false); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      highlight(false);
      var dropped = event.dataTransfer && event.dataTransfer.files;
      if (!dropped || !dropped.length) return;
      var chosen = new DataTransfer();
      var count = input.multiple ? dropped.length : 1;
      for (var i = 0; i < count; i += 1) chosen.items.add(dropped[i]);
      input.files = chosen.files;
      show();
    });
    input.addEventListener("change", show);

    // Refuse too large a choice before sending it: nothing is uploaded for minutes only to be
    // refused, and what was typed in the form stays. The server's 413 remains the real check.
    var form = zone.closest("form");
    if (form && maxBytes) {
      form.addEventListener("submit", function (event) {
        var total = 0;
        Array.prototype.forEach.call(input.files, function (file) { total += file.size; });
        if (total <= maxBytes) return;
        event.preventDefault();
        show();
        input.setAttribute("aria-invalid", "true");
        input.focus();
      });
    }
  }

  document.querySelectorAll("[data-a8-dropzone]").forEach(init);
})();
