// BrainFuse viewer: plain JavaScript, no framework, everything from this server.
"use strict";

const $ = (id) => document.getElementById(id);
let methods = [];

function option(select, value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  select.appendChild(o);
}

function showParams() {
  const m = methods.find((x) => x.name === $("method").value);
  const box = $("params");
  box.replaceChildren();
  $("method-doc").textContent = m ? `${m.summary} ${m.reference ? "(" + m.reference + ")" : ""}` : "";
  if (!m) return;
  for (const p of m.params) {
    const label = document.createElement("label");
    label.title = p.doc;
    const input = document.createElement("input");
    input.dataset.param = p.name;
    input.dataset.type = p.type;
    input.id = `param-${p.name}`;
    if (p.type === "bool") {
      input.type = "checkbox";
      input.checked = p.default;
    } else {
      input.type = p.type === "str" ? "text" : "number";
      if (p.type === "float") input.step = "any";
      input.value = p.default;
    }
    label.append(`${p.name}: `, input);
    const doc = document.createElement("span");
    doc.className = "hint";
    doc.textContent = ` ${p.doc}`;
    label.appendChild(doc);
    box.appendChild(label);
  }
}

function paramValues() {
  const out = {};
  for (const input of document.querySelectorAll("#params input")) {
    const t = input.dataset.type;
    if (t === "bool") out[input.dataset.param] = input.checked;
    else if (t === "int" || t === "float") out[input.dataset.param] = Number(input.value);
    else out[input.dataset.param] = input.value;
  }
  return out;
}

function setStatus(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function figure(src, caption, id) {
  const f = document.createElement("figure");
  const img = document.createElement("img");
  img.src = src;
  img.alt = caption;
  img.id = id;
  const c = document.createElement("figcaption");
  c.textContent = caption;
  f.append(img, c);
  return f;
}

const CAPTIONS = {
  a: "A (anatomical)",
  b: "B (functional / CT)",
  fused_grey: "fused, grey",
  fused_color: "fused, colour",
  overlay: "overlay: B in colour over A",
  checkerboard: "checkerboard A | B",
  difference: "fused − A (blue < 0 < red)",
  gradient_color: "gradient colour coding",
};

function showResult(r) {
  $("result").hidden = false;
  const params = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(", ");
  $("result-title").textContent =
    `${r.method}${params ? " (" + params + ")" : ""}: ${r.kind} ${r.shape.join("×")}, ${r.ms} ms`;
  const images = $("images");
  images.replaceChildren();
  for (const [key, url] of Object.entries(r.images)) {
    images.appendChild(figure(url, CAPTIONS[key] || key.replaceAll("_", " "), `img-${key}`));
  }
  const body = $("metrics").querySelector("tbody");
  body.replaceChildren();
  if (r.metrics.error) {
    $("metrics-note").textContent = `Metrics not computed: ${r.metrics.error}`;
  } else {
    $("metrics-note").textContent = `Profile ${r.profile}; fused image against A and B (grey).`;
    if (r.gradients.path) {
      $("metrics-note").textContent += ` Gradients: ${r.gradients.detail}, Ω = ${r.gradients.omega}.`;
    }
    for (const [name, value] of Object.entries(r.metrics.values)) {
      const tr = document.createElement("tr");
      const a = document.createElement("td");
      const b = document.createElement("td");
      a.textContent = name;
      b.textContent = Number(value).toFixed(4);
      tr.append(a, b);
      body.appendChild(tr);
    }
  }
  const dl = $("downloads");
  dl.replaceChildren();
  for (const [name, url] of Object.entries(r.downloads)) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = url;
    a.textContent = name;
    a.setAttribute("download", `brainfuse_${name}`);
    li.appendChild(a);
    dl.appendChild(li);
  }
}

async function fuse(event) {
  event.preventDefault();
  const form = new FormData();
  const source = document.querySelector("input[name=source]:checked").value;
  form.append("source", source);
  form.append("method", $("method").value);
  form.append("params", JSON.stringify(paramValues()));
  form.append("palette", $("palette").value);
  form.append("profile", $("profile").value);
  form.append("gradients", $("gradients").checked ? "true" : "false");
  form.append("omega", $("omega").value);
  if (source === "upload") {
    const a = $("file-a").files[0];
    const b = $("file-b").files[0];
    if (!a || !b) {
      setStatus("Choose two files: A (MRI) and B (PET, SPECT or CT).", true);
      return;
    }
    form.append("a", a);
    form.append("b", b);
  }
  $("fuse-button").disabled = true;
  setStatus("Fusing…", false);
  try {
    const response = await fetch("/api/fuse", { method: "POST", body: form });
    let body;
    try {
      body = await response.json();
    } catch {
      body = { detail: `server answered ${response.status}` };
    }
    if (!response.ok) {
      setStatus(`Error: ${body.detail}`, true);
      return;
    }
    showResult(body);
    setStatus("Done.", false);
  } catch (err) {
    setStatus(`Error: cannot reach the server (${err.message})`, true);
  } finally {
    $("fuse-button").disabled = false;
  }
}

async function init() {
  const [m, opts] = await Promise.all([
    fetch("/api/methods").then((r) => r.json()),
    fetch("/api/options").then((r) => r.json()),
  ]);
  methods = m;
  for (const x of methods) option($("method"), x.name, `${x.name} (${x.family})`);
  option($("palette"), "", "none (grey)");
  for (const p of opts.palettes) option($("palette"), p, p);
  $("palette").value = "pet";
  for (const p of opts.profiles) option($("profile"), p, p);
  $("profile").value = opts.profiles.includes("cddfuse") ? "cddfuse" : opts.profiles[0];
  $("formats").textContent =
    `${opts.formats.join(", ")}; at most ${(opts.max_upload_bytes / 1048576).toFixed(0)} MiB in all. ` +
    "The type is read from the content, not the file name.";
  $("method").addEventListener("change", showParams);
  for (const r of document.querySelectorAll("input[name=source]")) {
    r.addEventListener("change", () => {
      $("upload-box").hidden = !$("source-upload").checked;
    });
  }
  $("fuse-form").addEventListener("submit", fuse);
  showParams();
  document.body.dataset.ready = "1";
}

init().catch((err) => setStatus(`Error: cannot load the method list (${err.message})`, true));
