// search-ui.js: the search interface of the default theme. An ES module without dependencies,
// loaded on every page by base.html. It drives two things:
//
// - the header box (`form.site-search`, input `[data-testid="header-search"]`): a combobox with
//   a dropdown of the first results as you type. Without this module the form is a plain GET
//   form to the search page;
// - the search page (`[data-search-page]`, templates/search.html): query and filters in the URL,
//   results with highlighted excerpts, facet filters, "show more".
//
// Both say when a word was corrected ("Showing results for certificate") and, for a query of
// several words, how many results hold them all, marking those ("all words"); the order is the
// index's own (BM25, as `pmarchive search`): marking, not reordering, keeps the two identical.
//
// It never inserts markup from the index: every node is built with createElement/textContent.
// Excerpts arrive as escaped HTML whose only markup is <mark>; they are split on the marks and
// their entities decoded into text nodes.

import { search } from "../search/pmsearch.js";

/** The search/ folder beside static/, wherever the site is served from. */
const BASE = new URL("../search/", import.meta.url);
/** Facets in URL order (the order of `search.html`'s groups is the template's choice). */
const FACETS = ["severity", "year", "factor", "service", "team", "tag"];
const DEBOUNCE_MS = 80;
const HEADER_LIMIT = 8;
const PAGE_SIZE = 20;
/** Facet values shown before a "Show all" toggle. */
const FACET_SHOWN = 8;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// ---------------------------------------------------------------- helpers

/** An element; `attrs.text` sets its text, `attrs.class` its class; children are nodes or text. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

/** Decodes the five entities the client escapes (one pass: `&amp;lt;` stays `&lt;`). */
function decodeEntities(text) {
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]);
}

/** The excerpt (escaped HTML, only <mark> markup) as text nodes and <mark> elements. */
function excerptNodes(html) {
  const fragment = document.createDocumentFragment();
  let marked = false;
  for (const piece of String(html ?? "").split(/(<mark>|<\/mark>)/)) {
    if (piece === "<mark>") marked = true;
    else if (piece === "</mark>") marked = false;
    else if (piece !== "") {
      const text = document.createTextNode(decodeEntities(piece));
      fragment.append(marked ? el("mark", {}, text) : text);
    }
  }
  return fragment;
}

/** A result's page, from any page depth and any sub-path. */
function resultHref(result) {
  return new URL("../" + result.url, import.meta.url).href;
}

/** The search page for a query (the header's "all results" link). */
function searchPageHref(query) {
  const url = new URL("../search/", import.meta.url);
  if (query) url.searchParams.set("q", query);
  return url.href;
}

/** `2025-02-03` as `3 Feb 2025`, the way the templates print dates; null when not a date. */
function dateDisplay(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date ?? "");
  if (!m || +m[2] < 1 || +m[2] > 12) return null;
  return `${+m[3]} ${MONTHS[+m[2] - 1]} ${m[1]}`;
}

/** Badge rank of a severity name: the index does not carry the configured order, so the number
 * in the name stands for it (`SEV1` -> 1, `P3` -> 3); 0 (neutral badge) without one. */
function severityRank(name) {
  const m = /\d+/.exec(name ?? "");
  return m ? Number(m[0]) : 0;
}

/** A severity badge with the theme's classes (`.sev .sev-rN`), or null. */
function severityBadge(name) {
  if (!name) return null;
  const rank = severityRank(name);
  return el("span", { class: rank ? `sev sev-r${rank}` : "sev", title: `Severity ${name}`, text: name });
}

/** The meta line of a result: severity badge and date (`.card-meta`, as in listings). */
function metaLine(result, tag = "p", extra = null) {
  const shown = dateDisplay(result.date);
  const when = shown
    ? el("time", { datetime: result.date, text: shown })
    : el("span", { class: "undated", text: "undated" });
  const badge = severityBadge(result.severity);
  return el(tag, { class: "card-meta" }, badge, badge ? " " : null, when, extra ? " " : null, extra);
}

const plural = (n, one, many = one + "s") => `${n} ${n === 1 ? one : many}`;

/** "Showing results for …" (the query as searched, its corrected words in <strong>), or null. */
function correctionLine(response, tag = "p") {
  if (!response.corrected) return null;
  const to = new Set((response.corrections ?? []).map((c) => c.to));
  const words = response.corrected.split(/(\s+)/).map((w) => (to.has(w.toLowerCase()) ? el("strong", { text: w }) : w));
  return el(tag, { class: "search-correction", "data-testid": "search-correction" }, "Showing results for ", ...words);
}

