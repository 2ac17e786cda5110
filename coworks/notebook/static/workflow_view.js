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

function render({ model, el }) {
  el.classList.add("coworks-workflow-view");
  const graph = document.createElement("div");
  graph.className = "coworks-graph";
  graph.innerHTML = model.get("svg");
  const details = document.createElement("div");
  details.className = "coworks-details";
  el.append(graph, details);

  const apply = (changes) => {
    const colors = model.get("colors");
    for (const [name, status] of Object.entries(changes)) paint(graph, colors, name, status);
  };
  apply(model.get("statuses"));
  model.on("change:statuses", () => apply(model.get("statuses")));
  model.on("msg:custom", (message) => {
    if (message && message.type === "statuses") apply(message.changes);
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
