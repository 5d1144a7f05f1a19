// Builds the page into dist/web, which wrangler.toml's [assets] serves (the
// Worker runs first for /api/* and /ws). `npm run dev:web` serves it with hot
// reload on :8850 and forwards the API to `npm start` on :8787.
//
// vite-plugin-pwa (Workbox) adds the offline shell: a service worker that
// precaches the built files and answers every navigation with index.html
// (never /api or /ws), a web app manifest, and registerSW.js, a file of its
// own (no inline script, for the page's CSP). docs/web.md, "Offline shell".
// The worker imports public/push-sw.js for Web Push (docs/web.md, Notifications).
import { defaultClientConditions, defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  build: { outDir: "../../dist/web", emptyOutDir: true, target: "es2022" },
  // The client package (src/client) from its source, not its build (see its package.json).
  resolve: { conditions: ["edge-chat-source", ...defaultClientConditions] },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  plugins: [
    VitePWA({
      registerType: "autoUpdate",
      injectRegister: "script",
      manifest: {
        name: "Edge Chat",
        short_name: "Edge Chat",
        description: "Messages, on the edge.",
        start_url: "/",
        scope: "/",
        display: "standalone",
        theme_color: "#008069",
        background_color: "#111b21",
        icons: [
          { src: "/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any maskable" },
        ],
      },
      workbox: {
        globPatterns: ["**/*.{js,css,html,png,svg,webmanifest,wav}"],
        navigateFallback: "/index.html",
        navigateFallbackDenylist: [/^\/api\//, /^\/ws/],
        cleanupOutdatedCaches: true,
        // The first visit is served by the shell at once, not from the next load on.
        clientsClaim: true,
        // Web Push: shows the notification a push brings (public/push-sw.js).
        importScripts: ["/push-sw.js"],
      },
    }),
  ],
  server: {
    port: 8850,
    proxy: {
      "/api": "http://127.0.0.1:8787",
      "/ws": { target: "ws://127.0.0.1:8787", ws: true },
    },
  },
});
