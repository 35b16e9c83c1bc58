// The aevb studio's page. It draws; it computes nothing of the model: every number and
// image comes from the server (aevb, in the program that trains), through /api/*.
"use strict";

const params = new URLSearchParams(location.search);
const token = params.get("token") || sessionStorage.getItem("aevb-token") || "";
if (token) sessionStorage.setItem("aevb-token", token);

const $ = (id) => document.getElementById(id);
const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf", "#393b79", "#ad494a", "#8ca252", "#e7ba52", "#7b4173", "#3182bd"];

const studio = {
  description: {}, phase: "starting", lastSeq: 0,
  steps: [], epochs: [], layerHistory: [], layers: null,
  snapshot: 0, charts: {}, dirty: false,
  graph: null, backwardIndex: -1, selectedNode: null,
  latent: null, latentVersion: 0, picks: [], decodeBusy: false, decodePending: null, label: 0, z: null,
};
window.studio = studio;  // the browser tests read what the page holds

function notice(text) {
  const box = $("notice");
  box.hidden = !text;
  box.textContent = text || "";
}

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({ error: "the answer was not JSON" }));
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function fmt(value, digits = 3) {
  if (value === null || value === undefined) return "–";
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) return value.toExponential(2);
  return value.toFixed(digits);
}

// --- images -------------------------------------------------------------------------

function imageCanvas(image, scale) {
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.style.width = image.width * scale + "px";
  canvas.style.height = image.height * scale + "px";
  paint(canvas, image);
  return canvas;
}

function paint(canvas, image) {
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  const data = context.createImageData(image.width, image.height);
  for (let i = 0; i < image.pixels.length; i++) {
    const v = image.pixels[i];
    data.data[4 * i] = data.data[4 * i + 1] = data.data[4 * i + 2] = v;
    data.data[4 * i + 3] = 255;
  }
  context.putImageData(data, 0, 0);
}

function fillStrip(id, images, scale = 2) {
  const strip = $(id);
  strip.replaceChildren(...images.map((image) => imageCanvas(image, scale)));
}

// --- the run ------------------------------------------------------------------------

const lossKeys = () => studio.description.model === "ae"
  ? { train: "train_recon", test: "test_recon", name: "reconstruction loss" }
  : { train: "train_neg_elbo", test: "test_neg_elbo", name: "−ELBO" };

