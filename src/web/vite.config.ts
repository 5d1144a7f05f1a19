// Builds the page into dist/web, which wrangler.toml's [assets] serves (the
// Worker runs first for /api/* and /ws). `npm run dev:web` serves it with hot
// reload on :8850 and forwards the API to `npm start` on :8787.
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  build: { outDir: "../../dist/web", emptyOutDir: true, target: "es2022" },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  server: {
    port: 8850,
    proxy: {
      "/api": "http://127.0.0.1:8787",
      "/ws": { target: "ws://127.0.0.1:8787", ws: true },
    },
  },
});
