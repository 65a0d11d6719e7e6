/* Basira review pages: keyboard shortcuts and reveal-without-reload. Written for Basira (no library); the pages
   work without it. Loaded from /static under the Content-Security-Policy (no inline script anywhere). */
(function () {
  "use strict";

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  /* --- the queue: j/k move, o opens, x selects, d goes to the bulk decision ----------------------------------- */
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-case]"));
  var current = -1;

  /* The queue refreshes itself (new drone alerts are due within minutes), unless the reviewer is in the middle of
     something: a case selected, a field in use. */
  var queue = document.getElementById("queue");
  if (queue && queue.dataset.refreshS) {
    window.setInterval(function () {
      var busy = document.querySelector("tr[data-case] input:checked") || typing(document.activeElement);
      if (!busy && !document.hidden) { window.location.reload(); }
    }, Number(queue.dataset.refreshS) * 1000);
  }

  function select(i) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, n) { r.classList.toggle("current", n === current); });
    var link = rows[current].querySelector("a.case-link");
    if (link) { link.focus({ preventScroll: true }); }
    rows[current].scrollIntoView({ block: "nearest" });
  }

  function go(path) { window.location.href = path; }

  /* --- reveal one medium: count it on the server, then lift the blur ------------------------------------------- */
  function setExposure(n) {
    var el = document.getElementById("exposure-count");
    if (!el) { return; }
    try { el.textContent = new Intl.NumberFormat(document.documentElement.lang).format(n); }
    catch (e) { el.textContent = String(n); }
  }

  function reveal(form) {
    var figure = form.closest("figure.medium");
    var body = new FormData(form);
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (resp) {
        if (!resp.ok) { throw new Error(String(resp.status)); }
        return resp.json();
      })
      .then(function (data) {
        if (figure) { figure.classList.remove("veiled"); }
        form.remove();
        setExposure(data.exposure);
      })
      .catch(function () { form.submit(); });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form instanceof HTMLFormElement && form.classList.contains("reveal-form") && window.fetch) {
      ev.preventDefault();
      reveal(form);
    }
  });

  document.addEventListener("click", function (ev) {
    var frame = ev.target instanceof Element ? ev.target.closest("figure.medium.veiled .frame") : null;
    if (!frame) { return; }
    var form = frame.parentElement.querySelector("form.reveal-form");
    if (form) { ev.preventDefault(); reveal(form); }
  });

  /* --- the case page: ? lists the keys, 1-9 pick a reason, n opens the next open case ------------------------- */
  var help = document.getElementById("keys-help");
  var head = document.querySelector(".case-head[data-next]");

  function toggleHelp() {
    if (!help || typeof help.showModal !== "function") { return false; }
    if (help.open) { help.close(); } else { help.showModal(); }
    return true;
  }

  function pickReason(n) {
    var select = document.getElementById("reason");
    if (!select || n >= select.options.length) { return false; }
    select.selectedIndex = n;  /* option 0 is "Choose a reason" */
    select.dispatchEvent(new Event("change", { bubbles: true }));
    select.scrollIntoView({ block: "center" });
    select.focus();
    return true;
  }

  document.addEventListener("keydown", function (ev) {
    if (!head || ev.ctrlKey || ev.metaKey || ev.altKey || typing(document.activeElement)) { return; }
    var done = false;
    if (ev.key === "?") {
      done = toggleHelp();
    } else if (help && help.open) {
      return;  /* the list of keys is in front: only ? and Escape act */
    } else if (/^[1-9]$/.test(ev.key)) {
      done = pickReason(Number(ev.key));
    } else if (ev.key === "n") {
      go(head.getAttribute("data-next"));
      done = true;
    }
    if (done) { ev.preventDefault(); ev.stopImmediatePropagation(); }
  }, true);

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(document.activeElement)) { return; }
    if (help && help.open) { return; }
    var key = ev.key;
    if (rows.length && (key === "j" || key === "k")) {
      select(current < 0 ? 0 : current + (key === "j" ? 1 : -1));
    } else if (rows.length && (key === "o" || key === "Enter") && current >= 0) {
      go(rows[current].getAttribute("data-href"));
    } else if (rows.length && key === "x" && current >= 0) {
      var box = rows[current].querySelector("input[type=checkbox]");
      if (box && !box.disabled) { box.checked = !box.checked; }
    } else if (key === "d") {
      var target = document.getElementById("reason") || document.getElementById("bulk-reason") ||
                   document.querySelector("#decision button");
      if (!target) { return; }
      if (rows.length && current >= 0 && !document.querySelector("tr[data-case] input:checked")) {
        var own = rows[current].querySelector("input[type=checkbox]");
        if (own && !own.disabled) { own.checked = true; }
      }
      target.scrollIntoView({ block: "center" });
      target.focus();
    } else if (key === "u" && document.getElementById("decision")) {
      go((document.querySelector("a.brand") || { getAttribute: function () { return ""; } })
        .getAttribute("href").replace(/\/$/, "") + "/cases");
    } else {
      return;
    }
    ev.preventDefault();
  });
})();