// uPlot wants one x array for all series: the union of the series' x, with nulls.
function aligned(seriesList) {
  const xs = [...new Set(seriesList.flatMap((s) => s.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const out = [xs];
  for (const s of seriesList) {
    const ys = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => { ys[index.get(x)] = s.y[i]; });
    out.push(ys);
  }
  return out;
}

function chart(id, series, options = {}) {
  const element = $(id);
  const width = Math.max(320, element.clientWidth || element.parentElement.clientWidth - 24);
  const plot = new uPlot({
    width, height: options.height || 240,
    scales: { x: { time: false }, y: options.log ? { distr: 3, log: 10 } : {} },
    axes: [{ label: options.x || "epoch" }, { label: options.y || "nats", size: 60 }],
    series: [{ label: options.x || "epoch" }, ...series.map((s, i) => ({
      label: s.label, stroke: s.color || palette[i % palette.length], width: s.width || 1.5,
      spanGaps: true, points: { show: s.points !== undefined ? s.points : true, size: 5 },
    }))],
    legend: { live: true },
  }, [[], ...series.map(() => [])], element);
  studio.charts[id] = plot;
  return plot;
}

function buildRunCharts() {
  for (const plot of Object.values(studio.charts)) plot.destroy();
  studio.charts = {};
  const keys = lossKeys();
  chart("chart-loss", [
    { label: "running mean within the epoch", color: "#9aa5b8", points: false, width: 1 },
    { label: "train " + keys.name, color: "#1f77b4" },
    { label: "test " + keys.name, color: "#d62728" },
  ], { height: 260 });
  const variational = studio.description.model !== "ae";
  chart("chart-terms", variational
    ? [{ label: "train reconstruction" }, { label: "test reconstruction" }, { label: "train KL" }, { label: "test KL" }]
    : [{ label: "train reconstruction" }, { label: "test reconstruction" }]);
  chart("chart-active", [{ label: "active units", color: "#2ca02c" }], { y: "units" });
  studio.ratioNames = null;
}

function buildRatioChart(names) {
  if (studio.charts["chart-ratio"]) studio.charts["chart-ratio"].destroy();
  studio.ratioNames = names;
  chart("chart-ratio", names.map((name, i) => ({ label: name, color: palette[i % palette.length], points: false })),
        { x: "step", y: "|update| / |weight|", log: true, height: 260 });
}

function redrawRun() {
  studio.dirty = false;
  if ($("view-run").hidden) return;  // drawn again when its tab is shown
  studio.redrawnAt = Date.now();
  const keys = lossKeys();
  const epochs = studio.epochs;
  const pick = (key) => ({ x: epochs.map((e) => e.epoch), y: epochs.map((e) => e[key] ?? null) });
  const steps = { x: studio.steps.map((s) => s.x), y: studio.steps.map((s) => s.running_loss) };
  studio.charts["chart-loss"].setData(aligned([steps, pick(keys.train), pick(keys.test)]));
  $("chart-loss").dataset.points = String(studio.steps.length + epochs.length);
  // The per-epoch panels change only when an epoch ends.
  if (studio.drawnEpochs === epochs.length) return;
  studio.drawnEpochs = epochs.length;
  const variational = studio.description.model !== "ae";
  studio.charts["chart-terms"].setData(aligned(variational
    ? [pick("train_recon"), pick("test_recon"), pick("train_kl"), pick("test_kl")]
    : [pick("train_recon"), pick("test_recon")]));
  studio.charts["chart-active"].setData(aligned([pick("active_units")]));
  drawHeatmap();
  drawLayers();
}

// Redrawn at most twice a second: live within a second, and a page left open costs
// training little (it shares the machine's cores).
function scheduleRun() {
  if (studio.dirty) return;
  studio.dirty = true;
  setTimeout(() => requestAnimationFrame(redrawRun), Math.max(0, 500 - (Date.now() - (studio.redrawnAt || 0))));
}

// A perceptually ordered scale (viridis' stops), for the KL heat map.
const viridis = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
function colour(t) {
  t = Math.min(1, Math.max(0, t));
  const f = t * (viridis.length - 1), i = Math.min(viridis.length - 2, Math.floor(f)), u = f - i;
  const c = viridis[i].map((v, k) => Math.round(v + u * (viridis[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function drawHeatmap() {
  const canvas = $("kl-heatmap");
  canvas.width = Math.max(400, canvas.parentElement.clientWidth - 24);
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.font = "12px system-ui, sans-serif";
  context.fillStyle = "#6b7386";
  const rows = studio.epochs.filter((e) => Array.isArray(e.test_kl_per_dimension));
  if (rows.length === 0) {
    context.fillText(studio.description.model === "ae" ? "An autoencoder has no KL term."
                                                        : "The first epoch's evaluation will appear here.", 10, 20);
    return;
  }
  const dims = rows[0].test_kl_per_dimension.length;
  const left = 60, top = 8, bottom = 34, right = 90;
  const width = canvas.width - left - right, height = canvas.height - top - bottom;
  const high = Math.max(1e-6, ...rows.flatMap((e) => e.test_kl_per_dimension.filter((v) => v !== null)));
  const cellW = width / rows.length, cellH = height / dims;
  rows.forEach((e, c) => e.test_kl_per_dimension.forEach((v, d) => {
    context.fillStyle = v === null ? "#ff0000" : colour(v / high);
    context.fillRect(left + c * cellW, top + d * cellH, Math.ceil(cellW), Math.ceil(cellH));
  }));
  context.fillStyle = "#1d2433";
  context.textAlign = "center";
  const every = Math.ceil(rows.length / 12);
  rows.forEach((e, c) => { if (c % every === 0) context.fillText(String(e.epoch), left + (c + 0.5) * cellW, top + height + 14); });
  context.fillText("epoch", left + width / 2, top + height + 29);
  context.textAlign = "right";
  const dimEvery = Math.ceil(dims / 10);
  for (let d = 0; d < dims; d += dimEvery) context.fillText("z" + (d + 1), left - 6, top + (d + 0.5) * cellH + 4);
  context.save();
  context.translate(14, top + height / 2);
  context.rotate(-Math.PI / 2);
  context.textAlign = "center";
  context.fillText("latent dimension", 0, 0);
  context.restore();
  // The colour bar, with its scale.
  const barX = left + width + 16;
  for (let i = 0; i < height; i++) {
    context.fillStyle = colour(1 - i / height);
    context.fillRect(barX, top + i, 14, 1);
  }
  context.fillStyle = "#1d2433";
  context.textAlign = "left";
  context.fillText(fmt(high, 2), barX + 18, top + 10);
  context.fillText("0 nats", barX + 18, top + height);
}

function drawLayers() {
  const body = $("layers").querySelector("tbody");
  const layers = studio.layers;
  if (!layers) {
    body.innerHTML = "<tr><td colspan=4 class=muted>measured about once a second while training</td></tr>";
    return;
  }
  const most = Math.max(...layers.tensors.map((t) => t.update_ratio || 0), 1e-12);
  body.replaceChildren(...layers.tensors.map((t) => {
    const row = document.createElement("tr");
    const bar = `<span class="bar" style="width:${Math.round(80 * (t.update_ratio || 0) / most)}px"></span>`;
    row.innerHTML = `<td class="mono"></td><td>${fmt(t.gradient_norm)}</td><td>${fmt(t.weight_norm)}</td>` +
                    `<td>${bar}${fmt(t.update_ratio)}</td>`;
    row.firstChild.textContent = t.name;
    return row;
  }));
}

function addLayers(event) {
  studio.layers = event;
  const names = event.tensors.map((t) => t.name);
  studio.layerHistory.push(event);
  if (studio.layerHistory.length > 2000) studio.layerHistory.shift();
  if ($("view-run").hidden) return;  // charted when its tab is shown
  if (!studio.ratioNames || studio.ratioNames.join() !== names.join()) buildRatioChart(names);
  const series = names.map((_, i) => ({
    x: studio.layerHistory.map((e) => e.step),
    y: studio.layerHistory.map((e) => (e.tensors[i] && e.tensors[i].update_ratio > 0 ? e.tensors[i].update_ratio : null)),
  }));
  studio.charts["chart-ratio"].setData(aligned(series));
}

let picturesTimer = null, picturesAt = 0;
function schedulePictures() {
  if (picturesTimer || $("view-run").hidden) return;
  const wait = Math.max(0, 800 - (Date.now() - picturesAt));  // live within a second
  picturesTimer = setTimeout(async () => {
    picturesTimer = null;
    picturesAt = Date.now();
    try {
      const p = await api("/api/pictures");
      fillStrip("originals", p.originals);
      fillStrip("reconstructions", p.reconstructions);
      fillStrip("samples", p.samples);
      if (p.samples.length === 0) $("samples").textContent = "an autoencoder has no prior to sample";
      $("pictures-version").textContent = `(snapshot ${p.version}, epoch ${p.epoch})`;
    } catch (error) { notice("pictures: " + error.message); }
  }, wait);
}

// --- the header: what runs, how far, the controls -------------------------------------

function showPhase(phase) {
  studio.phase = phase;
  const badge = $("phase");
  badge.textContent = phase;
  badge.className = "phase " + phase;
  const live = phase === "training" || phase === "paused";
  $("pause").disabled = !token || phase !== "training";
  $("resume").disabled = !token || phase !== "paused";
  $("stop").disabled = !token || !live;
  for (const id of ["pause", "resume", "stop"])
    $(id).title = token ? $(id).title : "open the address aevb-studio printed (with its token) to control the run";
  if (!live) $("progress").textContent = phase === "exploring" ? "a finished run, from its checkpoint" : "";
}

function showProgress(step) {
  const d = studio.description;
  const recent = studio.steps.slice(-40);
  let left = "";
  if (recent.length > 2 && studio.phase === "training") {
    const a = recent[0], b = recent[recent.length - 1];
    const rate = (b.step - a.step) / Math.max(1e-3, (b.at - a.at) / 1000);
    const remaining = (d.epochs - step.epoch) * step.batches + (step.batches - step.batch);
    if (rate > 0) left = `, about ${Math.ceil(remaining / rate)} s left`;
  }
  $("progress").textContent = `epoch ${step.epoch} of ${d.epochs}, batch ${step.batch} of ${step.batches}${left}`;
}

async function control(action) {
  try {
    // The phase the page shows comes from the run's events, in order (a reply can
    // arrive after the event it caused).
    await api("/api/control?action=" + action, { method: "POST", headers: { "X-Studio-Token": token } });
  } catch (error) { notice(action + ": " + error.message); }
}

function handle(event) {
  if (event.seq <= studio.lastSeq) return;
  studio.lastSeq = event.seq;
  switch (event.type) {
    case "step":
      event.at = Date.now();
      studio.steps.push(event);
      if (studio.steps.length > 2000) studio.steps.shift();
      showProgress(event);
      scheduleRun();
      break;
    case "epoch":
      studio.epochs.push(event.metrics);
      scheduleRun();
      if (!$("view-latent").hidden) scheduleLatent();
      break;
    case "layers": addLayers(event); drawLayers(); break;
    case "snapshot": studio.snapshot = event.version; schedulePictures(); break;
    case "phase": showPhase(event.phase); break;
  }
}

async function start() {
  let history;
  try {
    history = await api("/api/run");
  } catch (error) {
    notice("cannot reach the studio: " + error.message);
    return;
  }
  studio.description = history.description;
  const d = history.description;
  $("run-description").textContent =
    `${d.model.toUpperCase()} on ${d.data}: latent ${d.latent}, ` +
    (d.architecture === "conv" ? `convolutional, channels ${d.hidden}` : `hidden ${d.hidden}`) +
    (d.conditions ? `, ${d.conditions} classes` : "") + ` — ${d.folder}`;
  buildRunCharts();
  studio.epochs = history.epochs;
  studio.steps = history.steps.map((s) => ({ ...s, at: Date.now() }));
  if (history.layers && history.layers.tensors) addLayers(history.layers);
  studio.lastSeq = history.seq;
  showPhase(history.phase);
  redrawRun();
  schedulePictures();
  const events = new EventSource("/api/events?after=" + history.seq);
  events.onmessage = (message) => handle(JSON.parse(message.data));
  events.onerror = () => { if (events.readyState === EventSource.CLOSED) notice("the studio has gone (the program ended)"); };
  $("tape-size").max = Math.min(128, d.tape_images);
}

// --- the tape of one step -----------------------------------------------------------

async function loadGraph() {
  const batch = $("tape-batch").value, size = $("tape-size").value;
  const started = performance.now();
  $("back-narration").textContent = "recording the step…";
  try {
    studio.graph = await api(`/api/graph?batch=${encodeURIComponent(batch)}&size=${encodeURIComponent(size)}`);
  } catch (error) {
    $("back-narration").textContent = "";
    notice("tape: " + error.message);
    return;
  }
  notice("");
  const g = studio.graph;
  const holder = $("graph");
  if (!g.svg) {
    holder.textContent = "The graph cannot be laid out: " + g.svg_error;
    return;
  }
  holder.innerHTML = g.svg.slice(g.svg.indexOf("<svg"));
  for (const element of holder.querySelectorAll("g.node")) {
    element.addEventListener("click", () => selectNode(Number(element.id.slice(1))));
  }
  studio.graphMs = performance.now() - started;  // asked, recorded, laid out and drawn
  studio.backwardIndex = -1;
  showBackward();
  showAnomaly();
  $("back-narration").textContent =
    `${g.nodes.length} nodes, recorded on images ${g.batch * g.size}–${(g.batch + 1) * g.size - 1} of the training set ` +
    `(snapshot ${g.version}, epoch ${g.epoch}); loss ${fmt(g.loss.value)}; ${g.backward.length} nodes run backward. ` +
    `Laid out in ${fmt(g.server_ms, 0)} ms.`;
}

function nodeName(id) {
  const n = studio.graph.nodes[id];
  return `#${id} ${n.kind === "op" ? n.op : n.parameter || n.kind}`;
}

function histogramCanvas(histogram) {
  const canvas = document.createElement("canvas");
  canvas.width = 340;
  canvas.height = 80;
  const context = canvas.getContext("2d");
  const most = Math.max(...histogram.bins, 1);
  const w = (canvas.width - 10) / histogram.bins.length;
  context.fillStyle = "#2f6fd6";
  histogram.bins.forEach((count, i) => {
    const h = (canvas.height - 18) * count / most;
    context.fillRect(5 + i * w, canvas.height - 16 - h, Math.max(1, w - 1), h);
  });
  context.fillStyle = "#6b7386";
  context.font = "11px system-ui, sans-serif";
  context.fillText(fmt(histogram.low), 4, canvas.height - 3);
  context.textAlign = "right";
  context.fillText(fmt(histogram.high), canvas.width - 4, canvas.height - 3);
  return canvas;
}

function statisticsBlock(title, stats) {
  const block = document.createElement("div");
  const heading = document.createElement("h3");
  heading.textContent = title;
  heading.style.fontSize = "14px";
  block.append(heading);
  const list = document.createElement("dl");
  for (const [key, label] of [["mean", "mean"], ["std", "std"], ["min", "min"], ["max", "max"], ["norm", "L2 norm"],
                              ["count", "values"], ["nonfinite", "non-finite"]]) {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = label;
    dd.textContent = fmt(stats[key]);
    list.append(dt, dd);
  }
  block.append(list);
  if (stats.histogram) block.append(histogramCanvas(stats.histogram));
  return block;
}

function selectNode(id) {
  const g = studio.graph;
  const n = g.nodes[id];
  studio.selectedNode = id;
  for (const element of $("graph").querySelectorAll("g.node.selected")) element.classList.remove("selected");
  const element = document.getElementById("n" + id);
  if (element) element.classList.add("selected");
  const panel = $("node-panel");
  panel.replaceChildren();
  const title = document.createElement("h2");
  title.id = "node-title";
  title.textContent = nodeName(id);
  panel.append(title);
  const facts = document.createElement("dl");
  const add = (label, value) => {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = label;
    if (value instanceof Node) dd.append(value); else dd.textContent = value;
    facts.append(dt, dd);
    return dd;
  };
  add("op", n.op).id = "node-op";
  add("kind", n.kind);
  add("shape", n.shape).id = "node-shape";
  add("module", n.module || "(none)");
  add("ELBO term", n.term);
  if (n.parameter) add("parameter", n.parameter);
  const inputs = document.createElement("span");
  n.inputs.forEach((input, i) => {
    const link = document.createElement("a");
    link.textContent = nodeName(input);
    link.addEventListener("click", () => selectNode(input));
    if (i) inputs.append(", ");
    inputs.append(link);
  });
  add("inputs", n.inputs.length ? inputs : "none (a leaf)");
  const users = g.edges.filter((e) => e.from === id);
  const usersList = document.createElement("span");
  users.forEach((e, i) => {
    const link = document.createElement("a");
    link.textContent = `${nodeName(e.to)}` + (e.gradient_norm !== undefined ? ` (|g| ${fmt(e.gradient_norm)})` : "");
    link.addEventListener("click", () => selectNode(e.to));
    if (i) usersList.append(", ");
    usersList.append(link);
  });
  add("read by", users.length ? usersList : "none (the loss)");
  panel.append(facts);
  if (n.formula) {
    const heading = document.createElement("div");
    heading.className = "muted";
    heading.textContent = `formula and derivative, as written beside the op in ${n.source}:`;
    const pre = document.createElement("pre");
    pre.id = "node-formula";
    pre.textContent = n.formula;
    panel.append(heading, pre);
  }
  panel.append(statisticsBlock("value", n.value));
  if (n.gradient) panel.append(statisticsBlock("gradient (d loss / d this)", n.gradient));
  else panel.append(Object.assign(document.createElement("p"), { className: "muted", textContent: "no gradient flows into this node" }));
}

function showBackward() {
  const g = studio.graph;
  if (!g) return;
  const holder = $("graph");
  for (const cls of ["current", "done", "receiving", "flow"])
    for (const element of holder.querySelectorAll("." + cls)) element.classList.remove(cls);
  const k = studio.backwardIndex;
  $("back-position").textContent = `${k + 1} of ${g.backward.length}`;
  $("back-position").dataset.node = k >= 0 ? String(g.backward[k].node) : "";
  if (k < 0) return;
  for (let i = 0; i < k; i++) document.getElementById("n" + g.backward[i].node)?.classList.add("done");
  const step = g.backward[k];
  const current = document.getElementById("n" + step.node);
  if (current) {
    current.classList.add("current");
    current.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
  const parts = step.passed.map((p) => {
    document.getElementById("n" + p.node)?.classList.add("receiving");
    for (const edge of g.edges)
      if (edge.from === p.node && edge.to === step.node) document.getElementById(edge.id)?.classList.add("flow");
    return `${fmt(p.gradient_norm)} to ${nodeName(p.node)}`;
  });
  $("back-narration").textContent = `backward step ${k + 1}: ${nodeName(step.node)}` +
    (g.nodes[step.node].module ? ` (${g.nodes[step.node].module})` : "") +
    (parts.length ? ` passes gradient of norm ${parts.join(", ")}` : " is a leaf: its gradient is final");
  selectNode(step.node);
}

function moveBackward(delta) {
  const g = studio.graph;
  if (!g) return;
  studio.backwardIndex = Math.max(-1, Math.min(g.backward.length - 1, studio.backwardIndex + delta));
  showBackward();
}

function showAnomaly() {
  const g = studio.graph;
  for (const element of $("graph").querySelectorAll(".anomaly")) element.classList.remove("anomaly");
  if (!g || !$("anomaly").checked) { $("anomaly-result").textContent = ""; return; }
  const bad = g.first_nonfinite;
  if (!bad) { $("anomaly-result").textContent = "every value and gradient is finite"; return; }
  document.getElementById("n" + bad.node)?.classList.add("anomaly");
  $("anomaly-result").textContent = `first non-finite ${bad.what}: ${nodeName(bad.node)}`;
  selectNode(bad.node);
}

// --- the latent space -----------------------------------------------------------------

// While training, the plane follows the model at most every 3 seconds.
let latentTimer = null, latentAt = 0;
function scheduleLatent() {
  if (latentTimer) return;
  latentTimer = setTimeout(() => { latentTimer = null; loadLatent(); }, Math.max(0, 3000 - (Date.now() - latentAt)));
}

async function loadLatent() {
  latentAt = Date.now();
  let view;
  try { view = await api("/api/latent"); } catch (error) { notice("latent: " + error.message); return; }
  studio.latent = view;
  const classes = view.labels.length ? Math.max(...view.labels) + 1 : 0;
  const order = view.x.map((_, i) => i).filter((i) => view.x[i] !== null && view.y[i] !== null)
                      .sort((a, b) => view.x[a] - view.x[b]);
  const groups = classes ? [...Array(classes).keys()] : [0];
  const data = [order.map((i) => view.x[i])];
  for (const c of groups) data.push(order.map((i) => (!classes || view.labels[i] === c ? view.y[i] : null)));
  studio.latentOrder = order;
  const element = $("latent-plot");
  if (studio.charts.latent) studio.charts.latent.destroy();
  const size = Math.min(640, Math.max(360, element.clientWidth));
  const plot = new uPlot({
    width: size, height: size,
    scales: { x: { time: false, range: view.range.x }, y: { range: view.range.y } },
    axes: [{ label: view.axes[0] }, { label: view.axes[1], size: 50 }],
    series: [{ label: view.axes[0] }, ...groups.map((c) => ({
      label: classes ? "label " + c : "test images", stroke: palette[c % palette.length],
      fill: palette[c % palette.length], paths: () => null, points: { show: true, size: 5, fill: palette[c % palette.length] },
    }))],
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    legend: { live: false },
    hooks: { draw: [drawPosterior], setCursor: [(u) => {
      if (u.cursor.left < 0 || u.cursor.left === undefined) return;
      decodeAt(u.posToVal(u.cursor.left, "x"), u.posToVal(u.cursor.top, "y"));
    }] },
  }, data, element);
  plot.over.addEventListener("click", (e) => pickNearest(plot, e));
  studio.charts.latent = plot;
  studio.latentVersion = view.version;
  $("latent-caption").textContent =
    `${view.x.length} test codes${view.latent > 2 ? `, projected on the codes' two principal directions` : ""}, ` +
    `coloured by label (snapshot ${view.version}, epoch ${view.epoch}): move over the plane to decode, click two ` +
    `test images to interpolate`;
  if ($("sliders").dataset.latent !== String(view.latent)) buildSliders(view.latent);
  syncSliders();
  if (view.conditions > 0 && !$("class-strip").children.length) buildClassStrip(view.conditions);
}

// The cursor moves faster than a decode answers: one request at a time, the latest wins.
function decodeAt(x, y) {
  requestDecode(`x=${x}&y=${y}`);
}

function requestDecode(query) {
  if (studio.decodeBusy) { studio.decodePending = query; return; }
  studio.decodeBusy = true;
  const label = studio.description.conditions ? `&label=${studio.label}` : "";
  api("/api/decode?" + query + label).then((body) => {
    paint($("decoded"), body.image);
    $("decoded").style.width = $("decoded").style.height = "168px";
    $("decoded").dataset.version = String(body.version);
    $("decoded").dataset.z = body.z.map((v) => v.toFixed(4)).join(",");
    studio.z = body.z;
    $("decoded-z").textContent = "z = [" + body.z.slice(0, 8).map((v) => v.toFixed(2)).join(", ") +
      (body.z.length > 8 ? ", …" : "") + `]  (${fmt(body.server_ms, 2)} ms on the server)`;
    syncSliders();
    scheduleClassStrip();
  }).catch((error) => notice("decode: " + error.message)).finally(() => {
    studio.decodeBusy = false;
    if (studio.decodePending) { const next = studio.decodePending; studio.decodePending = null; requestDecode(next); }
  });
}

function buildSliders(latent) {
  const holder = $("sliders");
  holder.replaceChildren();
  holder.dataset.latent = String(latent);
  const shown = Math.min(latent, 32);
  for (let d = 0; d < shown; d++) {
    const label = document.createElement("label");
    const name = document.createElement("span");
    name.textContent = "z" + (d + 1);
    const slider = Object.assign(document.createElement("input"), { type: "range", min: -4, max: 4, step: 0.05, value: 0 });
    slider.dataset.dim = d;
    const value = document.createElement("span");
    value.className = "mono";
    value.textContent = "0.00";
    slider.addEventListener("input", () => {
      const z = (studio.z || new Array(latent).fill(0)).slice();
      z[d] = Number(slider.value);
      value.textContent = Number(slider.value).toFixed(2);
      requestDecode("z=" + z.map((v) => v.toFixed(5)).join(","));
    });
    label.append(name, slider, value);
    holder.append(label);
  }
  if (latent > shown) holder.append(Object.assign(document.createElement("p"), { className: "muted", textContent: `the first ${shown} of ${latent} dimensions` }));
}

function syncSliders() {
  if (!studio.z) return;
  for (const slider of $("sliders").querySelectorAll("input")) {
    const d = Number(slider.dataset.dim);
    if (document.activeElement === slider) continue;
    slider.value = studio.z[d];
    slider.nextSibling.textContent = studio.z[d].toFixed(2);
  }
}

function buildClassStrip(classes) {
  $("class-panel").hidden = false;
  const strip = $("class-strip");
  strip.replaceChildren();
  for (let c = 0; c < classes; c++) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 28;
    canvas.style.width = canvas.style.height = "56px";
    canvas.title = "decode as class " + c;
    canvas.addEventListener("click", () => { studio.label = c; scheduleClassStrip(); });
    strip.append(canvas);
  }
}

let classTimer = null;
function scheduleClassStrip() {
  if (!studio.description.conditions || !studio.z) return;
  clearTimeout(classTimer);
  classTimer = setTimeout(async () => {
    const z = studio.z.map((v) => v.toFixed(5)).join(",");
    const canvases = $("class-strip").querySelectorAll("canvas");
    for (let c = 0; c < canvases.length; c++) {
      try {
        const body = await api(`/api/decode?z=${z}&label=${c}`);
        paint(canvases[c], body.image);
        canvases[c].classList.toggle("chosen", c === studio.label);
      } catch (error) { notice("decode: " + error.message); return; }
    }
  }, 200);
}

// The inference lab's view of a clicked image's posterior (a VAE with a 2-D latent):
// the exact p(z | x)'s 50/90/99% regions shaded red, the encoder's q's 90% region blue.
function drawPosterior(u) {
  const p = studio.posterior;
  if (!p) return;
  const context = u.ctx, side = p.side;
  const w = (p.high[0] - p.low[0]) / side, h = (p.high[1] - p.low[1]) / side;
  context.save();
  for (let a = 0; a < side; a++) {
    const x0 = u.valToPos(p.low[0] + a * w, "x", true), x1 = u.valToPos(p.low[0] + (a + 1) * w, "x", true);
    for (let b = 0; b < side; b++) {
      const y0 = u.valToPos(p.low[1] + b * h, "y", true), y1 = u.valToPos(p.low[1] + (b + 1) * h, "y", true);
      const exact = p.exact[a * side + b], inside = p.exact_levels.filter((level) => exact >= level).length;
      if (inside > 0) {
        context.fillStyle = `rgba(214, 39, 40, ${0.12 * inside})`;
        context.fillRect(x0, y1, x1 - x0 + 0.5, y0 - y1 + 0.5);
      }
      if (p.encoder[a * side + b] >= p.encoder_level) {
        context.fillStyle = "rgba(31, 119, 180, 0.16)";
        context.fillRect(x0, y1, x1 - x0 + 0.5, y0 - y1 + 0.5);
      }
    }
  }
  context.restore();
}

async function loadPosterior(index) {
  const d = studio.description;
  if (d.model !== "vae" || d.latent !== 2) return;
  studio.posteriorWanted = index;
  $("posterior-caption").textContent = `computing test image ${index}'s exact posterior by quadrature…`;
  let p;
  try {
    p = await api(`/api/posterior?image=${index}`);
  } catch (error) {
    $("posterior-caption").textContent = "posterior: " + error.message;
    return;
  }
  if (studio.posteriorWanted !== index) return;  // a later click's answer is the one to show
  studio.posterior = p;
  $("posterior-caption").textContent =
    `Test image ${index}${p.label !== null ? ` (label ${p.label})` : ""}: the exact posterior p(z | x) ` +
    `(red: its 50, 90 and 99% regions) and the encoder's q (blue: 90%); log p(x) = ${fmt(p.log_marginal, 2)} nats ` +
    `by quadrature (snapshot ${p.version}, ${fmt(p.server_ms / 1000, 1)} s on the server)`;
  studio.charts.latent?.redraw();
}

function pickNearest(plot, event) {
  const view = studio.latent;
  const rect = plot.over.getBoundingClientRect();
  const px = event.clientX - rect.left, py = event.clientY - rect.top;
  let best = -1, bestDistance = 12 * 12;
  view.x.forEach((x, i) => {
    if (x === null || view.y[i] === null) return;
    const dx = plot.valToPos(x, "x") - px, dy = plot.valToPos(view.y[i], "y") - py;
    if (dx * dx + dy * dy < bestDistance) { bestDistance = dx * dx + dy * dy; best = i; }
  });
  if (best < 0) return;
  loadPosterior(best);
  studio.picks.push(best);
  if (studio.picks.length > 2) studio.picks = studio.picks.slice(-1);
  const label = (i) => `test image ${i}` + (view.labels.length ? ` (label ${view.labels[i]})` : "");
  if (studio.picks.length === 1) {
    $("interpolation-caption").textContent = `Interpolation: from ${label(best)}; click a second test image`;
    return;
  }
  const [a, b] = studio.picks;
  const classLabel = studio.description.conditions ? `&label=${studio.label}` : "";
  api(`/api/interpolate?a=${a}&b=${b}&steps=10${classLabel}`).then((body) => {
    fillStrip("interpolation", body.images, 2);
    $("interpolation-caption").textContent = `Interpolation between the codes of ${label(a)} and ${label(b)}`;
  }).catch((error) => notice("interpolate: " + error.message));
}

// --- wiring ---------------------------------------------------------------------------

for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll(".tab")) other.classList.toggle("active", other === tab);
    for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== "view-" + tab.dataset.view;
    if (tab.dataset.view === "tape" && !studio.graph) loadGraph();
    if (tab.dataset.view === "latent") loadLatent();
    if (tab.dataset.view === "run") {
      studio.drawnEpochs = -1;
      redrawRun();
      if (studio.layers) addLayers(studio.layerHistory.pop());
      schedulePictures();
    }
  });
}
$("tape-load").addEventListener("click", loadGraph);
$("tape-fit").addEventListener("change", () => $("graph").classList.toggle("fit", $("tape-fit").checked));
$("back-first").addEventListener("click", () => { studio.backwardIndex = -1; showBackward(); });
$("back-prev").addEventListener("click", () => moveBackward(-1));
$("back-next").addEventListener("click", () => moveBackward(1));
$("anomaly").addEventListener("change", showAnomaly);
$("pause").addEventListener("click", () => control("pause"));
$("resume").addEventListener("click", () => control("resume"));
$("stop").addEventListener("click", () => control("stop"));
start();
