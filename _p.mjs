import { chromium } from "playwright-core";
import http from "node:http"; import fs from "node:fs"; import path from "node:path";
import { bigScenario } from "./tests/playground-gen.mjs";
const dist = path.resolve("playground/dist");
const srv = http.createServer((q, r) => { let f = path.join(dist, new URL(q.url,"http://x").pathname); if (f.endsWith("/")) f += "index.html"; fs.readFile(f, (e, d) => { if (e) return r.writeHead(404).end(); r.writeHead(200, {"content-type": f.endsWith(".wasm") ? "application/wasm" : f.endsWith(".js") ? "text/javascript" : f.endsWith(".css")?"text/css":"text/html"}); r.end(d); }); }).listen(8765, "127.0.0.1");
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless","--no-sandbox","--disable-gpu"] });
const p = await b.newPage();
await p.goto("http://127.0.0.1:8765/");
await p.waitForFunction(() => document.body.dataset.analyses === "1");
const base = bigScenario(); const head = base.replace("tier: inner", "tier: edge");
let t = Date.now();
await p.evaluate(([b, h]) => window.__playground.load(b, h, "matrix"), [base, head]);
console.log("load", Date.now() - t);
t = Date.now();
for (let i = 0; i < 100; i++) { const t1 = Date.now(); await p.evaluate(() => 1); const d = Date.now() - t1; if (d > 200) console.log("blocked", d, "at", Date.now() - t); if (await p.evaluate(() => document.body.dataset.analyses === "2")) break; await new Promise(r => setTimeout(r, 200)); }
console.log("done", Date.now() - t, await p.evaluate(() => JSON.stringify(window.__playground.timings)));
await b.close(); srv.close();
