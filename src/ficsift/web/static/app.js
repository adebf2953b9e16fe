/* ficsift: small enhancements. Every page works without this file. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var store = {
    get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  };
  var theme = store.get("ficsift-theme");
  if (theme) root.dataset.theme = theme;
  var size = parseFloat(store.get("ficsift-size") || "");
  if (size) root.style.setProperty("--reader-size", size + "rem");

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }
  function $(sel, el) { return (el || document).querySelector(sel); }
  function $$(sel, el) { return Array.prototype.slice.call((el || document).querySelectorAll(sel)); }

  function toggleTheme() {
    var dark = root.dataset.theme ? root.dataset.theme === "dark"
      : window.matchMedia("(prefers-color-scheme: dark)").matches;
    root.dataset.theme = dark ? "light" : "dark";
    store.set("ficsift-theme", root.dataset.theme);
  }

  function changeFont(step) {
    var now = parseFloat(getComputedStyle(root).getPropertyValue("--reader-size")) || 1.125;
    var next = Math.min(1.8, Math.max(0.85, Math.round((now + step * 0.0625) * 1000) / 1000));
    root.style.setProperty("--reader-size", next + "rem");
    store.set("ficsift-size", String(next));
  }

  /* search: swap the results in place instead of reloading the page */
  function searchSwap(url, push) {
    var box = $("[data-search]");
    if (!box) { location.href = url; return; }
    box.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "X-Fragment": "search" } }).then(function (r) {
      return r.text();
    }).then(function (html) {
      box.innerHTML = html;
      box.removeAttribute("aria-busy");
      var swapped = $("#search-form");
      if (swapped && swapped.dataset.title) document.title = swapped.dataset.title;
      if (push) history.pushState({ search: true }, "", url);
      initSearch();
      var q = $("#results-heading");
      if (q && push) q.scrollIntoView({ block: "nearest" });
    }).catch(function () { location.href = url; });
  }

  function formUrl(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v !== "") params.append(k, v); });
    var s = params.toString();
    return form.getAttribute("action") + (s ? "?" + s : "");
  }

  function initSearch() {
    var form = $("#search-form");
    if (!form) return;
    var filters = $("[data-filters]");
    if (filters && window.matchMedia("(max-width: 860px)").matches && !filters.dataset.seen) {
      filters.open = false;
    }
    if (filters) filters.dataset.seen = "1";
    $$("select[data-autosubmit]", form).forEach(function (s) {
      s.addEventListener("change", function () { searchSwap(formUrl(form), true); });
    });
    var pending = $("[data-facets]");
    if (pending) {
      fetch(pending.dataset.facets).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      }).then(function (html) {
        if (pending.isConnected) pending.outerHTML = html;
      }).catch(function () {
        /* never "Counting tags…" for ever: say so (the "Show tag counts" link still works) */
        var p = $("p", pending);
        if (p && pending.isConnected) p.firstChild.textContent = "Tag counts are not available. ";
      });
    }
    $$("[data-tag-complete]", form).forEach(initTagComplete);
  }

  /* tag autocomplete: names from the library's tags, into the shared <datalist> */
  function initTagComplete(input) {
    var list = $("#" + input.getAttribute("list"));
    var timer = null, asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var word = input.value.split(",").pop().trim();
        if (word.length < 2 || word === asked || !list) return;
        asked = word;
        fetch("/api/tags?prefix=" + encodeURIComponent(word)).then(function (r) {
          return r.json();
        }).then(function (data) {
          var head = input.value.split(",").slice(0, -1).map(function (t) { return t.trim(); });
          list.textContent = "";
          (data.tags || []).forEach(function (t) {
            var o = document.createElement("option");
            o.value = head.concat([t.type + ":" + t.name]).join(", ");
            o.label = t.name + " (" + t.type + ", " + t.count + ")";
            list.appendChild(o);
          });
        }).catch(function () { /* typing still works */ });
      }, 150);
    });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.id === "search-form") {
      ev.preventDefault();
      searchSwap(formUrl(form), true);
    }
  });
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a") : null;
    if (a && $("[data-search]") && a.closest("[data-search]") && a.pathname === "/search" &&
        a.origin === location.origin && !ev.ctrlKey && !ev.metaKey && !ev.shiftKey) {
      ev.preventDefault();
      searchSwap(a.href, true);
      return;
    }
    if (a && a.classList.contains("skip")) {
      /* browsers do not all move keyboard focus to a skip link's target: do it */
      var target = document.getElementById(a.hash.slice(1));
      if (target) {
        ev.preventDefault();
        if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        history.replaceState(history.state, "", a.hash);
        target.scrollIntoView();
        target.focus();
      }
      return;
    }
    var t = ev.target.closest ? ev.target.closest("[data-theme-toggle]") : null;
    if (t) { toggleTheme(); return; }
    var f = ev.target.closest ? ev.target.closest("[data-font]") : null;
    if (f) changeFont(parseInt(f.dataset.font, 10));
  });
  window.addEventListener("popstate", function () {
    if ($("[data-search]")) searchSwap(location.href, false);
  });

  /* reader: remember where you stopped */
  function initReader() {
    var text = $("#chapter-text");
    var work = $("[data-work]");
    if (!text || !work) return;
    var chapter = text.dataset.chapter;
    var id = work.dataset.work;
    var resume = parseFloat(text.dataset.resume || "");
    if (resume > 0.01 && !location.hash) {
      var top = text.getBoundingClientRect().top + window.scrollY;
      window.scrollTo(0, top + resume * text.offsetHeight - window.innerHeight / 3);
    }
    var last = null, timer = null;
    function save() {
      timer = null;
      var rect = text.getBoundingClientRect();
      var read = (window.innerHeight / 3 - rect.top) / Math.max(1, rect.height);
      var frac = Math.min(1, Math.max(0, read));
      var position = chapter + ":" + frac.toFixed(3);
      if (position === last) return;
      last = position;
      fetch("/api/works/" + id + "/mark", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify({ position: position }),
        keepalive: true
      }).catch(function () { /* offline: try again on the next scroll */ last = null; });
    }
    window.addEventListener("scroll", function () {
      if (!timer) timer = setTimeout(save, 1200);
    }, { passive: true });
  }

  /* import: drag and drop, and progress while it runs */
  function initImport() {
    var zone = $("[data-dropzone]");
    var input = $("#files");
    var list = $("[data-file-list]");
    function show() {
      if (!list || !input) return;
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      list.textContent = names.length ? names.length + " chosen: " + names.join(", ") : "";
    }
    if (zone && input) {
      input.addEventListener("change", show);
      ["dragenter", "dragover"].forEach(function (n) {
        zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (n) {
        zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.remove("over"); });
      });
      zone.addEventListener("drop", function (e) {
        if (e.dataTransfer && e.dataTransfer.files.length) {
          input.files = e.dataTransfer.files;
          show();
        }
      });
    }
    var job = $("[data-job]");
    if (job && job.dataset.state === "running") {
      var bar = $("progress", job), now = $("[data-job-now]", job);
      var poll = function () {
        fetch("/api/import/" + job.dataset.job).then(function (r) { return r.json(); }).then(function (j) {
          if (j.state !== "running") { location.reload(); return; }
          bar.value = j.percent;
          now.textContent = j.percent + "% · " + (j.current || "starting…");
          setTimeout(poll, 700);
        }).catch(function () { setTimeout(poll, 2000); });
      };
      setTimeout(poll, 400);
    }
  }

  /* plain autosubmit outside search (the chapter picker) */
  function initAutosubmit() {
    $$("select[data-autosubmit]").forEach(function (s) {
      if (s.closest("#search-form")) return;
      s.addEventListener("change", function () { s.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initSearch();
    initReader();
    initImport();
    initAutosubmit();
  });
})();
