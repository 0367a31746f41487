// Filters for the action register (/actions/). Without JavaScript the register lists every
// item, grouped by status, over its pages, and the filter form stays hidden. This script shows
// the form, keeps its state in the query string (?team=payments&overdue=yes&sort=due), loads
// api/actions.json once a filter or the due-date sort is chosen and lists the matching items of
// the whole register in place of the pages, every count on the page recomputed: the summary,
// the status groups and each option's count (the items it would match with the other filters).
// When the JSON cannot be loaded (a site opened from file://), it filters this page's rows.
// A classic script (not a module), no dependencies.
(function () {
  "use strict";
  // Rows drawn at most (a large register has tens of thousands of items).
  var LIMIT = 1000;
  var STATUS_ORDER = ["open", "in-progress", "done", "wontfix"];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // The filter keys of an item of api/actions.json, as the rows' data-* attributes give them:
  // names become the options' slugs (`slugs[key][name]`, read from the form, so the slugs are
  // pmarchive's own).
  function keysOf(a, slugs) {
    function one(key, name) {
      return [slugs[key][name || "unspecified"] || ""];
    }
    function many(key, list) {
      return list && list.length ? list.map(function (n) { return slugs[key][n] || ""; }) : one(key, "");
    }
    return {
      status: one("status", a.status),
      severity: one("severity", a.severity),
      team: many("team", a.teams),
      service: many("service", a.services),
      owner: one("owner", a.owner),
      kind: one("kind", a.kind),
      priority: one("priority", a.priority),
      overdue: [a.overdue ? "yes" : "no"],
    };
  }
  function keysOfRow(row) {
    var k = {};
    ["status", "severity", "team", "service", "owner", "kind", "priority", "overdue"].forEach(function (key) {
      k[key] = (row.getAttribute("data-" + key) || "").split(" ");
    });
    return k;
  }

  function init() {
    var form = document.querySelector("[data-actions-filters]");
    if (!form) return;
    var root = form.getAttribute("data-root") || "";
    var api = form.getAttribute("data-api");
    var all = document.querySelector("[data-actions-all]");
    var out = document.querySelector("[data-actions-filtered]");
    var status = form.querySelector("[data-actions-status]");
    var controls = Array.prototype.slice.call(form.querySelectorAll("[data-key]"));
    var selects = controls.filter(function (c) {
      return c.tagName === "SELECT" && c.getAttribute("data-key") !== "sort";
    });
    var overdue = form.querySelector("input[data-key=overdue]");
    var sort = form.querySelector("select[data-key=sort]");
    var stats = {};
    document.querySelectorAll("[data-stat]").forEach(function (d) {
      stats[d.getAttribute("data-stat")] = { el: d, initial: d.textContent };
    });
    var items = null; // api/actions.json, once loaded
    var loading = false;
    var failed = false;
    form.hidden = false;

    function state() {
      var s = {};
      selects.forEach(function (sel) {
        if (sel.value) s[sel.getAttribute("data-key")] = sel.value;
      });
      if (overdue.checked) s.overdue = "yes";
      if (sort.value) s.sort = sort.value;
      return s;
    }
    function fromUrl() {
      var q = new URLSearchParams(window.location.search);
      selects.forEach(function (sel) {
        var v = q.get(sel.getAttribute("data-key")) || "";
        sel.value = Array.prototype.some.call(sel.options, function (o) { return o.value === v; }) ? v : "";
      });
      overdue.checked = q.get("overdue") === "yes";
      sort.value = q.get("sort") === "due" ? "due" : "";
    }
    function toUrl(s) {
      var q = new URLSearchParams();
      Object.keys(s).forEach(function (k) { q.set(k, s[k]); });
      var search = q.toString();
      var url = window.location.pathname + (search ? "?" + search : "") + window.location.hash;
      window.history.replaceState(null, "", url);
    }
    function matches(keys, s, skip) {
      return Object.keys(s).every(function (k) {
        if (k === "sort" || k === skip) return true;
        return keys[k].indexOf(s[k]) >= 0;
      });
    }
    function byDue(a, b) {
      // Earliest due first, items without a due date last; ties keep the register's order.
      var x = a.due || "9999-99-99";
      var y = b.due || "9999-99-99";
      return x < y ? -1 : x > y ? 1 : a.order - b.order;
    }
    function setStats(list) {
      var n = { total: list.length, open: 0, overdue: 0, stale: 0, recurred: 0 };
      list.forEach(function (a) {
        if (a.open) n.open++;
        if (a.overdue) n.overdue++;
        if (a.stale) n.stale++;
        if (a.recurred) n.recurred++;
      });
      Object.keys(stats).forEach(function (k) { stats[k].el.textContent = String(n[k]); });
    }
    function resetStats() {
      Object.keys(stats).forEach(function (k) { stats[k].el.textContent = stats[k].initial; });
    }
    // Each option's count: the items it would match together with the other filters.
    function setOptionCounts(s, entries) {
      selects.forEach(function (sel) {
        var key = sel.getAttribute("data-key");
        var counts = {};
        entries.forEach(function (e) {
          if (!matches(e.keys, s, key)) return;
          e.keys[key].forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
        });
        Array.prototype.forEach.call(sel.options, function (o) {
          if (!o.value) return;
          o.textContent = o.getAttribute("data-name") + " (" + (counts[o.value] || 0) + ")";
        });
      });
    }
    function flagged(tr, a) {
      var td = el("td", "ai-flags");
      td.setAttribute("data-label", "Flags");
      if (a.overdue) td.appendChild(el("strong", "flag flag-overdue", "overdue"));
      if (a.stale) {
        td.appendChild(document.createTextNode(" "));
        td.appendChild(el("span", "flag flag-stale", "open " + a.days_open + " days: decide: wrong or de-prioritised"));
      }
      if (a.recurred) {
        td.appendChild(document.createTextNode(" "));
        td.appendChild(el("span", "flag flag-recurred", "incident recurred"));
        td.appendChild(document.createTextNode(" in "));
        (a.recurred_in || []).forEach(function (id, i) {
          if (i) td.appendChild(document.createTextNode(", "));
          var link = el("a", "", id);
          link.href = root + "postmortems/" + id + "/";
          td.appendChild(link);
        });
      }
      tr.appendChild(td);
    }
    function cell(tr, label, text, cls) {
      var td = el("td", cls || "");
      td.setAttribute("data-label", label);
      if (text) td.textContent = text;
      else td.appendChild(el("span", "muted", "–"));
      tr.appendChild(td);
      return td;
    }
    function rowOf(a) {
      var tr = el("tr", "action-row" + (a.overdue ? " overdue" : "") + (a.stale ? " stale" : "") + (a.recurred ? " recurred" : ""));
      var th = el("th", "ai-id", a.id || "–");
      th.setAttribute("scope", "row");
      th.setAttribute("data-label", "ID");
      tr.appendChild(th);
      var title = cell(tr, "Action", a.title, "ai-title");
      // The tracker, as action-row.html links it (`url` is http(s) only: checked by the build).
      if (a.url || a.ticket) title.appendChild(document.createTextNode(" "));
      if (a.url) {
        var ticket = el("a", "ai-link external", a.ticket || "tracker");
        ticket.href = a.url;
        ticket.rel = "external noopener noreferrer";
        title.appendChild(ticket);
      } else if (a.ticket) title.appendChild(el("span", "ai-ticket", a.ticket));
      var pm = cell(tr, "Postmortem", "", "ai-pm");
      pm.textContent = "";
      var link = el("a", "", a.postmortem_title);
      link.href = root + a.postmortem_url;
      pm.appendChild(link);
      pm.appendChild(document.createTextNode(" "));
      pm.appendChild(el("span", "muted small", a.date || "undated"));
      cell(tr, "Owner", a.owner);
      var teams = cell(tr, "Team", (a.teams || []).length ? " " : "");
      (a.teams || []).forEach(function (t, i) {
        if (i === 0) teams.textContent = "";
        else teams.appendChild(document.createTextNode(", "));
        var slug = slugs.team[t];
        if (!slug) return teams.appendChild(document.createTextNode(t));
        var link = el("a", "", t);
        link.href = root + "teams/" + slug + "/";
        teams.appendChild(link);
      });
      cell(tr, "Due", a.due || "", "ai-due");
      var st = cell(tr, "Status", "");
      st.textContent = "";
      var badge = el("span", "status " + (a.open ? "status-open" : "status-closed"), a.status);
      badge.setAttribute("data-status", a.status);
      st.appendChild(badge);
      if (a.closed) st.appendChild(el("span", "muted small", " closed " + a.closed + (a.done_on_time ? ", on time" : "")));
      cell(tr, "Kind", a.kind);
      cell(tr, "Priority", a.priority);
      flagged(tr, a);
      return tr;
    }
    function drawGroups(list, s) {
      out.textContent = "";
      var shown = 0;
      var groups = {};
      list.forEach(function (a) { (groups[a.status] = groups[a.status] || []).push(a); });
      var names = Object.keys(groups).sort(function (x, y) {
        var i = STATUS_ORDER.indexOf(x), j = STATUS_ORDER.indexOf(y);
        return (i < 0 ? 9 : i) - (j < 0 ? 9 : j) || (x < y ? -1 : 1);
      });
      if (!names.length) out.appendChild(el("p", "empty", "No action item matches these filters."));
      names.forEach(function (name) {
        var members = groups[name];
        var id = "filtered-" + STATUS_ORDER.indexOf(name) + "-" + names.indexOf(name);
        var section = el("section", "action-group");
        section.setAttribute("aria-labelledby", id + "-h");
        var h = el("h2", "", name.charAt(0).toUpperCase() + name.slice(1) + " ");
        h.id = id + "-h";
        h.appendChild(el("span", "count", String(members.length)));
        section.appendChild(h);
        var scroll = el("div", "table-scroll");
        scroll.setAttribute("role", "region");
        scroll.setAttribute("aria-label", "Table: " + name + " action items");
        scroll.tabIndex = 0;
        var table = el("table", "action-items action-register");
        var head = el("thead");
        var hr = el("tr");
        ["ID", "Action", "Postmortem", "Owner", "Team", "Due", "Status", "Kind", "Priority", "Flags"].forEach(function (t) {
          var c = el("th", "", t);
          c.setAttribute("scope", "col");
          hr.appendChild(c);
        });
        head.appendChild(hr);
        table.appendChild(head);
        var body = el("tbody");
        members.forEach(function (a) {
          if (shown >= LIMIT) return;
          body.appendChild(rowOf(a));
          shown++;
        });
        table.appendChild(body);
        scroll.appendChild(table);
        section.appendChild(scroll);
        out.appendChild(section);
      });
      var sorted = s.sort === "due" ? ", earliest due date first" : ", newest incident first";
      status.textContent = list.length + " action item" + (list.length === 1 ? "" : "s") + " match" + (list.length === 1 ? "es" : "") + sorted +
        (list.length > shown ? "; the first " + shown + " are listed, narrow the filters to see the rest." : ".");
    }
    // Filters this page's rows only (api/actions.json could not be loaded).
    function applyHere(s) {
      var rows = Array.prototype.slice.call(all.querySelectorAll("tr[data-status]"));
      var n = 0;
      rows.forEach(function (row) {
        var show = matches(keysOfRow(row), s);
        if (show) {
          row.removeAttribute("data-filtered-out");
          n++;
        } else row.setAttribute("data-filtered-out", "");
      });
      all.querySelectorAll("[data-action-group]").forEach(function (g) {
        if (g.querySelector("tr[data-status]:not([data-filtered-out])")) g.removeAttribute("data-filtered-out");
        else g.setAttribute("data-filtered-out", "");
      });
      status.textContent = n + " action item" + (n === 1 ? "" : "s") + " of this page match (the whole register could not be loaded).";
    }
    function apply() {
      var s = state();
      toUrl(s);
      if (!Object.keys(s).length) {
        out.hidden = true;
        out.textContent = "";
        all.hidden = false;
        all.querySelectorAll("[data-filtered-out]").forEach(function (e) { e.removeAttribute("data-filtered-out"); });
        resetStats();
        selects.forEach(function (sel) {
          Array.prototype.forEach.call(sel.options, function (o) {
            if (o.value) o.textContent = o.getAttribute("data-name") + " (" + o.getAttribute("data-count") + ")";
          });
        });
        status.textContent = "";
        return;
      }
      if (failed) return applyHere(s);
      if (!items) return load();
      var list = items.filter(function (e) { return matches(e.keys, s); }).map(function (e) { return e.a; });
      if (s.sort === "due") list.sort(byDue);
      setStats(list);
      setOptionCounts(s, items);
      drawGroups(list, s);
      all.hidden = true;
      out.hidden = false;
    }
    function load() {
      if (loading) return;
      loading = true;
      status.textContent = "Loading every action item…";
      fetch(api)
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          return r.json();
        })
        .then(function (json) {
          items = json.map(function (a, i) {
            a.order = i;
            return { a: a, keys: keysOf(a, slugs) };
          });
        })
        .catch(function () { failed = true; })
        .then(function () {
          loading = false;
          apply();
        });
    }
    selects.forEach(function (sel) {
      Array.prototype.forEach.call(sel.options, function (o) {
        var m = /\((\d+)\)$/.exec(o.textContent);
        if (o.value && m) o.setAttribute("data-count", m[1]);
      });
    });
    var slugs = {};
    selects.forEach(function (sel) {
      var map = (slugs[sel.getAttribute("data-key")] = {});
      Array.prototype.forEach.call(sel.options, function (o) {
        if (o.value) map[o.getAttribute("data-name")] = o.value;
      });
    });
    controls.forEach(function (c) { c.addEventListener("change", apply); });
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    fromUrl();
    apply();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
