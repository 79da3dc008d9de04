#!/usr/bin/env bash
# Packs what bench/gpu-probe.sh needs on a GPU machine that may have no Node, into build/gpu-carry/
# (for the device tool's `carry`, which takes 64 MiB): this machine's Node binary (xz), and a tar.xz
# of exactly the files the probe's routes load here (Node's require cache after a run, plus each
# package's package.json and wasm's binaries), the Vulkan loader if this machine has one.
#   bash bench/pack-gpu-probe.sh        then, there:  bash bench/gpu-probe.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
carry=build/gpu-carry
rm -rf "$carry" && mkdir -p "$carry"

npx tsc -p tsconfig.test.json
# One short run of every route here (the software adapter stands in for the GPU) lists the files they load.
node build/bench/gpu-probe.js --steps 1 --software --files "$carry/loaded.txt" >/dev/null
{
  sed "s|^$root/||" "$carry/loaded.txt" | grep -v '^/'
  # Node resolves a package through its package.json; wasm reads its .wasm files without require.
  sed -n "s|^$root/\(node_modules/\(@[^/]*/\)\?[^/]*\)/.*|\1/package.json|p" "$carry/loaded.txt" | sort -u
  ls node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm
  ls native/build/Release/*.node
} | sort -u >"$carry/files.txt"
tar -cJf "$carry/nasbook.tar.xz" -T "$carry/files.txt"
xz -T2 -6 -c "$(readlink -f "$(command -v node)")" >"$carry/node.xz"
vulkan=$(ldconfig -p | sed -n 's|.*libvulkan.so.1 (libc6,x86-64) => ||p' | head -1)
if [ -n "$vulkan" ]; then cp -L "$vulkan" "$carry/libvulkan.so.1"; fi
rm "$carry/loaded.txt"
du -sh "$carry"/* | sed 's|^|  |'
echo "carry $carry (under 64 MiB: $(du -sm "$carry" | cut -f1) MiB) and run: bash bench/gpu-probe.sh"
