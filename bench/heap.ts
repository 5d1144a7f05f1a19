// A heap snapshot of the worker's isolate through the inspector
// (HeapProfiler.takeHeapSnapshot; it collects garbage first, so it shows what
// is live), written as a .heapsnapshot file (opens in Chrome DevTools, Memory
// panel) and summarised here: per class, how many objects and what they
// retain (the dominator tree), and, for one class, what each of its fields
// retains. `npm run bench -- ... --heap` takes one after each scenario's
// warm-up; `npm run bench:heap -- FILE [Class ...]` summarises a file again.

import { createWriteStream, readFileSync } from "node:fs";
import WebSocket from "ws";

/** Takes a snapshot of the isolate behind the inspector at `port` into `file`; returns its live JS heap (bytes). */
export async function takeHeapSnapshot(port: number, file: string): Promise<number> {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const url = list[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error("no inspector target");
  const ws = new WebSocket(url, { maxPayload: 1 << 30 });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const out = createWriteStream(file);
  const pending = new Map<number, (result: unknown) => void>();
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString()) as {
      id?: number;
      method?: string;
      params?: { chunk: string };
      result?: unknown;
    };
    if (msg.method === "HeapProfiler.addHeapSnapshotChunk" && msg.params) out.write(msg.params.chunk);
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  let next = 1;
  const call = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve) => {
      const id = next++;
      pending.set(id, (r) => resolve(r as T));
      ws.send(JSON.stringify({ id, method, params }));
    });
  // workerd answers no HeapProfiler.collectGarbage; the snapshot collects first anyway, so the usage after it is the live heap.
  await call("HeapProfiler.enable");
  await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  const { usedSize } = await call<{ usedSize: number }>("Runtime.getHeapUsage");
  await call("HeapProfiler.disable");
  ws.close();
  await new Promise((resolve) => out.end(resolve));
  return usedSize;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface ClassRow {
  name: string;
  count: number;
  selfBytes: number;
  retainedBytes: number;
}

export interface HeapSummary {
  totalBytes: number;
  classes: ClassRow[];
  /** Per asked class: each field's count and retained bytes summed over the class's objects. */
  fields: Map<string, ClassRow[]>;
}

