// The workflow editor's panel: palette, toolbar and the selected state's form. Every control sends
// one action ({action, args}) to the kernel, where a method of the same name does the work; the
// panel is redrawn from the synced fields (palette, names, form, problems, message...). The graph
// beside it is the WorkflowView widget, patched in place by the kernel.

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "className") node.className = value;
    else if (value === true) node.setAttribute(key, "");
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function options(values, selected, blank) {
  const list = blank === undefined ? [] : [h("option", { value: "" }, blank)];
  for (const value of values) {
    const [key, label] = Array.isArray(value) ? value : [value, value];
    list.push(h("option", { value: key, selected: key === selected }, label));
  }
  return list;
}

function render({ model, el }) {
  el.classList.add("coworks-workflow-editor");
  const act = (action, args = {}) => model.send({ action, args });
  const paths = () => h("datalist", { id: `cw-paths-${model.cid}` },
    ...model.get("paths").map((p) => h("option", { value: p })));

  function field(label, input) {
    return h("div", { className: "cw-row" }, h("label", {}, label), input);
  }

  function text(value, onchange, attrs = {}) {
    return h("input", { type: "text", value: value ?? "", onchange: (e) => onchange(e.target.value), ...attrs });
  }

  function toolbar() {
    const pending = model.get("pending") === "deploy";
    return h("div", { className: "cw-toolbar" },
      h("button", { className: "cw-undo", disabled: !model.get("can_undo"), onclick: () => act("undo") }, "Undo"),
      h("button", { className: "cw-redo", disabled: !model.get("can_redo"), onclick: () => act("redo") }, "Redo"),
      h("button", { className: "cw-save", onclick: () => act("save", { path: fileInput.value || null }) }, "Save"),
      h("button", { className: "cw-yaml", onclick: () => act(model.get("shown") === "yaml" ? "hide" : "show_yaml") },
        "YAML"),
      h("button", { className: "cw-python", onclick: () => act(model.get("shown") === "python" ? "hide" : "show_python") },
        "Python"),
      h("button", { className: "cw-run", onclick: () => act("run", {}) }, "Run"),
      h("button", { className: "cw-deploy", onclick: () => act("deploy") }, "Deploy"),
      pending ? h("button", { className: "cw-confirm", onclick: () => act("confirm") }, "Confirm") : null,
      pending ? h("button", { className: "cw-cancel", onclick: () => act("cancel") }, "Cancel") : null);
  }

  let fileInput;
  function settings() {
    fileInput = h("input", { type: "text", className: "cw-file", value: model.get("file"),
      placeholder: `${model.get("title")}.yaml` });
    const input = h("textarea", { className: "cw-input", rows: 2,
      onchange: (e) => { model.set("run_input", e.target.value); model.save_changes(); } }, model.get("run_input"));
    return h("div", {},
      field("workflow", text(model.get("title"), (v) => act("set_name", { name: v }), { className: "cw-title" })),
      field("file", fileInput),
      field("run input", input));
  }

  function palette() {
    const list = h("div", { className: "cw-palette" });
    let service = null;
    for (const entry of model.get("palette")) {
      if (entry.kind === "task" || entry.kind === "service") {
        if (entry.service !== service) {
          service = entry.service;
          const where = entry.deployed === true ? " (deployed)" : entry.deployed === false ? " (not deployed)" : "";
          list.append(h("div", { className: "cw-muted" }, `${service}${where}`));
        }
        if (entry.kind === "service") { list.append(h("div", { className: "cw-muted" }, entry.summary)); continue; }
        const params = entry.params.map((p) => `${p.name}${p.required ? "" : "?"}: ${p.type || "any"}`).join(", ");
        list.append(h("button", { className: "cw-block cw-entry", "data-call": entry.call, title: entry.summary,
          onclick: () => act("add_entry", { call: entry.call, after: model.get("selected") || null }) },
          `${entry.route}  ${entry.entry}(${params})`));
      } else {
        list.append(h("button", { className: "cw-block cw-kind", "data-kind": entry.kind, title: entry.summary,
          onclick: () => act("add", { kind: entry.kind, after: model.get("selected") || null }) },
          `+ ${entry.label}: ${entry.summary}`));
      }
    }
    return h("div", {}, h("h4", {}, "Add a step"), list);
  }

  function targetSelect(value, onchange, blank, className) {
    return h("select", { className, onchange: (e) => onchange(e.target.value) },
      ...options(model.get("names"), value, blank));
  }

  function callForm(form) {
    const call = form.call;
    const rows = [h("div", { className: "cw-muted" }, `calls ${call.call}  ${call.route}`,
      call.deployed === false ? " (not deployed)" : "")];
    for (const param of call.params) {
      const mode = h("select", { className: "cw-mode" },
        ...options([["value", "value"], ["ref", "from input"]], param.mode || (param.required ? "ref" : "value")));
      const value = h("input", { type: "text", className: "cw-arg", "data-arg": param.name, value: param.value,
        list: `cw-paths-${model.cid}`, placeholder: param.default !== null && param.default !== undefined
          ? `default ${JSON.stringify(param.default)}` : (param.required ? "required" : ""),
        onchange: (e) => act("set_argument", { name: form.name, argument: param.name, value: e.target.value,
          mode: mode.value }) });
      mode.addEventListener("change", () => { if (value.value) value.dispatchEvent(new Event("change")); });
      rows.push(h("div", { className: "cw-row", title: param.description || "" },
        h("label", {}, `${param.name}${param.required ? " *" : ""}`, h("span", { className: "cw-muted" },
          ` ${param.type}`)), mode, value));
    }
    return h("div", { className: "cw-call" }, h("h4", {}, "Arguments"), ...rows);
  }

  function choiceForm(form) {
    const rows = [h("h4", {}, "Choices")];
    const row = (rule, index) => {
      const parts = rule.parts || { path: "", op: "==", value: "", kind: "" };
      const path = h("input", { type: "text", className: "cw-path", value: parts.path, list: `cw-paths-${model.cid}`,
        placeholder: "$.path", size: 14 });
      const op = h("select", { className: "cw-op" }, ...options(form.operators, parts.op));
      const value = h("input", { type: "text", className: "cw-value", value: parts.value, placeholder: "value",
        size: 6 });
      const kind = h("select", { className: "cw-kind-of" },
        ...options([["", "auto"], ["number", "number"], ["string", "text"], ["boolean", "boolean"],
          ["timestamp", "time"]], parts.kind));
      const then = targetSelect(rule.then, () => {}, "then…", "cw-then");
      const set = () => act("set_choice", { name: form.name, index, then: then.value || null,
        condition: rule.parts || index === form.choices.length || !rule.condition
          ? { path: path.value, op: op.value, value: value.value, kind: kind.value } : rule.condition });
      return h("div", { className: "cw-choice", "data-index": index },
        rule.parts || !rule.condition ? h("div", { className: "cw-row" }, path, op, value, kind)
          : h("div", { className: "cw-muted" }, `if ${rule.condition}`),
        h("div", { className: "cw-row" }, h("label", {}, "then"), then,
          h("button", { className: "cw-set-choice", onclick: set }, index === form.choices.length ? "Add" : "Set"),
          index < form.choices.length
            ? h("button", { onclick: () => act("remove_choice", { name: form.name, index }) }, "✕") : null));
    };
    form.choices.forEach((rule, index) => rows.push(row(rule, index)));
    rows.push(row({ condition: "", then: "", parts: null }, form.choices.length));
    rows.push(field("otherwise", targetSelect(form.otherwise,
      (v) => act("connect", { name: form.name, target: v || null, how: "otherwise" }), "—", "cw-otherwise")));
    return h("div", { className: "cw-choices" }, ...rows);
  }

  function handlers(form, key, fields) {
    const rows = [h("h4", {}, key === "retry" ? "Retry" : "Catch")];
    const row = (rule, index) => {
      const inputs = {};
      const cells = fields.map((name) => {
        const input = name === "then" ? targetSelect(rule[name], () => {}, "go to…", `cw-${key}-${name}`)
          : h("input", { type: "text", className: `cw-${key}-${name}`, value: rule[name] ?? "", placeholder: name,
            size: name === "errors" ? 14 : 5 });
        inputs[name] = input;
        return input;
      });
      const save = () => act(`set_${key}`, { name: form.name, index,
        ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.value])) });
      return h("div", { className: "cw-row" }, ...cells,
        h("button", { onclick: save }, index === form[key].length ? "Add" : "Set"),
        index < form[key].length ? h("button", { onclick: () => act(`remove_${key}`, { name: form.name, index }) }, "✕")
          : null);
    };
    form[key].forEach((rule, index) => rows.push(row(rule, index)));
    rows.push(row(Object.fromEntries(fields.map((f) => [f, f === "errors" ? "States.ALL" : ""])), form[key].length));
    return h("div", { className: `cw-${key}` }, ...rows);
  }

  function stateForm() {
    const form = model.get("form");
    if (!form || !form.name) {
      return h("div", { className: "cw-muted" }, "Add a step from the palette, or click a state in the graph.");
    }
    const out = h("div", { className: "cw-form", "data-state": form.name });
    out.append(h("h4", {}, `${form.kind}: ${form.name}`));
    for (const problem of form.problems) out.append(h("div", { className: "cw-problem" }, `⚠ ${problem}`));
    out.append(field("name", text(form.name, (v) => act("rename", { name: form.name, new: v }), { className: "cw-rename" })));
    out.append(h("div", { className: "cw-row" },
      h("button", { disabled: form.index === 0, onclick: () => act("move", { name: form.name, offset: -1 }) }, "↑ Up"),
      h("button", { disabled: form.index >= form.count - 1, onclick: () => act("move", { name: form.name, offset: 1 }) },
        "↓ Down"),
      h("button", { className: "cw-remove", onclick: () => act("remove", { name: form.name }) }, "Remove")));
    if (form.call) out.append(callForm(form));
    for (const item of form.fields) {
      out.append(field(item.key, text(item.value, (v) => act("set_field", { name: form.name, key: item.key, value: v }),
        { className: `cw-field cw-field-${item.key}`, list: item.key.endsWith("path") ? `cw-paths-${model.cid}` : null })));
    }
    if ("next" in form) {
      const following = form.following ? `the next one (${form.following})` : "end here";
      const select = h("select", { className: "cw-next", onchange: (e) => {
        const v = e.target.value;
        act("connect", { name: form.name, target: v === "__end__" ? null : v || form.following, how: "next" });
      } }, h("option", { value: "" }, following),
      h("option", { value: "__end__", selected: form.ends && form.following !== null && !form.next }, "end here"),
      ...options(model.get("names").filter((n) => n !== form.name), form.next));
      out.append(field("then", select));
    }
    if (form.choices) out.append(choiceForm(form));
    if (form.retry) out.append(handlers(form, "retry", ["errors", "interval", "attempts", "backoff"]));
    if (form.catch) out.append(handlers(form, "catch", ["errors", "then", "result_path"]));
    return out;
  }

  function problems() {
    const all = model.get("problems");
    const count = Object.values(all).reduce((n, list) => n + list.length, 0);
    const general = all[""] || [];
    return h("div", { className: "cw-problems" },
      h("div", { className: count ? "cw-problem" : "cw-muted" },
        count ? `${count} problem${count > 1 ? "s" : ""} (marked in red on the graph)` : "Valid: no problem found."),
      ...general.map((p) => h("div", { className: "cw-problem" }, `⚠ ${p}`)));
  }

  function draw() {
    const parts = [
      h("div", { className: "cw-header" }, h("b", {}, `Workflow ${model.get("title")}`)),
      toolbar(),
      h("div", { className: `cw-message ${model.get("message_kind")}` }, model.get("message")),
      model.get("shown") ? h("pre", { className: `cw-shown cw-shown-${model.get("shown")}` }, model.get("text")) : null,
      problems(), settings(), palette(), stateForm(), paths()];
    el.replaceChildren(...parts.filter((part) => part !== null));
  }

  draw();
  for (const name of ["palette", "names", "form", "problems", "paths", "message", "message_kind", "can_undo",
    "can_redo", "shown", "text", "file", "title", "pending"]) {
    model.on(`change:${name}`, draw);
  }
}

export default { render };
