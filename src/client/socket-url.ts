// The WebSocket address for a base URL: http(s) becomes ws(s); an empty base
// (a page served by the service itself) means this page's own origin.

export function socketUrl(baseUrl: string, token: string, via: "query" | "protocol"): string {
  let base = baseUrl;
  if (base === "") {
    const location = (globalThis as { location?: { origin: string } }).location;
    if (!location) throw new Error("baseUrl is required outside a browser page");
    base = location.origin;
  }
  const url = `${base.replace(/^http/, "ws").replace(/\/$/, "")}/ws`;
  return via === "query" ? `${url}?token=${encodeURIComponent(token)}` : url;
}
