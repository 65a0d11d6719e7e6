/* Basira list pages: select a whole page of the queue, or every case matching its filters. Written for Basira (no
   library); the pages work without it (the "all matching" box is a plain form field). Loaded from /static under
   the Content-Security-Policy (no inline script anywhere). */
(function () {
  "use strict";

  var form = document.getElementById("bulk");
  if (!form) { return; }
  var pageBox = document.getElementById("select-page");
  var allBox = document.getElementById("select-all");

  function rowBoxes() {
    return Array.prototype.slice.call(form.querySelectorAll("tr[data-case] input[name=case]:not([disabled])"));
  }

  function sync() {
    var boxes = rowBoxes();
    var checked = boxes.filter(function (b) { return b.checked; }).length;
    if (pageBox) {
      pageBox.checked = boxes.length > 0 && checked === boxes.length;
      pageBox.indeterminate = checked > 0 && checked < boxes.length;
    }
    form.classList.toggle("all-matching", Boolean(allBox && allBox.checked));
  }

  if (pageBox) {
    pageBox.hidden = false;
    pageBox.addEventListener("change", function () {
      rowBoxes().forEach(function (b) { b.checked = pageBox.checked; });
      if (!pageBox.checked && allBox) { allBox.checked = false; }
      sync();
    });
  }

  if (allBox) {
    /* Every matching case is taken on the server; the page's boxes are checked too, so that what is about to be
       decided shows (and the queue does not refresh itself under the reviewer's hand). */
    allBox.addEventListener("change", function () {
      if (allBox.checked) { rowBoxes().forEach(function (b) { b.checked = true; }); }
      sync();
    });
  }

  form.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t instanceof HTMLInputElement && t.name === "case") {
      if (!t.checked && allBox) { allBox.checked = false; }
      sync();
    }
  });
  sync();
}());
