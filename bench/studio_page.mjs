// One real page on a running studio: Debian's chromium, headless, on the run view until
// the run finishes (bench/studio_load.sh measures what it costs training).
// Usage: node studio_page.mjs ADDRESS PLAYWRIGHT_CORE
import path from "node:path";
import { pathToFileURL } from "node:url";

const [address, playwright] = process.argv.slice(2);
const { chromium } = await import(pathToFileURL(path.join(playwright, "index.mjs")).href);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto(address);
await page.waitForFunction(() => ["finished", "stopped"].includes(document.getElementById("phase").textContent), null,
                           { timeout: 0, polling: 500 }).catch(() => {});
await browser.close();
