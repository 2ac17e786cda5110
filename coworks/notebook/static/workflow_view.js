// The live workflow graph: the SVG is laid out once by dot; afterwards only changed statuses
// arrive (custom messages), and each recolours the shapes of one state in place.

function hex(text) {
  return Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(text) {
  const bytes = new Uint8Array((text.match(/../g) || []).map((pair) => parseInt(pair, 16)));
  return new TextDecoder().decode(bytes);
}

function paint(root, colors, name, status) {
  for (const suffix of ["", "_join"]) {
    const group = root.querySelector(`[id="cw_${hex(name)}${suffix}"]`);
    if (!group) continue;
    group.setAttribute("data-status", status);
    for (const shape of group.querySelectorAll("ellipse, polygon, path")) {
      if (shape.getAttribute("fill") !== "none") shape.setAttribute("fill", colors[status] || "#ffffff");
    }
  }
}

const SVG_NS = "http://www.w3.org/2000/svg";

function parseSvg(text) {
  const doc = new DOMParser().parseFromString(
    `<svg xmlns="${SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink">${text}</svg>`, "image/svg+xml");
  return Array.from(doc.documentElement.children);
}

// A patch from the kernel: the groups (nodes, edges, clusters) that changed, those removed, and the
// new <svg>/<g> head when the drawing's size changed. Anything else stays as it is in the page.
function patch(root, message) {
  const svg = root.querySelector("svg");
  const top = svg && svg.querySelector("g.graph");
  if (!top) return;
  if (message.head) {
    const holder = document.createElement("div");
    holder.innerHTML = message.head + "</g></svg>";
    const fresh = holder.querySelector("svg");
    for (const name of ["width", "height", "viewBox"]) {
      if (fresh && fresh.getAttribute(name)) svg.setAttribute(name, fresh.getAttribute(name));
    }
    const graph = holder.querySelector("g.graph");
    if (graph) top.setAttribute("transform", graph.getAttribute("transform"));
  }
  const move = (group, [dx, dy]) => {
    const [x, y] = [Number(group.dataset.dx || 0) + dx, Number(group.dataset.dy || 0) + dy];
    group.dataset.dx = x;
    group.dataset.dy = y;
    group.setAttribute("transform", `translate(${x} ${y})`);
  };
  const named = new Set([...(message.keep || []), ...(message.remove || []), ...Object.keys(message.set || {}),
    ...Object.values(message.moves || {}).flat()]);
  for (const [delta, ids] of Object.entries(message.moves || {})) {
    const shift = delta.split(",").map(Number);
    for (const id of ids) {
      const group = top.querySelector(`:scope > [id="${id}"]`);
      if (group) move(group, shift);
    }
  }
  if (message.shift) {
    for (const group of top.querySelectorAll(":scope > g[id]")) {
      if (!named.has(group.id)) move(group, message.shift);
    }
  }
  for (const id of message.remove || []) {
    const gone = top.querySelector(`[id="${id}"]`);
    if (gone) gone.remove();
  }
  for (const [id, text] of Object.entries(message.set || {})) {
    const [fresh] = parseSvg(text);
    if (!fresh) continue;
    const imported = document.importNode(fresh, true);
    const old = top.querySelector(`:scope > [id="${id}"]`);
    if (old) old.replaceWith(imported);
    else if (imported.classList.contains("cluster")) top.insertBefore(imported, top.querySelector(":scope > g.node"));
    else top.append(imported);
  }
}

function mark(root, marks) {
  for (const group of root.querySelectorAll(".coworks-invalid")) {
    group.classList.remove("coworks-invalid");
    group.removeAttribute("data-problem");
  }
  for (const [name, problem] of Object.entries(marks || {})) {
    const group = root.querySelector(`[id="cw_${hex(name)}"]`);
    if (!group) continue;
    group.classList.add("coworks-invalid");
    group.setAttribute("data-problem", problem);
    const title = group.querySelector("title");
    if (title) title.textContent = `${name}: ${problem}`;
  }
}

function render({ model, el }) {
  el.classList.add("coworks-workflow-view");
  const header = document.createElement("div");
  header.className = "coworks-header";
  const legend = document.createElement("div");
  legend.className = "coworks-legend";
  for (const [status, color] of Object.entries(model.get("colors"))) {
    const item = document.createElement("span");
    const swatch = document.createElement("span");
    swatch.className = "coworks-swatch";
    swatch.style.background = color;
    item.append(swatch, document.createTextNode(status));
    legend.append(item);
  }
  const graph = document.createElement("div");
  graph.className = "coworks-graph";
  graph.innerHTML = model.get("svg");
  const details = document.createElement("div");
  details.className = "coworks-details";
  el.append(header, legend, graph, details);
  const head = () => { header.innerHTML = model.get("header"); };
  head();
  model.on("change:header", head);

  const apply = (changes) => {
    const colors = model.get("colors");
    for (const [name, status] of Object.entries(changes)) paint(graph, colors, name, status);
  };
  const live = {};
  const paintAll = () => { apply(model.get("statuses")); apply(live); mark(graph, model.get("marks")); };
  paintAll();
  model.on("change:statuses", () => apply(model.get("statuses")));
  model.on("change:marks", () => mark(graph, model.get("marks")));
  model.on("change:svg", () => { graph.innerHTML = model.get("svg"); paintAll(); });
  model.on("msg:custom", (message) => {
    if (message && message.type === "statuses") { Object.assign(live, message.changes); apply(message.changes); }
    if (message && message.type === "patch") { patch(graph, message); paintAll(); }
  });

  graph.addEventListener("click", (event) => {
    const group = event.target.closest("g.node");
    if (!group || !group.id.startsWith("cw_")) return;
    model.set("selected", unhex(group.id.slice(3).replace(/_join$/, "")));
    model.save_changes();
  });
  const show = () => { details.innerHTML = model.get("details"); };
  show();
  model.on("change:details", show);
}

export default { render };
