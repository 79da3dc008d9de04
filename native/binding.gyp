# Optional native CPU kernels for the wasm backend (see README "Native kernels"). Built by
# scripts/build-native.js at install; when it cannot build, nasbook trains on wasm alone.
{
  # The CPU to compile for on Linux: this machine's, unless GYP_DEFINES="march=..." (the tests build x86-64-v3 and x86-64 too).
  "variables": { "march%": "native" },
  "targets": [
    {
      "target_name": "nasbook_native",
      "sources": ["src/adam.cc", "src/addon.cc", "src/batch_norm.cc", "src/channel_affine.cc", "src/conv.cc", "src/depthwise.cc", "src/lstm.cc", "src/pooling.cc", "src/relu_conv.cc", "src/sgd.cc", "src/thread_pool.cc", "src/weighted_sum.cc"],
      # The addon is built on the machine that runs it. gnu++17 keeps FMA contraction on.
      "cflags_cc": ["-O3", "-march=<(march)", "-std=gnu++17", "-fno-math-errno"],
      "cflags_cc!": ["-std=gnu++1y", "-std=gnu++14"],
      # macOS: the compiler's default target (Apple clang has no -march=native on arm64); march is not applied.
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=gnu++17", "-fno-math-errno"] },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/O2", "/std:c++17"] } }
    }
  ]
}
