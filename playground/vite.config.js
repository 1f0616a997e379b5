import { defineConfig } from "vite";

export default defineConfig({
  // Relative asset URLs: the built site works from any path (GitHub Pages, a sub-folder, file server).
  base: "./",
  // Keep the WebAssembly package out of dependency pre-bundling so `init()` finds its .wasm.
  optimizeDeps: { exclude: ["netreach"] },
  worker: { format: "es" },
  build: { target: "es2022", chunkSizeWarningLimit: 1500 },
  server: { fs: { allow: [".."] } },
});