/** "3 match all words, 10 match some", when the query has several words; else "". */
function allWordsText(response) {
  if (!(response.words > 1) || !response.total) return "";
  const some = response.total - response.allWords;
  if (!some) return response.total === 1 ? "it matches all words" : "all match all words";
  return `${response.allWords} match all words, ${some} match some`;
}

/** The mark of a result that holds every word of a query of several words, or null. */
function allWordsBadge(response, result) {
  if (!(response.words > 1) || !result.allWords) return null;
  return el("span", { class: "all-words", "data-testid": "search-all-words", text: "all words" });
}

function debounce(fn, ms) {
  let timer = null;
  const run = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  run.cancel = () => clearTimeout(timer);
  run.now = (...args) => {
    clearTimeout(timer);
    fn(...args);
  };
  return run;
}

/** A search function that resolves to null for any call overtaken by a later one. */
function latestOnly() {
  let seq = 0;
  const run = async (query, options) => {
    const mine = ++seq;
    try {
      const response = await search(query, { ...options, baseUrl: BASE });
      return mine === seq ? response : null;
    } catch (error) {
      if (mine !== seq) return null;
      throw error;
    }
  };
  run.cancel = () => {
    seq++;
  };
  return run;
}

/** Loads the index manifest ahead of the first query (an empty query fetches nothing else). */
let warmed = false;
function warm() {
  if (warmed) return;
  warmed = true;
  search("", { baseUrl: BASE, facets: false }).catch(() => {
    warmed = false;
  });
}

function unavailableMessage() {
  return location.protocol === "file:"
    ? "Search needs the archive to be served over HTTP: it does not work from a file:// address."
    : "Search is unavailable: its index could not be loaded.";
}

// ---------------------------------------------------------------- header box

