// The studio in a real browser: Debian's chromium, headless, driven by playwright-core.
// Usage: node studio_browser.mjs ADDRESS SCREENSHOT_FOLDER PLAYWRIGHT_CORE
// (PLAYWRIGHT_CORE: examples/studio/node_modules/playwright-core, which npm ci installs)
// ADDRESS is what aevb-studio printed (with its token). Exits 1 naming the first check
// that fails; writes run.png, tape.png and latent.png for a person to look at.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [address, shots, playwright] = process.argv.slice(2);
const { chromium } = await import(pathToFileURL(path.join(playwright, "index.mjs")).href);
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); console.log((ok ? "ok    " : "FAIL  ") + what); };

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(address);

  // 1. The run view gains points while training runs.
  await page.waitForFunction(() => Number(document.getElementById("chart-loss").dataset.points || 0) > 0,
                             null, { timeout: 60000 });
  const before = Number(await page.getAttribute("#chart-loss", "data-points"));
  await page.waitForFunction((n) => Number(document.getElementById("chart-loss").dataset.points) > n + 3, before,
                             { timeout: 60000 }).catch(() => {});
  const after = Number(await page.getAttribute("#chart-loss", "data-points"));
  check(after > before, `the run view gains points while training (${before} -> ${after})`);
  await page.waitForFunction(() => document.querySelectorAll("#samples canvas").length > 0, null, { timeout: 30000 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${shots}/run.png`, fullPage: true });

  // 2. Pause and resume from the page (it holds the token).
  await page.click("#pause");
  await page.waitForFunction(() => document.getElementById("phase").textContent === "paused", null, { timeout: 10000 })
    .catch(() => {});
  check((await page.textContent("#phase")) === "paused", "Pause pauses training");
  await page.click("#resume");
  await page.waitForFunction(() => document.getElementById("phase").textContent === "training", null, { timeout: 10000 })
    .catch(() => {});
  check((await page.textContent("#phase")) === "training", "Resume resumes it");

  // 3. The tape: clicking a node opens its panel with the right op and shape.
  await page.click("button.tab[data-view=tape]");
  await page.waitForSelector("#graph svg g.node", { timeout: 60000 });
  const graph = await page.evaluate(() => window.studio.graph);
  console.log(`the tape of a step: ${graph.nodes.length} nodes, ${graph.server_ms.toFixed(0)} ms on the server, ` +
              `${(await page.evaluate(() => window.studio.graphMs)).toFixed(0)} ms from asking to drawn`);
  const chosen = graph.nodes.find((n) => n.op.startsWith("linear")) || graph.nodes.find((n) => n.kind === "op");
  await page.click(`#n${chosen.id}`);
  check((await page.textContent("#node-op")) === chosen.op, `clicking node #${chosen.id} shows its op (${chosen.op})`);
  check((await page.textContent("#node-shape")) === chosen.shape, `... and its shape (${chosen.shape})`);
  check((await page.textContent("#node-formula")).includes("dx +="), "... and its formula and derivative");

  // 4. Stepping backward moves the highlight in reverse tape order.
  const seen = [];
  for (let k = 0; k < 6; k++) {
    await page.click("#back-next");
    const current = await page.evaluate(() => [...document.querySelectorAll("#graph g.node.current")].map((g) => g.id));
    seen.push(current.length === 1 ? Number(current[0].slice(1)) : NaN);
  }
  const expected = graph.backward.slice(0, 6).map((s) => s.node);
  check(JSON.stringify(seen) === JSON.stringify(expected), `backward steps highlight ${expected} (saw ${seen})`);
  check(seen.every((n, i) => i === 0 || n < seen[i - 1]), "in reverse tape order");
  await page.click("#back-prev");
  const back = await page.evaluate(() => document.querySelector("#graph g.node.current")?.id);
  check(back === `n${expected[4]}`, "one step back returns the highlight");
  await page.screenshot({ path: `${shots}/tape.png` });

  // 5. The latent plane: the decoded image follows the cursor.
  await page.click("button.tab[data-view=latent]");
  await page.waitForSelector("#latent-plot .u-over", { timeout: 30000 });
  await page.waitForTimeout(500);
  const box = await (await page.$("#latent-plot .u-over")).boundingBox();
  const pixelsAt = async (fx, fy) => {
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy, { steps: 4 });
    await page.waitForFunction(() => !window.studio.decodeBusy && !window.studio.decodePending, null, { timeout: 10000 });
    await page.waitForTimeout(200);
    return page.evaluate(() => {
      const canvas = document.getElementById("decoded");
      return Array.from(canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data);
    });
  };
  const first = await pixelsAt(0.25, 0.3), second = await pixelsAt(0.75, 0.7);
  let changed = 0;
  for (let i = 0; i < first.length; i += 4) changed += Math.abs(first[i] - second[i]) > 8 ? 1 : 0;
  check(first.length === 28 * 28 * 4 && changed > 20, `moving over the plane changes the decoded image (${changed} pixels)`);
  // Two clicked test images: an interpolation strip, and the second's exact posterior.
  // Paused first, so that the plane holds still between finding a point and clicking it
  // (it follows the model every 3 s while training; a sanitized build is slow).
  await page.click("#pause");
  await page.waitForFunction(() => document.getElementById("phase").textContent === "paused", null, { timeout: 20000 })
    .catch(() => {});
  await page.waitForTimeout(3500);
  // Where point i is drawn now, in the page (the plot may have moved since box was read).
  const at = (i) => page.evaluate((i) => {
    const u = window.studio.charts.latent, v = window.studio.latent, r = u.over.getBoundingClientRect();
    return [r.left + u.valToPos(v.x[i], "x"), r.top + u.valToPos(v.y[i], "y")];
  }, i);
  // A click that found no point (a latent view answered late and moved the points under
  // the mouse) is made again where the point now is.
  const picks = () => page.evaluate(() => window.studio.picks.length);
  for (const i of [5, 605]) {
    const wanted = (await picks()) + 1;
    for (let attempt = 0; attempt < 5 && (await picks()) < wanted; ++attempt) {
      const [x, y] = await at(i);
      if (attempt > 0) console.log(`the click on test image ${i} found no point: again (${x.toFixed(1)}, ${y.toFixed(1)})`);
      await page.mouse.click(x, y);
      await page.waitForTimeout(300);
    }
  }
  // The strip's request waits for a compute slot behind the two clicks' posteriors (the
  // server computes as many at once as it has cores; a sanitized quadrature takes many
  // seconds): as long as the posterior's own wait.
  await page.waitForFunction(() => document.querySelectorAll("#interpolation canvas").length === 10, null,
                             { timeout: 120000 }).catch(() => {});
  const strip = (await page.$$("#interpolation canvas")).length === 10;
  const why = strip ? "" : await page.evaluate(() =>
    ` (picks ${JSON.stringify(window.studio.picks)}; caption "${document.getElementById("interpolation-caption").textContent}"; ` +
    `notice "${document.getElementById("notice").textContent}")`);
  check(strip, "two clicked test images give an interpolation strip" + why);
  // The second click's image: the point nearest the mouse, which is 605 or one drawn on it.
  const posteriorShown = () => window.studio.posterior && window.studio.posterior.image === window.studio.picks.at(-1);
  await page.waitForFunction(posteriorShown, null, { timeout: 120000 }).catch(() => {});
  check((await page.evaluate(posteriorShown)) && (await page.textContent("#posterior-caption")).includes("log p(x)"),
        "a clicked image's exact posterior is drawn over the plane");
  await page.screenshot({ path: `${shots}/latent.png` });

  await page.click("#resume");
  // 6. Stop from the page; the page says so. The stop is to leave a whole checkpoint,
  // so the first epoch ends first (a sanitized build is many times slower).
  await page.waitForFunction(() => window.studio.epochs.length > 0, null, { timeout: 180000 }).catch(() => {});
  await page.click("#stop");
  await page.waitForFunction(() => document.getElementById("phase").textContent === "stopped", null, { timeout: 20000 })
    .catch(() => {});
  check((await page.textContent("#phase")) === "stopped", "Stop stops training");
  check(errors.length === 0, "no console errors" + (errors.length ? ": " + errors.join(" | ") : ""));
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log(`screenshots in ${shots}: run.png, tape.png, latent.png`);
