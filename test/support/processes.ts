// The process tree and listening ports of a local server, from Linux /proc:
// for tests that check what `npm start` leaves behind, and that reach the
// Worker's own port behind wrangler's proxy.

import { readdirSync, readFileSync, readlinkSync } from "node:fs";

function pids(): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** Every process under `pid`; take it before a signal: orphans get a new parent after. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const p of pids()) {
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so read after the last ")".
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      parentOf.set(p, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift() as number;
    for (const [child, parent] of parentOf) {
      if (parent === current) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** The TCP ports the given processes listen on (IPv4). */
export function listeningPorts(of: number[]): number[] {
  const inodes = new Set<string>();
  for (const pid of of) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`, "utf8");
        if (link.startsWith("socket:[")) inodes.add(link.slice(8, -1));
      }
    } catch {
      // exited, or not ours to read
    }
  }
  const ports = new Set<number>();
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    // local_address is HEXIP:HEXPORT, st 0A is LISTEN, the inode is the tenth field.
    if (fields[3] === "0A" && fields[9] && inodes.has(fields[9]))
      ports.add(Number.parseInt(fields[1]?.split(":")[1] ?? "", 16));
  }
  return [...ports];
}
