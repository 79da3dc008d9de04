// N-API entry points. Every kernel takes Float32Array views (of the wasm heap: no copies) and
// the Int32Array geometry, checks their sizes, and writes its output view in place.
#include <node_api.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "channel_affine.h"
#include "conv.h"
#include "depthwise.h"
#include "pooling.h"

namespace nasbook {
namespace {

struct Instance {
  std::unique_ptr<ThreadPool> pool = std::make_unique<ThreadPool>(1);
};

struct Floats {
  float* data;
  size_t length;
};

napi_value fail(napi_env env, const std::string& message) {
  napi_throw_error(env, "NASBOOK_NATIVE", message.c_str());
  return nullptr;
}

bool typed_array(napi_env env, napi_value value, napi_typedarray_type want, void** data, size_t* length) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) return false;
  napi_typedarray_type type;
  napi_get_typedarray_info(env, value, &type, length, data, nullptr, nullptr);
  return type == want;
}

using Kernel = void (*)(const Geometry&, const float*, const float*, float*, ThreadPool&);

// Sizes of a kernel's three arrays for a geometry: the two inputs and the output.
struct Sizes {
  size_t a, b, out;
};
using SizeRule = Sizes (*)(const Geometry&);

size_t input_size(const Geometry& g) { return size_t(g.n) * g.h * g.w * g.c; }
size_t output_size(const Geometry& g) { return size_t(g.pixels()) * g.out_c; }

Sizes conv_sizes(const Geometry& g) { return {input_size(g), size_t(g.taps()) * g.c * g.out_c, output_size(g)}; }
Sizes conv_grad_sizes(const Geometry& g) { return {input_size(g), output_size(g), size_t(g.taps()) * g.c * g.out_c}; }
Sizes depthwise_sizes(const Geometry& g) { return {input_size(g), size_t(g.taps()) * g.out_c, output_size(g)}; }
Sizes depthwise_grad_sizes(const Geometry& g) { return {input_size(g), output_size(g), size_t(g.taps()) * g.out_c}; }
Sizes pool_grad_sizes(const Geometry& g) { return {input_size(g), output_size(g), input_size(g)}; }
Sizes affine_sizes(const Geometry& g) { return {input_size(g), size_t(2) * g.c, input_size(g)}; }

bool positive(const Geometry& g) {
  const int fields[] = {g.n, g.h, g.w, g.c, g.kh, g.kw, g.out_c, g.ho, g.wo, g.sh, g.sw, g.dh, g.dw};
  return std::all_of(std::begin(fields), std::end(fields), [](int v) { return v > 0; });
}

// (a, b, out, geometry): runs `kernel` after checking every argument against `sizes`.
// per_channel: depthwise and pooling kernels, whose out_c is c times a channel multiplier.
napi_value call(napi_env env, napi_callback_info info, const char* name, Kernel kernel, SizeRule sizes, bool per_channel) {
  size_t argc = 4;
  napi_value argv[4];
  Instance* instance = nullptr;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_get_instance_data(env, reinterpret_cast<void**>(&instance));
  const std::string where = std::string(name) + ": ";
  if (argc != 4) return fail(env, where + "expects (a, b, out, geometry)");
  void* geometry_data = nullptr;
  size_t geometry_length = 0;
  if (!typed_array(env, argv[3], napi_int32_array, &geometry_data, &geometry_length) || geometry_length != kGeometryFields) {
    return fail(env, where + "geometry must be an Int32Array of " + std::to_string(kGeometryFields) + " fields");
  }
  Geometry g;
  std::memcpy(&g, geometry_data, sizeof g);
  if (!positive(g)) return fail(env, where + "geometry has a non-positive size, stride or dilation");
  if (per_channel && g.out_c % g.c != 0) return fail(env, where + "geometry's out_c is not a multiple of c");
  const Sizes want = sizes(g);
  const size_t wanted[] = {want.a, want.b, want.out};
  const char* names[] = {"first input", "second input", "output"};
  Floats arrays[3];
  for (int i = 0; i < 3; i++) {
    void* data = nullptr;
    if (!typed_array(env, argv[i], napi_float32_array, &data, &arrays[i].length)) {
      return fail(env, where + names[i] + " must be a Float32Array");
    }
    arrays[i].data = static_cast<float*>(data);
    if (arrays[i].length != wanted[i]) {
      return fail(env, where + names[i] + " has " + std::to_string(arrays[i].length) + " floats, the geometry needs " +
                           std::to_string(wanted[i]));
    }
  }
  kernel(g, arrays[0].data, arrays[1].data, arrays[2].data, *instance->pool);
  return nullptr;
}

#define KERNEL(js_name, kernel, sizes, per_channel)                  \
  napi_value js_name(napi_env env, napi_callback_info info) {         \
    return call(env, info, #js_name, kernel, sizes, per_channel);     \
  }

KERNEL(conv2d, nasbook::conv2d, conv_sizes, false)
KERNEL(conv2dFilterGrad, conv2d_filter_grad, conv_grad_sizes, false)
KERNEL(depthwiseConv2d, depthwise_conv2d, depthwise_sizes, true)
KERNEL(depthwiseFilterGrad, depthwise_filter_grad, depthwise_grad_sizes, true)
KERNEL(maxPoolGrad, max_pool_grad, pool_grad_sizes, true)
KERNEL(avgPoolGrad, avg_pool_grad, pool_grad_sizes, true)
KERNEL(channelAffine, channel_affine, affine_sizes, true)

// setThreads(n): the threads each kernel call may use (the calling one included); returns n.
napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Instance* instance = nullptr;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_get_instance_data(env, reinterpret_cast<void**>(&instance));
  int32_t threads = 0;
  if (argc != 1 || napi_get_value_int32(env, argv[0], &threads) != napi_ok || threads < 1 || threads > 64) {
    return fail(env, "setThreads: expects an integer from 1 to 64");
  }
  instance->pool = std::make_unique<ThreadPool>(threads);
  napi_value result;
  napi_create_int32(env, threads, &result);
  return result;
}


}  // namespace
}  // namespace nasbook

NAPI_MODULE_INIT() {
  using namespace nasbook;
  napi_set_instance_data(
      env, new Instance(), [](napi_env, void* data, void*) { delete static_cast<Instance*>(data); }, nullptr);
  const napi_property_descriptor functions[] = {
      {"conv2d", nullptr, conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dFilterGrad", nullptr, conv2dFilterGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseConv2d", nullptr, depthwiseConv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseFilterGrad", nullptr, depthwiseFilterGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, maxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"avgPoolGrad", nullptr, avgPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"channelAffine", nullptr, channelAffine, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, set_threads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  return exports;
}
