// cgotrap's HTML report: the packages x target-groups heatmap, filters, findings.
// Every text from the report goes into the page with textContent, never as markup.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("cgotrap-data").textContent);
  const SEVERITIES = ["error", "warning", "note"];
  const state = { severities: new Set(SEVERITIES), suppressed: true, column: "", rule: "", cell: null };

  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (key === "text") node.textContent = value;
        else if (key === "className") node.className = value;
        else if (key.startsWith("data-") || key.startsWith("aria-") || key === "title" ||
                 key === "type" || key === "value" || key === "id" || key === "for") {
          node.setAttribute(key, String(value));
        } else node[key] = value;
      }
    }
    for (const child of children || []) if (child) node.appendChild(child);
    return node;
  }

  // (row, column) -> indices of its findings
  const byCell = new Map();
  data.findings.forEach((f, i) => {
    for (const key of f.columns) {
      const id = f.row + "\u0000" + key;
      if (!byCell.has(id)) byCell.set(id, []);
      byCell.get(id).push(i);
    }
  });

  function shown(f) {
    if (!state.severities.has(f.severity)) return false;
    if (f.suppressed && !state.suppressed) return false;
    if (state.rule && f.rule !== state.rule) return false;
    if (state.column && !f.columns.includes(state.column)) return false;
    return true;
  }

  function worst(list) {
    for (const s of SEVERITIES) if (list.some((f) => f.severity === s && !f.suppressed)) return s;
    return list.length ? "note" : "";
  }

  function columnsShown() {
    return data.columns.filter((c) => !state.column || c.key === state.column);
  }

  // --- header, counts, filters ---
  document.getElementById("title").textContent = "cgotrap " + data.command + ": " + data.title;
  document.getElementById("tool").textContent = "cgotrap " + data.tool;
  const counts = document.getElementById("counts");
  for (const s of SEVERITIES) {
    const n = data.findings.filter((f) => f.severity === s && !f.suppressed).length;
    counts.appendChild(el("span", { className: "sev-" + s, text: n + " " + s + (n === 1 ? "" : "s") }));
  }
  const nSuppressed = data.findings.filter((f) => f.suppressed).length;
  if (nSuppressed) counts.appendChild(el("span", { className: "muted", text: nSuppressed + " suppressed" }));

  const controls = document.getElementById("controls");
  for (const s of [...SEVERITIES, "suppressed"]) {
    const box = el("input", { type: "checkbox", id: "filter-" + s, "data-severity": s });
    box.checked = true;
    box.addEventListener("change", () => {
      if (s === "suppressed") state.suppressed = box.checked;
      else if (box.checked) state.severities.add(s);
      else state.severities.delete(s);
      update();
    });
    controls.appendChild(el("label", { for: "filter-" + s }, [box, document.createTextNode(" " + s)]));
  }
  const targetSelect = el("select", { id: "filter-target", "aria-label": "target group" },
    [el("option", { value: "", text: "all target groups" })]);
  for (const c of data.columns) targetSelect.appendChild(el("option", { value: c.key, text: c.key + ": " + c.label }));
  targetSelect.addEventListener("change", () => { state.column = targetSelect.value; update(); });
  controls.appendChild(el("label", {}, [document.createTextNode("targets "), targetSelect]));
  const ruleSelect = el("select", { id: "filter-rule", "aria-label": "rule" },
    [el("option", { value: "", text: "all rules" })]);
  for (const id of Object.keys(data.rules).sort()) {
    ruleSelect.appendChild(el("option", { value: id, text: id + " " + data.rules[id].name }));
  }
  ruleSelect.addEventListener("change", () => { state.rule = ruleSelect.value; update(); });
  controls.appendChild(el("label", {}, [document.createTextNode("rule "), ruleSelect]));

  const theme = el("button", { id: "theme", type: "button", title: "colour scheme" });
  const themes = ["auto", "dark", "light"];
  function setTheme(name) {
    if (name === "auto") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = name;
    theme.textContent = "theme: " + name;
    theme.dataset.value = name;
  }
  theme.addEventListener("click", () => setTheme(themes[(themes.indexOf(theme.dataset.value) + 1) % 3]));
  setTheme("auto");
  controls.appendChild(theme);

  const legend = document.getElementById("legend");
  for (const c of data.columns) {
    legend.appendChild(el("span", { "data-column": c.key }, [
      el("code", { text: c.key }), document.createTextNode(" " + c.label + (c.targets.length ? " (" + c.targets.length + ")" : "") + "  "),
    ]));
  }

  // --- findings ---
  function findingNode(f, i) {
    const rule = data.rules[f.rule] || { name: "", fix: "", summary: "" };
    const node = el("article", { className: "finding" + (f.suppressed ? " suppressed" : ""), "data-id": i,
      "data-rule": f.rule, "data-severity": f.severity }, [
      el("div", {}, [
        el("span", { className: "badge sev-" + f.severity, text: f.severity }),
        f.suppressed ? el("span", { className: "badge muted", text: "suppressed" }) : null,
        el("span", { className: "rule", text: f.rule + " " + rule.name }),
      ]),
      el("div", { className: "message", text: f.message }),
    ]);
    const meta = [];
    if (f.path) meta.push(f.path + (f.line ? ":" + f.line : ""));
    if (f.where) meta.push("on " + f.where);
    if (f.condition) meta.push("when " + f.condition);
    if (meta.length) node.appendChild(el("div", { className: "meta", text: meta.join(" · ") }));
    if (f.suppressed) {
      node.appendChild(el("div", { className: "meta", text: "suppressed (" + f.suppressed.where + "): " + f.suppressed.reason }));
    }
    for (const e of f.evidence) {
      if (!e.text) continue;
      const head = e.file ? e.file + (e.line ? ":" + e.line : "") : "";
      if (head) node.appendChild(el("div", { className: "meta", text: head }));
      node.appendChild(el("pre", { text: e.text }));
    }
    if (rule.fix) node.appendChild(el("div", { className: "fix" }, [el("strong", { text: "Fix: " }), document.createTextNode(rule.fix)]));
    return node;
  }

  const rowsByName = new Map(data.rows.map((r) => [r.name, r]));
  const cellPanel = document.getElementById("cell-findings");
  const cellTitle = document.getElementById("cell-title");
  const chainNode = document.getElementById("cell-chain");

  function openCell(rowName, key) {
    state.cell = { row: rowName, column: key };
    const column = data.columns.find((c) => c.key === key);
    cellTitle.textContent = rowName + " × " + (column ? column.key + " " + column.label : key);
    const row = rowsByName.get(rowName);
    chainNode.textContent = row && row.chain.length ? "imported via " + row.chain.join(" → ") : "";
    const frag = document.createDocumentFragment();
    const list = (byCell.get(rowName + "\u0000" + key) || []).filter((i) => shown(data.findings[i]));
    for (const i of list) frag.appendChild(findingNode(data.findings[i], i));
    if (!list.length) frag.appendChild(el("p", { className: "muted", text: "no findings here" }));
    cellPanel.replaceChildren(frag);
    for (const b of document.querySelectorAll(".cell[aria-pressed=true]")) b.setAttribute("aria-pressed", "false");
    const index = data.rows.findIndex((r) => r.name === rowName);
    const button = document.querySelector('.cell[data-row-index="' + index + '"][data-column="' + CSS.escape(key) + '"]');
    if (button) button.setAttribute("aria-pressed", "true");
  }

  // --- heatmap ---
  const thead = document.getElementById("heatmap-head");
  const tbody = document.getElementById("heatmap-body");
  function drawHeatmap() {
    const cols = columnsShown();
    const head = el("tr", {}, [el("th", { text: data.command === "inspect" ? "binary" : "package" })]);
    for (const c of cols) head.appendChild(el("th", { title: c.label, "data-column": c.key, text: c.key }));
    thead.replaceChildren(head);
    const frag = document.createDocumentFragment();
    data.rows.forEach((row, index) => {
      const cells = [];
      let any = false;
      for (const c of cols) {
        const list = (byCell.get(row.name + "\u0000" + c.key) || []).map((i) => data.findings[i]).filter(shown);
        if (list.length) any = true;
        const colIndex = data.columns.indexOf(c);
        const status = row.statuses.length > colIndex ? row.statuses[colIndex] : "";
        const w = worst(list);
        const button = el("button", { type: "button", className: "cell" + (w ? " worst-" + w : ""),
          "data-row-index": index, "data-column": c.key, "data-count": list.length, "aria-pressed": "false",
          "aria-label": row.name + ", " + c.label + ": " + list.length + " findings" },
          [document.createTextNode(list.length ? String(list.length) : "·"), status ? el("span", { className: "status", text: status }) : null]);
        cells.push(el("td", {}, [button]));
      }
      const filtered = state.rule !== "" || state.column !== "" || state.severities.size < 3 || !state.suppressed;
      const hide = !any && filtered;
      const tr = el("tr", { "data-row": row.name }, [el("th", { className: "row", text: row.name, title: row.chain.join(" → ") }), ...cells]);
      if (hide) tr.hidden = true;
      frag.appendChild(tr);
    });
    tbody.replaceChildren(frag);
  }

  tbody.addEventListener("click", (event) => {
    const button = event.target.closest(".cell");
    if (!button) return;
    openCell(data.rows[Number(button.dataset.rowIndex)].name, button.dataset.column);
  });

  const allList = document.getElementById("all-findings");
  const allCount = document.getElementById("all-count");
  function drawList() {
    const frag = document.createDocumentFragment();
    let n = 0;
    const limit = 500;
    data.findings.forEach((f, i) => {
      if (!shown(f)) return;
      n += 1;
      if (n <= limit) frag.appendChild(findingNode(f, i));
    });
    allCount.textContent = n > limit ? "(" + n + ", first " + limit + " shown)" : "(" + n + ")";
    allList.replaceChildren(frag);
  }

  function update() {
    drawHeatmap();
    drawList();
    if (state.cell) openCell(state.cell.row, state.cell.column);
  }
  update();
  document.body.dataset.ready = "1";
})();