/** Reads a .heapsnapshot and summarises it (see the top of this file). */
export function summariseHeap(file: string, fieldsOf: string[] = []): HeapSummary {
  const s = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const meta = s.snapshot.meta;
  const NF = meta.node_fields.length;
  const EF = meta.edge_fields.length;
  const [nType, nName, nSize, nEdges] = ["type", "name", "self_size", "edge_count"].map((f) =>
    meta.node_fields.indexOf(f),
  ) as [number, number, number, number];
  const [eType, eName, eTo] = ["type", "name_or_index", "to_node"].map((f) => meta.edge_fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const WEAK = edgeTypes.indexOf("weak");
  const n = s.nodes.length / NF;
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0, e = 0; i < n; i++) {
    firstEdge[i] = e;
    e += (s.nodes[i * NF + nEdges] as number) * EF;
    firstEdge[i + 1] = e;
  }
  const to = (e: number) => (s.edges[e + eTo] as number) / NF;
  const strong = (e: number) => s.edges[e + eType] !== WEAK;

  // Depth-first post-order from the root (node 0), strong edges only.
  const order = new Int32Array(n).fill(-1);
  const post: number[] = [];
  const stack: number[] = [0];
  const cursor = new Uint32Array(n);
  order[0] = -2;
  for (let i = 0; i < n; i++) cursor[i] = firstEdge[i] as number;
  while (stack.length) {
    const v = stack[stack.length - 1] as number;
    let pushed = false;
    while ((cursor[v] as number) < (firstEdge[v + 1] as number)) {
      const e = cursor[v] as number;
      cursor[v] = e + EF;
      const w = to(e);
      if (strong(e) && order[w] === -1) {
        order[w] = -2;
        stack.push(w);
        pushed = true;
        break;
      }
    }
    if (!pushed) {
      order[v] = post.length;
      post.push(v);
      stack.pop();
    }
  }
  // Predecessors (strong edges between reached nodes), then dominators (Cooper, Harvey, Kennedy).
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (const v of post) {
    for (let e = firstEdge[v] as number; e < (firstEdge[v + 1] as number); e += EF) {
      if (strong(e) && (order[to(e)] as number) >= 0) preds[to(e)]?.push(v);
    }
  }
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while ((order[a] as number) < (order[b] as number)) a = idom[a] as number;
      while ((order[b] as number) < (order[a] as number)) b = idom[b] as number;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = post.length - 2; i >= 0; i--) {
      const v = post[i] as number;
      let d = -1;
      for (const p of preds[v] as number[]) if (idom[p] !== -1) d = d === -1 ? p : intersect(p, d);
      if (d !== -1 && idom[v] !== d) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(n);
  for (const v of post) retained[v] = (retained[v] as number) + (s.nodes[v * NF + nSize] as number);
  for (const v of post)
    if (v !== 0) retained[idom[v] as number] = (retained[idom[v] as number] as number) + (retained[v] as number);

  const className = (v: number) => {
    const type = nodeTypes[s.nodes[v * NF + nType] as number] as string;
    const name = s.strings[s.nodes[v * NF + nName] as number] as string;
    if (type === "object" || type === "native") return name;
    if (type === "closure") return "(closure)";
    if (type === "hidden") return "(system)";
    if (type === "code") return "(compiled code)";
    return `(${type})`;
  };
  const rows = new Map<string, ClassRow>();
  const add = (map: Map<string, ClassRow>, name: string, self: number, ret: number) => {
    const row = map.get(name) ?? { name, count: 0, selfBytes: 0, retainedBytes: 0 };
    row.count++;
    row.selfBytes += self;
    row.retainedBytes += ret;
    map.set(name, row);
  };
  // A class's retained bytes count only its outermost objects (one nested in another of its class adds nothing).
  for (const v of post) {
    const name = className(v);
    let outer = true;
    for (let d = idom[v] as number; d !== 0; d = idom[d] as number) {
      if (className(d) === name) {
        outer = false;
        break;
      }
    }
    add(rows, name, s.nodes[v * NF + nSize] as number, outer ? (retained[v] as number) : 0);
  }
  const fields = new Map<string, ClassRow[]>();
  for (const wanted of fieldsOf) {
    const byField = new Map<string, ClassRow>();
    for (const v of post) {
      if (className(v) !== wanted) continue;
      for (let e = firstEdge[v] as number; e < (firstEdge[v + 1] as number); e += EF) {
        const kind = edgeTypes[s.edges[e + eType] as number];
        if (kind !== "property" && kind !== "context" && kind !== "internal") continue;
        const w = to(e);
        const label = `${kind === "context" ? "ctx." : ""}${s.strings[s.edges[e + eName] as number]} (${className(w)})`;
        // What the field alone keeps alive: the target's retained size when this object dominates it.
        add(byField, label, s.nodes[w * NF + nSize] as number, idom[w] === v ? (retained[w] as number) : 0);
      }
    }
    fields.set(
      wanted,
      [...byField.values()].sort((a, b) => b.retainedBytes - a.retainedBytes),
    );
  }
  return {
    totalBytes: retained[0] as number,
    classes: [...rows.values()].sort((a, b) => b.retainedBytes - a.retainedBytes),
    fields,
  };
}

/** The summary as lines: the largest classes by retained size, then the fields asked for. */
export function formatHeap(summary: HeapSummary, top = 30): string[] {
  const kb = (b: number) => (b / 1024).toFixed(0).padStart(8);
  const line = (r: ClassRow) =>
    `${kb(r.retainedBytes)} KB ${kb(r.selfBytes)} KB ${String(r.count).padStart(8)}  ${r.name}`;
  const lines = [`live heap in the snapshot: ${(summary.totalBytes / 1048576).toFixed(1)} MB`];
  lines.push("retained     self      count  class (by retained size; nested objects of a class count once)");
  for (const r of summary.classes.slice(0, top)) lines.push(line(r));
  for (const [name, rows] of summary.fields) {
    lines.push(`fields of ${name} (retained: what the field alone keeps alive, summed over its objects)`);
    for (const r of rows.slice(0, top)) lines.push(line(r));
  }
  return lines;
}

// `npm run bench:heap -- FILE [Class ...]`
if (process.argv[1]?.endsWith("heap.js")) {
  const [file, ...classes] = process.argv.slice(2);
  if (!file) throw new Error("usage: npm run bench:heap -- FILE.heapsnapshot [Class ...]");
  for (const l of formatHeap(summariseHeap(file, classes), 40)) console.log(l);
}
