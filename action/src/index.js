// Entry point of the bundle (action/dist/index.js): everything lives in main.js.
import { run } from "./main.js";

await run();
