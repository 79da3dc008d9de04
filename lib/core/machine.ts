/**
 * Which kind of machine measured a time: its CPU model, the widest vector unit the native
 * kernels compile for there, and the cores this process may use. A long build (a benchmark
 * table) runs across sessions on different machines, and its seconds are only comparable once
 * each is known to come from one of them.
 */
import * as fs from "node:fs";
import * as os from "node:os";

export type MachineDescription = {
  cpu: string;
  /** "avx512", "avx2", "sse" on x86-64; the architecture's name elsewhere. */
  vector: string;
  cores: number;
};

function x86Vector(flags: string): string {
  if (/\bavx512f\b/.test(flags)) return "avx512";
  if (/\bavx2\b/.test(flags)) return "avx2";
  return "sse";
}

export function describeMachine(): MachineDescription {
  const cpu = os.cpus()[0]?.model.trim() || "unknown CPU";
  const flags = process.arch === "x64" && fs.existsSync("/proc/cpuinfo") ? fs.readFileSync("/proc/cpuinfo", "utf8") : null;
  return { cpu, vector: flags === null ? process.arch : x86Vector(flags), cores: os.availableParallelism() };
}

/** One line naming the machine; equal lines mean the same kind of machine. */
export function machineName(machine: MachineDescription): string {
  return `${machine.cpu}, ${machine.vector}, ${machine.cores} cores`;
}
