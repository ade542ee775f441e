/* graphmem memory explorer.
 *
 * Plain JS, no build step. Every piece of data goes through the public HTTP API with the key
 * typed in by the user, and is put on the page with textContent or as canvas labels, never as
 * HTML: memory text is user input.
 */
(function () {
  "use strict";

  const KEY_STORE = "graphmem.apiKey";
  const GRAPH_ENTITIES = 60;
  const GRAPH_RELATIONS = 500;
  const FACTS_LIMIT = 200;
  const PAGE = 100;
  const TYPE_COLOURS = {
    PERSON: "#2f6fdb", GPE: "#1b7f4b", LOC: "#1b7f4b", ORG: "#8e44ad", PRODUCT: "#d35400",
    DATE: "#7f8c8d", TIME: "#7f8c8d", CARDINAL: "#95a5a6", CONCEPT: "#b26a00", EVENT: "#c0392b",
  };

  const state = { user: null, usersCursor: null, conversation: null, messagesCursor: null, cy: null };
  const $ = (id) => document.getElementById(id);

  // ---- DOM: build elements; strings always become text nodes ---------------------------------
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "className") node.className = value;
      else if (name === "onClick") node.addEventListener("click", value);
      else if (name === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const clear = (node) => { node.replaceChildren(); return node; };
  const linkButton = (label, onClick, title) => el("button", { type: "button", className: "link", onClick, title }, label);

  function fmtTime(iso) {
    if (!iso) return "—";
    const t = new Date(iso);
    return Number.isNaN(t.getTime()) ? String(iso) : t.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  const fmtDate = (iso) => fmtTime(iso).slice(0, 10);

  // ---- API --------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }
  const seg = encodeURIComponent;
  const userPath = (rest) => `/v1/users/${seg(state.user)}${rest || ""}`;

  async function api(method, path, { query, body } = {}) {
    const headers = { Accept: "application/json" };
    const key = sessionStorage.getItem(KEY_STORE);
    if (key) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let url = path;
    if (query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.append(k, String(v));
      if ([...params].length) url += `?${params}`;
    }
    let response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (exc) {
      throw new ApiError(0, "network", `the server did not answer (${exc.message})`);
    }
    let data = null;
    try { data = await response.json(); } catch (_) { /* an empty or non-JSON body */ }
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiError(response.status, error.code || String(response.status), error.message || response.statusText);
    }
    return data;
  }

  function banner(kind, text) {
    const node = $("banner");
    node.className = `banner ${kind}`;
    node.textContent = text;
    node.hidden = !text;
  }

  /** 401 anywhere means: no key, or a wrong one. Everything else is shown in the banner. */
  function fail(context, err) {
    if (err instanceof ApiError && err.status === 401) { keyRequired(err.message); return; }
    banner("error", `${context}: ${err.message}`);
  }

  // ---- the key ----------------------------------------------------------------------------------
  function keyRequired(message) {
    const hasKey = Boolean(sessionStorage.getItem(KEY_STORE));
    $("key-state").textContent = hasKey ? "key rejected" : "key required";
    $("key-required").hidden = false;
    $("main").hidden = true;
    banner("error", hasKey ? `The key was refused: ${message}` : "This server needs an API key.");
    $("api-key").focus();
  }

  function keyAccepted() {
    $("key-required").hidden = true;
    $("main").hidden = false;
    $("key-state").textContent = sessionStorage.getItem(KEY_STORE) ? "key set" : "";
  }

  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("api-key").value.trim();
    if (key) sessionStorage.setItem(KEY_STORE, key);
    $("api-key").value = "";
    start();
  });
  $("forget-key").addEventListener("click", () => { sessionStorage.removeItem(KEY_STORE); start(); });

  // ---- users ------------------------------------------------------------------------------------
  async function loadStatus() {
    try {
      const s = await api("GET", "/v1/status");
      $("server-status").textContent = `v${s.versions.graphmem} · ${s.database_mode} database · ${s.users} users`;
    } catch (err) {
      $("server-status").textContent = "";
      if (err.status === 401) throw err;
    }
  }

  async function loadUsers(reset) {
    if (reset) { clear($("user-list")); state.usersCursor = null; }
    try {
      const page = await api("GET", "/v1/users", { query: { limit: PAGE, cursor: state.usersCursor } });
      for (const user of page.users) {
        $("user-list").append(el("li", {}, el("button", {
          type: "button", title: user.user_id, dataset: { user: user.user_id },
          "aria-current": user.user_id === state.user ? "true" : "false",
          onClick: () => openUser(user.user_id),
        }, user.user_id)));
      }
      state.usersCursor = page.next_cursor;
      $("more-users").hidden = !page.next_cursor;
      $("users-note").textContent = $("user-list").children.length ? "" : "No users yet.";
    } catch (err) {
      if (err.status === 403) $("users-note").textContent = "Listing users needs an admin key; open a user by id.";
      else throw err;
    }
  }
  $("more-users").addEventListener("click", () => loadUsers(false).catch((err) => fail("Users", err)));
  $("user-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("user-id").value.trim();
    if (id) openUser(id);
  });

  async function openUser(userId) {
    state.user = userId;
    for (const b of document.querySelectorAll("#user-list button")) b.setAttribute("aria-current", String(b.dataset.user === userId));
    banner("info", "");
    let detail;
    try {
      detail = await api("GET", userPath());
    } catch (err) {
      $("workspace").hidden = true;
      if (err.status === 404) banner("error", `There is no user "${userId}".`);
      else fail("User", err);
      return;
    }
    if (userId !== state.user) return;  // another user was opened meanwhile
    history.replaceState(null, "", `#user=${seg(userId)}`);
    $("user-title").textContent = detail.user_id;
    const counts = clear($("user-counts"));
    for (const [name, value] of Object.entries(detail.counts)) counts.append(el("div", {}, el("dt", {}, name), el("dd", {}, value)));
    counts.append(el("div", {}, el("dt", {}, "seen"), el("dd", {}, `${fmtTime(detail.first_seen)} → ${fmtTime(detail.last_seen)}`)));
    clear($("hits")); $("search-note").textContent = "";
    clear($("messages")); $("conversation-note").textContent = ""; $("more-messages").hidden = true;
    $("conversation-id").value = "";
    clear($("entity")).append(el("p", { className: "muted" }, "Click a node in the graph, or an entity in a fact."));
    $("workspace").hidden = false;
    await loadTopGraph();
  }

  // ---- search -----------------------------------------------------------------------------------
  function whyChips(why) {
    const chips = [el("span", { className: "chip", title: "how the channels were combined" }, why.fusion)];
    for (const [channel, found] of Object.entries(why.channels || {})) {
      chips.push(el("span", { className: `chip ch-${channel}`, title: `${channel}: rank ${found.rank}, score ${found.score}` },
        `${channel} #${found.rank} (${Number(found.score).toFixed(3)})`));
    }
    for (const [boost, value] of Object.entries(why.boosts || {})) {
      chips.push(el("span", { className: "chip boost", title: `${boost} boost` }, `${boost} boost ${Number(value).toFixed(3)}`));
    }
    const path = why.path && why.path.length ? el("div", { className: "meta" }, `graph path: ${why.path.join(" → ")}`) : null;
    return el("div", {}, el("div", { className: "why" }, "why:", chips), path);
  }

  function renderHit(hit) {
    return el("li", { dataset: { memory: hit.memory_id } },
      el("div", { className: "text" }, hit.text),
      el("div", { className: "meta" },
        el("span", {}, `score ${hit.score.toFixed(4)}`),
        el("span", {}, [hit.speaker, hit.role].filter(Boolean).join(" · ")),
        el("span", {}, fmtTime(hit.timestamp)),
        hit.conversation_id && linkButton(`conversation ${hit.conversation_id}`,
          () => openConversation(hit.conversation_id, hit.message_id), "show this conversation")),
      whyChips(hit.why));
  }

  $("search-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = $("query").value.trim();
    if (!query || !state.user) return;
    $("search-note").textContent = "Searching…";
    const user = state.user;
    try {
      const result = await api("POST", userPath("/memories/search"), { body: { query, limit: 20, recipe: $("recipe").value } });
      if (user !== state.user) return;  // another user was opened meanwhile
      clear($("hits")).append(...result.hits.map(renderHit));
      $("search-note").textContent = `${result.hits.length} hits (${result.recipe})`;
    } catch (err) {
      $("search-note").textContent = "";
      fail("Search", err);
    }
  });

  // ---- graph ------------------------------------------------------------------------------------
  const includeHistory = () => $("graph-history").checked;

  async function loadTopGraph() {
    $("graph-note").textContent = "Loading…";
    const user = state.user;
    try {
      const [entities, relations] = await Promise.all([
        api("GET", userPath("/entities"), { query: { limit: GRAPH_ENTITIES, sort: "mentions" } }),
        api("GET", userPath("/relations"), { query: { limit: GRAPH_RELATIONS, include_history: includeHistory() || undefined } }),
      ]);
      if (user !== state.user) return;
      drawGraph(entities.entities, relations.relations, null);
      $("graph-note").textContent = `${entities.entities.length} most mentioned entities`;
    } catch (err) {
      $("graph-note").textContent = "";
      fail("Graph", err);
    }
  }

  async function loadNeighbourhood(entityId) {
    const user = state.user;
    try {
      const hood = await api("GET", userPath(`/entities/${entityId}/neighbours`),
        { query: { depth: 2, limit: GRAPH_ENTITIES, include_history: includeHistory() || undefined } });
      if (user !== state.user) return;
      drawGraph([hood.root, ...hood.neighbours.map((n) => n.entity)], hood.relations, hood.root.id);
      $("graph-note").textContent = `within 2 hops of ${hood.root.name}${hood.truncated ? " (cut short)" : ""}`;
    } catch (err) {
      fail("Neighbourhood", err);
    }
  }

  function factState(relation, now) {
    if (relation.valid_to && new Date(relation.valid_to) <= now) return "ended";
    if (relation.valid_from && new Date(relation.valid_from) > now) return "future";
    return "current";
  }

  function drawGraph(entities, relations, rootId) {
    if (state.cy) { state.cy.destroy(); state.cy = null; }
    if (typeof window.cytoscape !== "function") { $("graph-note").textContent = "graph library failed to load"; return; }
    const ids = new Set(entities.map((e) => e.id));
    const now = new Date();
    const nodes = entities.map((e) => ({ data: {
      id: `e${e.id}`, entity: e.id, label: e.name, type: e.type,
      size: 18 + 6 * Math.min(8, Math.log2(1 + e.mention_count)), colour: TYPE_COLOURS[e.type] || "#5d6d7e",
    }, classes: e.id === rootId ? "root" : "" }));
    const edges = relations
      .filter((r) => r.object && ids.has(r.subject.id) && ids.has(r.object.id))
      .map((r) => ({ data: { id: `r${r.id}`, source: `e${r.subject.id}`, target: `e${r.object.id}`,
        label: (r.polarity < 0 ? "not " : "") + r.predicate }, classes: factState(r, now) }));
    state.cy = window.cytoscape({
      container: $("graph"),
      elements: [...nodes, ...edges],
      minZoom: 0.2,
      maxZoom: 1.8,  // a handful of nodes would otherwise be zoomed to fill the box
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", label: "data(label)", width: "data(size)", height: "data(size)",
          "font-size": 11, color: "#1d2430", "text-valign": "bottom", "text-margin-y": 3,
          "text-background-color": "#fbfcfe", "text-background-opacity": 0.8, "text-background-padding": 1 } },
        { selector: "node.root", style: { "border-width": 3, "border-color": "#1d2430" } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#f1c40f" } },
        { selector: "edge", style: {
          width: 1.5, "line-color": "#aab4c3", "target-arrow-color": "#aab4c3", "target-arrow-shape": "triangle",
          "curve-style": "bezier", label: "data(label)", "font-size": 9, color: "#667085",
          "text-rotation": "autorotate", "text-background-color": "#fbfcfe", "text-background-opacity": 0.8 } },
        { selector: "edge.ended", style: { "line-style": "dashed", opacity: 0.6 } },
      ],
      layout: { name: nodes.length > 1 ? "cose" : "grid", animate: false, padding: 20, nodeRepulsion: () => 9000 },
    });
    state.cy.on("tap", "node", (event) => showEntity(event.target.data("entity")));
    window.graphmemExplorer = { graph: state.cy };  // for the browser tests and for poking around
    if (!nodes.length) $("graph-note").textContent = "no entities yet";
  }

  $("graph-top").addEventListener("click", () => loadTopGraph());
  $("graph-history").addEventListener("change", () => loadTopGraph());

  // ---- one entity: its facts with their history --------------------------------------------------
  async function showEntity(entityId) {
    const pane = clear($("entity"));
    pane.append(el("p", { className: "muted" }, "Loading…"));
    const user = state.user;
    try {
      const history = { include_history: true, limit: FACTS_LIMIT };
      const [detail, outgoing, incoming, mentions] = await Promise.all([
        api("GET", userPath(`/entities/${entityId}`)),
        api("GET", userPath("/relations"), { query: { ...history, subject_id: entityId } }),
        api("GET", userPath("/relations"), { query: { ...history, object_id: entityId } }),
        api("GET", userPath(`/entities/${entityId}/mentions`), { query: { limit: 10 } }),
      ]);
      if (user !== state.user) return;
      const facts = new Map([...outgoing.relations, ...incoming.relations].map((r) => [r.id, r]));
      renderEntity(pane, detail, [...facts.values()], mentions.mentions);
      if (state.cy) { state.cy.$(":selected").unselect(); state.cy.$id(`e${entityId}`).select(); }
    } catch (err) {
      clear(pane);
      fail("Entity", err);
    }
  }

  function renderEntity(pane, detail, facts, mentions) {
    const e = detail.entity;
    clear(pane).append(...[
      el("div", { className: "entity-head" }, el("h4", {}, e.name), el("span", { className: "type" }, e.type),
        el("span", { className: "muted" }, `${e.mention_count} mentions · ${fmtTime(e.first_seen)} → ${fmtTime(e.last_seen)}`)),
      el("div", { className: "meta" }, `aliases: ${detail.aliases.join(", ") || "—"}`),
      Object.keys(detail.attributes).length ? el("div", { className: "meta" }, `attributes: ${JSON.stringify(detail.attributes)}`) : null,
      el("div", { className: "row" }, el("button", { type: "button", onClick: () => loadNeighbourhood(e.id) }, "Show neighbourhood in graph")),
      factsTable(e.id, facts),
      el("h3", {}, "Mentioned in"),
      mentionList(mentions),
    ].filter(Boolean));
  }

  function mentionList(mentions) {
    if (!mentions.length) return el("p", { className: "muted" }, "No mentions.");
    return el("ul", { className: "mentions" }, mentions.map((m) => el("li", {},
      el("div", { className: "text" }, m.text),
      el("div", { className: "meta" }, el("span", {}, fmtTime(m.timestamp)), m.speaker && el("span", {}, m.speaker),
        m.conversation_id && linkButton(`conversation ${m.conversation_id}`,
          () => openConversation(m.conversation_id, m.message_id))))));
  }

  function factsTable(entityId, facts) {
    if (!facts.length) return el("p", { className: "muted" }, "No facts.");
    const now = new Date();
    const order = { current: 0, future: 1, ended: 2 };
    facts.sort((a, b) => a.predicate.localeCompare(b.predicate)
      || order[factState(a, now)] - order[factState(b, now)]
      || String(b.valid_from || "").localeCompare(String(a.valid_from || "")));
    const entityCell = (ref) => (ref.id === entityId ? el("strong", {}, ref.name) : linkButton(ref.name, () => showEntity(ref.id)));
    const body = el("tbody");
    for (const r of facts) {
      const status = factState(r, now);
      const row = el("tr", { className: status, dataset: { relation: r.id } },
        el("td", {}, entityCell(r.subject), " ",
          el("span", { className: "predicate" }, (r.polarity < 0 ? "not " : "") + r.predicate), " ",
          el("span", { className: "value" }, r.object ? entityCell(r.object) : r.object_literal)),
        el("td", { className: "nowrap", title: `${fmtTime(r.valid_from)} → ${r.valid_to ? fmtTime(r.valid_to) : "now"}` },
          `${fmtDate(r.valid_from)} → ${r.valid_to ? fmtDate(r.valid_to) : "…"}`),
        el("td", {}, el("span", { className: `state ${status}` }, status)),
        el("td", { className: "nowrap" }, `${r.source} · ${r.confidence.toFixed(2)}`),
        el("td", {}, linkButton("evidence", () => showProvenance(row, r.id))));
      body.append(row);
    }
    const head = el("tr", {}, ["fact", "valid", "state", "source", ""].map((h) => el("th", {}, h)));
    return el("table", { className: "facts" }, el("thead", {}, head), body);
  }

  async function showProvenance(row, relationId) {
    const next = row.nextElementSibling;
    if (next && next.dataset.provenanceOf === String(relationId)) { next.remove(); return; }
    try {
      const detail = await api("GET", userPath(`/relations/${relationId}`));
      const p = detail.provenance;
      const content = p
        ? el("div", { className: "provenance" }, p.snippet,
          el("div", { className: "meta" }, el("span", {}, fmtTime(p.timestamp)), p.speaker && el("span", {}, p.speaker),
            linkButton(`conversation ${p.conversation_id}`, () => openConversation(p.conversation_id, p.message_id))))
        : el("div", { className: "provenance" }, "Added by hand: no source message.");
      row.after(el("tr", { dataset: { provenanceOf: relationId } }, el("td", { colspan: 5 }, content)));
    } catch (err) {
      fail("Evidence", err);
    }
  }

  // ---- a conversation ---------------------------------------------------------------------------
  async function openConversation(conversationId, focusMessageId, more) {
    if (!more) {
      state.conversation = conversationId;
      state.messagesCursor = null;
      $("conversation-id").value = conversationId;
      clear($("messages"));
    }
    const user = state.user;
    try {
      const page = await api("GET", userPath(`/conversations/${seg(conversationId)}/messages`),
        { query: { limit: PAGE, cursor: state.messagesCursor } });
      if (user !== state.user || conversationId !== state.conversation) return;
      for (const m of page.messages) {
        $("messages").append(el("li", { dataset: { message: m.message_id }, className: m.message_id === focusMessageId ? "focus" : "" },
          el("div", {}, el("span", { className: "who" }, m.speaker || m.role), el("span", { className: "muted" }, ` · ${m.role} · ${fmtTime(m.timestamp)}`)),
          el("div", { className: "text" }, m.text)));
      }
      state.messagesCursor = page.next_cursor;
      $("more-messages").hidden = !page.next_cursor;
      $("conversation-note").textContent = `${$("messages").children.length} messages in ${conversationId}`;
      const focus = $("messages").querySelector("li.focus");
      if (focus) focus.scrollIntoView({ block: "nearest" });
    } catch (err) {
      if (err.status === 404) $("conversation-note").textContent = `No conversation "${conversationId}" for this user.`;
      else fail("Conversation", err);
    }
  }

  $("conversation-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("conversation-id").value.trim();
    if (id && state.user) openConversation(id, null);
  });
  $("more-messages").addEventListener("click", () => openConversation(state.conversation, null, true));

  // ---- erasure ----------------------------------------------------------------------------------
  $("erase-user").addEventListener("click", () => {
    $("erase-who").textContent = state.user;
    $("erase-confirm").value = "";
    $("erase-go").disabled = true;
    $("erase-dialog").showModal();
    $("erase-confirm").focus();
  });
  $("erase-confirm").addEventListener("input", () => { $("erase-go").disabled = $("erase-confirm").value !== state.user; });
  $("erase-cancel").addEventListener("click", () => $("erase-dialog").close());
  $("erase-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if ($("erase-confirm").value !== state.user) return;
    const userId = state.user;
    $("erase-go").disabled = true;
    try {
      const receipt = await api("DELETE", userPath());
      $("erase-dialog").close();
      const rows = Object.values(receipt.counts).reduce((a, b) => a + b, 0);
      banner("info", `Erased "${userId}": ${rows} rows in ${receipt.duration_ms.toFixed(0)} ms (receipt ${receipt.erasure_id}).`);
      state.user = null;
      $("workspace").hidden = true;
      history.replaceState(null, "", "#");
      for (const b of document.querySelectorAll("#user-list button")) if (b.dataset.user === userId) b.parentElement.remove();
      loadStatus().catch(() => {});
    } catch (err) {
      $("erase-dialog").close();
      if (err.status === 403) banner("error", `Erasing needs an admin key: ${err.message}`);
      else fail("Erase", err);
    }
  });

  // ---- start ------------------------------------------------------------------------------------
  async function start() {
    banner("info", "");
    try {
      await loadStatus();
      await loadUsers(true);
      keyAccepted();
    } catch (err) {
      fail("Users", err);
      return;
    }
    const wanted = new URLSearchParams(location.hash.slice(1)).get("user");
    if (wanted) await openUser(wanted);
  }

  start();
})();