function initHeader(form) {
  const input = form.querySelector('[data-testid="header-search"]') ?? form.querySelector('input[name="q"]');
  if (!input) return;
  const run = latestOnly();
  const listId = (input.id || "site-search") + "-listbox";

  const status = el("p", { class: "visually-hidden", role: "status" });
  const list = el("ul", { class: "site-search-results", id: listId, role: "listbox", "aria-label": "Search results" });
  const message = el("p", { class: "site-search-message", hidden: true });
  const note = el("div", { class: "site-search-note" });
  const popup = el("div", { class: "site-search-popup", hidden: true }, note, message, list);
  form.append(status, popup);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);

  let options = [];
  let active = -1;
  let shownFor = null; // the query the popup's content answers

  function setActive(i) {
    if (active >= 0 && options[active]) {
      options[active].setAttribute("aria-selected", "false");
      options[active].classList.remove("is-active");
    }
    active = i;
    if (i >= 0 && options[i]) {
      options[i].setAttribute("aria-selected", "true");
      options[i].classList.add("is-active");
      input.setAttribute("aria-activedescendant", options[i].id);
      options[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function open() {
    if (shownFor === null) return;
    popup.hidden = false;
    input.setAttribute("aria-expanded", "true");
    // Right-aligned under the box unless that would leave the window (box wrapped to the left).
    popup.classList.remove("is-start");
    if (popup.getBoundingClientRect().left < 0) popup.classList.add("is-start");
  }

  function close() {
    setActive(-1);
    popup.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function clear() {
    run.cancel();
    close();
    list.replaceChildren();
    options = [];
    shownFor = null;
    status.textContent = "";
  }

  function render(response, query) {
    // Keep the chosen result chosen when a later response still lists it.
    const was = active >= 0 && options[active] ? options[active].href : null;
    setActive(-1);
    options = response.results.map((r, i) =>
      el(
        "a",
        {
          class: "site-search-option",
          id: `${listId}-${i}`,
          href: resultHref(r),
          role: "option",
          "aria-selected": "false",
          tabindex: "-1",
          "data-testid": "search-result",
        },
        el("span", { class: "site-search-option-title", text: r.title }),
        metaLine(r, "span", allWordsBadge(response, r)),
        r.excerpt ? el("span", { class: "site-search-option-excerpt" }, excerptNodes(r.excerpt)) : null
      )
    );
    if (response.total > 0) {
      const rest = response.total > options.length ? `All ${response.total} results` : "Open on the search page";
      options.push(
        el("a", {
          class: "site-search-option site-search-all",
          id: `${listId}-all`,
          href: searchPageHref(query),
          role: "option",
          "aria-selected": "false",
          tabindex: "-1",
          "data-testid": "header-search-all",
          text: rest + " →",
        })
      );
    }
    list.replaceChildren(...options.map((a) => el("li", { role: "none" }, a)));
    list.hidden = options.length === 0;
    message.hidden = response.total > 0;
    message.textContent = response.total > 0 ? "" : `No postmortem matches “${query.trim()}”.`;
    const fixed = correctionLine(response);
    note.replaceChildren(...[fixed].filter(Boolean));
    const all = allWordsText(response);
    status.textContent =
      (fixed ? fixed.textContent + ". " : "") +
      (response.total > 0
        ? `${plural(response.total, "result")}${all ? `, ${all}` : ""}. Up and down arrows choose one, Enter opens it.`
        : "No results.");
    shownFor = query;
    if (was && !popup.hidden) setActive(options.findIndex((a) => a.href === was));
  }

  const update = debounce(async () => {
    const query = input.value;
    if (!query.trim()) return clear();
    let response;
    try {
      response = await run(query, { limit: HEADER_LIMIT, facets: false });
    } catch {
      render({ total: 0, results: [] }, query);
      message.textContent = unavailableMessage();
      status.textContent = message.textContent;
      if (document.activeElement === input) open();
      return;
    }
    if (!response) return;
    render(response, query);
    if (document.activeElement === input) open();
  }, DEBOUNCE_MS);

  input.addEventListener("input", () => {
    if (!input.value.trim()) {
      update.cancel();
      clear();
    } else {
      update();
    }
  });

  input.addEventListener("keydown", (event) => {
    if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    const n = options.length;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (popup.hidden) {
          if (shownFor === input.value) open();
          else if (input.value.trim()) update.now();
          return;
        }
        if (n) setActive(active + 1 >= n ? 0 : active + 1);
        return;
      case "ArrowUp":
        event.preventDefault();
        if (!popup.hidden && n) setActive(active <= -1 ? n - 1 : active - 1);
        return;
      case "Enter":
        if (!popup.hidden && active >= 0 && options[active]) {
          event.preventDefault();
          options[active].click();
        }
        return; // no active result: the form submits to the search page
      case "Escape":
        if (!popup.hidden) {
          event.preventDefault(); // keep the text (the browser would clear the box)
          close();
        }
        return;
      default:
    }
  });

  input.addEventListener("focus", () => {
    warm();
    if (input.value.trim() && shownFor === input.value) open();
  });
  form.addEventListener("pointerenter", warm);
  // Keep the focus in the box when the pointer picks a result (the click still follows it).
  popup.addEventListener("mousedown", (event) => event.preventDefault());
  form.addEventListener("focusout", (event) => {
    if (!form.contains(event.relatedTarget)) close();
  });
  // Coming back to the page through the history: no stale dropdown.
  window.addEventListener("pageshow", close);
}

// ---------------------------------------------------------------- search page

function initPage(page) {
  const form = page.querySelector("[data-search-form]");
  const input = page.querySelector('[data-testid="search-input"]');
  const region = page.querySelector("[data-search-results]");
  const count = page.querySelector("[data-search-count]");
  let correction = page.querySelector("[data-search-correction]");
  if (!correction && count) {
    correction = el("p", { class: "search-correction", "data-testid": "search-correction", hidden: true });
    count.after(correction);
  }
  const list = page.querySelector("[data-search-list]");
  const more = page.querySelector("[data-search-more]");
  const side = page.querySelector("[data-search-facets]");
  const clearButton = page.querySelector("[data-search-clear]");
  const filtersLink = page.querySelector("[data-search-filters-link]");
  if (!input || !list || !count) return;
  const groups = [...page.querySelectorAll("[data-facet]")].filter((g) => FACETS.includes(g.dataset.facet));
  const run = latestOnly();
  const baseTitle = document.title;

  /** Selected filters: facet -> values (several values of one facet must all match). */
  const selected = new Map(FACETS.map((f) => [f, []]));
  const labels = new Map(); // "facet\0value" -> label, remembered across responses
  const expanded = new Set(); // facets whose full list of values is shown
  let limit = PAGE_SIZE;
  let focusAfter = null; // what to focus once the next response is shown
  let last = null; // the response shown

  const params = new URLSearchParams(location.search);
  input.value = params.get("q") ?? "";
  for (const facet of FACETS) {
    for (const value of params.getAll(facet)) {
      if (value.trim() && !selected.get(facet).includes(value)) selected.get(facet).push(value);
    }
  }

  const filterCount = () => FACETS.reduce((n, f) => n + selected.get(f).length, 0);

  function filters() {
    const out = {};
    for (const facet of FACETS) if (selected.get(facet).length) out[facet] = selected.get(facet).slice();
    return out;
  }

  function writeUrl() {
    const p = new URLSearchParams();
    if (input.value.trim()) p.set("q", input.value);
    for (const facet of FACETS) for (const value of selected.get(facet)) p.append(facet, value);
    const url = new URL(location.href);
    url.search = p.toString();
    if (url.href !== location.href) history.replaceState(history.state, "", url);
    const q = input.value.trim();
    document.title = q ? `${q} · ${baseTitle}` : baseTitle;
  }

  function links() {
    return [...list.querySelectorAll('[data-testid="search-result"]')];
  }

  function resultItem(r) {
    const rank = severityRank(r.severity);
    return el(
      "li",
      {},
      el(
        "article",
        { class: `card search-hit${r.severity && rank ? ` card-r${rank}` : ""}` },
        el("h3", { class: "card-title" }, el("a", { href: resultHref(r), "data-testid": "search-result", text: r.title })),
        metaLine(r, "p", allWordsBadge(last, r)),
        r.excerpt ? el("p", { class: "search-excerpt" }, excerptNodes(r.excerpt)) : null
      )
    );
  }

  function sortValues(facet, values) {
    const chosen = selected.get(facet);
    const byLabel = (a, b) => a.label.localeCompare(b.label, undefined, { numeric: true });
    if (facet === "severity") {
      values.sort((a, b) => (severityRank(a.label) || 1e9) - (severityRank(b.label) || 1e9) || byLabel(a, b));
    } else if (facet === "year") {
      values.sort((a, b) => b.value.localeCompare(a.value, undefined, { numeric: true }));
    } else {
      // by count (as the client gives them), selected ones first so they stay in view
      values.sort((a, b) => chosen.includes(b.value) - chosen.includes(a.value) || b.count - a.count || byLabel(a, b));
    }
    return values;
  }

  function facetButton(facet, v) {
    const pressed = selected.get(facet).includes(v.value);
    const button = el(
      "button",
      {
        class: "facet-option",
        type: "button",
        "aria-pressed": pressed ? "true" : "false",
        "data-testid": `facet-${facet}-${v.value}`,
      },
      el("span", { class: "facet-label", text: v.label }),
      " ",
      el("span", { class: "count" }, String(v.count), el("span", { class: "visually-hidden", text: v.count === 1 ? " result" : " results" }))
    );
    button.addEventListener("click", () => {
      const values = selected.get(facet);
      const at = values.indexOf(v.value);
      if (at >= 0) values.splice(at, 1);
      else values.push(v.value);
      focusAfter = { facet, value: v.value };
      limit = PAGE_SIZE;
      update.now();
    });
    button.dataset.facetValue = v.value;
    return button;
  }

  function renderFacets(facets) {
    let any = false;
    for (const group of groups) {
      const facet = group.dataset.facet;
      const values = (facets[facet] ?? []).map((v) => ({ ...v }));
      for (const v of values) labels.set(facet + "\0" + v.value, v.label);
      for (const value of selected.get(facet)) {
        if (!values.some((v) => v.value === value)) {
          values.push({ value, label: labels.get(facet + "\0" + value) ?? value, count: 0 });
        }
      }
      sortValues(facet, values);
      let ul = group.querySelector(".facet-values");
      if (!ul) {
        ul = el("ul", { class: "facet-values", role: "list" });
        group.append(ul);
      }
      const all = expanded.has(facet) || values.length <= FACET_SHOWN + 2;
      const shown = all
        ? values
        : values.filter((v, i) => i < FACET_SHOWN || selected.get(facet).includes(v.value));
      ul.replaceChildren(...shown.map((v) => el("li", {}, facetButton(facet, v))));
      group.querySelector(".facet-toggle")?.remove();
      if (values.length > FACET_SHOWN + 2) {
        const toggle = el("button", {
          class: "link-button facet-toggle",
          type: "button",
          "aria-expanded": all ? "true" : "false",
          text: all ? "Show fewer" : `Show all ${values.length}`,
        });
        toggle.addEventListener("click", () => {
          if (expanded.has(facet)) expanded.delete(facet);
          else expanded.add(facet);
          renderFacets(facets);
          group.querySelector(".facet-toggle")?.focus();
        });
        group.append(toggle);
      }
      group.hidden = values.length === 0;
      any ||= values.length > 0;
    }
    if (side) side.hidden = !any;
    if (filtersLink) filtersLink.hidden = !any;
    if (clearButton) clearButton.hidden = filterCount() === 0;
  }

  function restoreFocus() {
    const target = focusAfter;
    focusAfter = null;
    if (!target) return;
    if (target.result !== undefined) {
      links()[target.result]?.focus();
      return;
    }
    const group = groups.find((g) => g.dataset.facet === target.facet);
    const button = group && [...group.querySelectorAll(".facet-option")].find((b) => b.dataset.facetValue === target.value);
    (button ?? input).focus();
  }

  function renderEmpty() {
    count.textContent = "";
    correction.hidden = true;
    list.replaceChildren();
    if (more) more.hidden = true;
    renderFacets({});
    region?.removeAttribute("aria-busy");
  }

  function render(response) {
    last = response;
    const q = input.value.trim();
    const n = filterCount();
    const what = (q ? ` for “${q}”` : "") + (n ? ` with ${plural(n, "filter")}` : "");
    const all = allWordsText(response);
    count.textContent = response.total ? `${plural(response.total, "result")}${what}${all ? ` · ${all}` : ""}` : `No results${what}`;
    const fixed = correctionLine(response);
    correction.replaceChildren(...(fixed ? fixed.childNodes : []));
    correction.hidden = !fixed;
    list.replaceChildren(...response.results.map(resultItem));
    if (more) {
      const left = response.total - response.results.length;
      more.hidden = left <= 0;
      more.textContent = `Show more results (${left} more)`;
    }
    region?.removeAttribute("aria-busy");
  }

  const update = debounce(async () => {
    writeUrl();
    if (!input.value.trim() && filterCount() === 0) {
      run.cancel();
      renderEmpty();
      restoreFocus();
      return;
    }
    region?.setAttribute("aria-busy", "true");
    const options = { limit, filters: filters() };
    let response;
    try {
      response = await run(input.value, { ...options, facets: false });
    } catch {
      region?.removeAttribute("aria-busy");
      count.textContent = unavailableMessage();
      list.replaceChildren();
      if (more) more.hidden = true;
      return;
    }
    if (!response) return;
    render(response);
    // The facet counts need the facet files: the results are shown first, the filters when
    // those have arrived (the same search again, its other files cached, costs a few ms).
    try {
      const full = await run(input.value, { ...options, facets: true });
      if (!full) return;
      renderFacets(full.facets ?? {});
    } catch {
      // Results without filters are still results.
    }
    restoreFocus();
  }, DEBOUNCE_MS);

  input.addEventListener("input", () => {
    limit = PAGE_SIZE;
    update();
  });
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    limit = PAGE_SIZE;
    update.now();
  });

  // Keyboard: ArrowDown from the box into the results, arrows between them, Escape back.
  input.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" || event.altKey || event.ctrlKey || event.metaKey) return;
    const first = links()[0];
    if (first) {
      event.preventDefault();
      first.focus();
    }
  });
  list.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const all = links();
    const i = all.indexOf(event.target);
    if (i < 0) return;
    let next = null;
    if (event.key === "ArrowDown") next = all[i + 1] ?? null;
    else if (event.key === "ArrowUp") next = i === 0 ? input : all[i - 1];
    else if (event.key === "Home") next = all[0];
    else if (event.key === "End") next = all[all.length - 1];
    else if (event.key === "Escape") next = input;
    else return;
    event.preventDefault();
    next?.focus();
  });

  more?.addEventListener("click", () => {
    focusAfter = { result: links().length };
    limit += PAGE_SIZE;
    update.now();
  });
  clearButton?.addEventListener("click", () => {
    for (const facet of FACETS) selected.get(facet).length = 0;
    limit = PAGE_SIZE;
    input.focus();
    update.now();
  });

  warm();
  if (input.value.trim() || filterCount()) update.now();
  else input.focus({ preventScroll: true });
}

// ---------------------------------------------------------------- start

for (const form of document.querySelectorAll("form.site-search")) initHeader(form);
const page = document.querySelector("[data-search-page]");
if (page) initPage(page);
