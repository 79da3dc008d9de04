/** Typed settings as plain JSON, and JSON compared by content whatever its key order. */
import type { Json } from "./types";

/** Plain JSON copy of typed settings (readonly arrays, interfaces) for config.json. */
export function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** `toJson` of settings that are an object (config.json's sections). */
export function toJsonObject(value: object): { [key: string]: Json } {
  return toJson(value) as { [key: string]: Json };
}

/** JSON with sorted keys, so equal data compares equal whatever the key order. */
export function canonicalJson(value: Json | undefined): string {
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
