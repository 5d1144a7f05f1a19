// Resident memory of the processes that serve: for the real server, every
// workerd process that `wrangler dev` started (its process group: wrangler's
// proxy worker and the worker itself); for the floor, its one Node process.

import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ProcessMemory {
  pid: number;
  name: string;
  rssKb: number;
}

export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Processes of a process group whose command name matches. */
export function groupProcesses(pgid: number, name: RegExp): ProcessMemory[] {
  const out: ProcessMemory[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after ')'.
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid || !name.test(comm)) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      const role = /--inspector-addr/.test(cmdline) ? "workerd (worker)" : "workerd (wrangler proxy)";
      out.push({ pid: Number(entry), name: role, rssKb: rssOf(Number(entry)) });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/**
 * Bytes a process has caused to be written to the block device so far
 * (`write_bytes` of /proc/<pid>/io: what reaches the disk, SQLite's WAL
 * frames and checkpoints included, not what stays in the page cache
 * unwritten). Of our own processes only, so other users of a shared machine
 * do not count, which /proc/diskstats would include.
 */
export function writeBytesOf(pid: number): number {
  try {
    const io = readFileSync(`/proc/${pid}/io`, "utf8");
    return Number(io.match(/^write_bytes:\s+(\d+)/m)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Where each open file descriptor of a process points (paths, `socket:[inode]`, ...). */
export function fdLinks(pid: number): string[] {
  const links: string[] = [];
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        links.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        // closed while we looked
      }
    }
  } catch {
    // the process ended
  }
  return links;
}

/**
 * SQLite databases a process holds open: workerd keeps each Durable Object
 * that is in memory with its database open, so this counts the awake objects
 * (a hibernated object, evicted, holds none).
 */
export function openDatabasesOf(pid: number): number {
  return fdLinks(pid).filter((link) => link.endsWith(".sqlite")).length;
}

/** CPU time (user + system, ms) a process has used so far. */
export function cpuMsOf(pid: number, file = `/proc/${pid}/stat`): number {
  try {
    const stat = readFileSync(file, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** CPU time (user + system, ms) each thread of a process has used so far, by thread id. */
export function threadCpuMsOf(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) out.set(Number(tid), cpuMsOf(pid, `/proc/${pid}/task/${tid}/stat`));
  return out;
}

/** TCP ports a process listens on (from /proc: its socket inodes matched against /proc/net/tcp). */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const link of fdLinks(pid)) {
    const m = link.match(/^socket:\[(\d+)\]$/);
    if (m?.[1]) inodes.add(m[1]);
  }
  const ports: number[] = [];
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    // local_address rem_address st ... inode: state 0A is LISTEN
    if (f[3] === "0A" && f[9] && inodes.has(f[9])) ports.push(Number.parseInt(f[1]?.split(":")[1] ?? "0", 16));
  }
  return ports;
}
