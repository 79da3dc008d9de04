#!/usr/bin/env bash
# What a machine offers nasbook's GPU routes, and the bench networks' training step on each route
# that starts (issue #18). Prepared on a CPU; run on a lent GPU machine in one call:
#   here:  bash bench/pack-gpu-probe.sh                 (Node and the probe's files, build/gpu-carry)
#   there: bash bench/gpu-probe.sh                      (device tool: carry build/gpu-carry)
# Prints: the GPU and driver, the CUDA runtime and compiler, cuDNN, the Vulkan loader and ICDs; then
# the routes: tfjs-node-gpu (its libraries), CUDA kernels built with nvcc (a kernel built and run),
# tfjs's WebGPU on Dawn (build/bench/gpu-probe.js), and PyTorch on the GPU and CPU beside them.
# Everything it prints also goes to $OUT/gpu-probe.txt (build/ without $OUT). No step stops it.
set -uo pipefail
cd "$(dirname "$0")/.."
log="${OUT:-build}/gpu-probe.txt"
mkdir -p "$(dirname "$log")"
exec > >(tee "$log") 2>&1
section() { printf '\n## %s\n' "$*"; }
have() { command -v "$1" >/dev/null; }

section machine
uname -srm; echo "cores: $(nproc)"; free -g | sed -n 2p

section GPU and driver
if have nvidia-smi; then nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv; else echo "no nvidia-smi"; fi

section CUDA runtime and compiler
if have nvcc; then nvcc --version | tail -n 2; else echo "no nvcc"; fi
ldconfig -p | grep -E 'libcudart\.so|libcublas\.so' || echo "no CUDA runtime on the library path"

section cuDNN
ldconfig -p | grep libcudnn || find / -xdev -name 'libcudnn.so*' 2>/dev/null | head -n 5 || true
python3 -c "import torch; print('PyTorch', torch.__version__, '| CUDA', torch.version.cuda, '| cuDNN', torch.backends.cudnn.version(), '| GPU', torch.cuda.is_available())" 2>&1 | tail -n 1

section Vulkan loader and ICDs
carry=build/gpu-carry
if ! ldconfig -p | grep -q libvulkan.so.1 && [ -f "$carry/libvulkan.so.1" ]; then
  export LD_LIBRARY_PATH="$PWD/$carry${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; echo "loader: carried ($carry/libvulkan.so.1)"
else
  ldconfig -p | grep libvulkan.so.1 || echo "no Vulkan loader"
fi
for dir in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d; do
  [ -d "$dir" ] && ls "$dir" | sed "s|^|$dir/|"
done
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then export VK_DRIVER_FILES=$nvidia_icd; echo "VK_DRIVER_FILES=$nvidia_icd"; fi

section "route: tfjs-node-gpu (libtensorflow 2.9: CUDA 11.2, cuDNN 8.1)"
for lib in libcudart.so.11.0 libcudnn.so.8; do
  if ldconfig -p | grep -q "$lib"; then echo "$lib: found"; else echo "$lib: missing (tfjs-node-gpu cannot start here)"; fi
done

section "route: CUDA kernels built with nvcc"
if have nvcc; then
  dir=$(mktemp -d)
  cat >"$dir/saxpy.cu" <<'CU'
#include <cstdio>
__global__ void saxpy(int n, float a, const float* x, float* y) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
int main() {
  const int n = 1 << 20; float *x, *y;
  cudaError_t a = cudaMallocManaged(&x, n * sizeof(float));
  if (a == cudaSuccess) a = cudaMallocManaged(&y, n * sizeof(float));
  if (a != cudaSuccess) { printf("built; no GPU to run it: %s\n", cudaGetErrorString(a)); return 1; }
  for (int i = 0; i < n; i++) { x[i] = 1.0f; y[i] = 2.0f; }
  saxpy<<<(n + 255) / 256, 256>>>(n, 3.0f, x, y);
  cudaError_t e = cudaDeviceSynchronize();
  float worst = 0; for (int i = 0; i < n; i++) worst = fmaxf(worst, fabsf(y[i] - 5.0f));
  printf("%s, max error %g\n", e == cudaSuccess ? "kernel ran" : cudaGetErrorString(e), worst);
  return e == cudaSuccess && worst == 0 ? 0 : 1;
}
CU
  nvcc -O2 -o "$dir/saxpy" "$dir/saxpy.cu" && "$dir/saxpy"
else
  echo "no nvcc"
fi

section "route: tfjs WebGPU on Dawn (and wasm beside it)"
node=$(command -v node || true)
if [ -z "$node" ] && [ -f "$carry/node.xz" ]; then
  mkdir -p build/node && xz -dc "$carry/node.xz" >build/node/node && chmod +x build/node/node && node=$PWD/build/node/node
fi
if [ -n "$node" ] && [ ! -d node_modules ] && [ -f "$carry/nasbook.tar.xz" ]; then tar -xJf "$carry/nasbook.tar.xz"; fi
if [ -z "$node" ]; then
  echo "no Node and nothing carried: run bench/pack-gpu-probe.sh on the CPU machine and carry build/gpu-carry"
elif [ ! -f build/bench/gpu-probe.js ]; then
  echo "build/bench/gpu-probe.js missing: carry build/gpu-carry, or run npx tsc -p tsconfig.test.json"
else
  echo "node $("$node" --version)"
  timeout 300 "$node" build/bench/gpu-probe.js --steps 20 || echo "probe failed (exit $?)"
fi

section "PyTorch, the same networks"
for device in cuda cpu; do
  timeout 120 python3 bench/torch_reference.py --device "$device" --steps 20 || echo "PyTorch on $device failed"
done
