// N-API entry points. Every kernel takes Float32Array views (of the wasm heap: no copies) and
// the Int32Array geometry, checks their sizes, and writes its output view in place.
#include <node_api.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "adam.h"
#include "batch_norm.h"
#include "channel_affine.h"
#include "conv.h"
#include "depthwise.h"
#include "lstm.h"
#include "pooling.h"
#include "relu_conv.h"
#include "sgd.h"
#include "tile.h"
#include "weighted_sum.h"

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
Sizes conv_input_grad_sizes(const Geometry& g) { return {output_size(g), size_t(g.taps()) * g.c * g.out_c, input_size(g)}; }
Sizes depthwise_sizes(const Geometry& g) { return {input_size(g), size_t(g.taps()) * g.out_c, output_size(g)}; }
Sizes depthwise_grad_sizes(const Geometry& g) { return {input_size(g), output_size(g), size_t(g.taps()) * g.out_c}; }
Sizes depthwise_input_grad_sizes(const Geometry& g) { return {output_size(g), size_t(g.taps()) * g.out_c, input_size(g)}; }
Sizes pool_grad_sizes(const Geometry& g) { return {input_size(g), output_size(g), input_size(g)}; }
// A forward pool reads x only: its second array is empty.
Sizes pool_sizes(const Geometry& g) { return {input_size(g), 0, output_size(g)}; }
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
KERNEL(conv2dInputGrad, conv2d_input_grad, conv_input_grad_sizes, false)
KERNEL(reluConv2d, relu_conv2d, conv_sizes, false)
KERNEL(reluConv2dFilterGrad, relu_conv2d_filter_grad, conv_grad_sizes, false)
KERNEL(depthwiseConv2d, depthwise_conv2d, depthwise_sizes, true)
KERNEL(depthwiseFilterGrad, depthwise_filter_grad, depthwise_grad_sizes, true)
KERNEL(depthwiseInputGrad, depthwise_input_grad, depthwise_input_grad_sizes, true)
KERNEL(reluDepthwiseConv2d, relu_depthwise_conv2d, depthwise_sizes, true)
KERNEL(reluDepthwiseFilterGrad, relu_depthwise_filter_grad, depthwise_grad_sizes, true)
KERNEL(maxPoolGrad, max_pool_grad, pool_grad_sizes, true)
KERNEL(avgPoolGrad, avg_pool_grad, pool_grad_sizes, true)
KERNEL(avgPoolReal, avg_pool_real, pool_sizes, true)
KERNEL(avgPoolRealGrad, avg_pool_real_grad, pool_grad_sizes, true)
KERNEL(channelAffine, channel_affine, affine_sizes, true)

// Kernels with more arrays than (a, b, out, geometry): Float32Arrays then numbers, checked here.
struct Arguments {
  napi_env env;
  std::string where;
  napi_value argv[16];
  size_t argc = 16;
  Instance* instance = nullptr;

  Arguments(napi_env e, napi_callback_info info, const char* name) : env(e), where(std::string(name) + ": ") {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    napi_get_instance_data(env, reinterpret_cast<void**>(&instance));
  }

  // argv[i] as a Float32Array of `want` floats (any length when want is 0), or null after throwing.
  float* floats(size_t i, const char* name, size_t want, size_t* length = nullptr) {
    void* data = nullptr;
    size_t n = 0;
    if (i >= argc || !typed_array(env, argv[i], napi_float32_array, &data, &n)) {
      fail(env, where + name + " must be a Float32Array");
      return nullptr;
    }
    if (want != 0 && n != want) {
      fail(env, where + name + " has " + std::to_string(n) + " floats, expected " + std::to_string(want));
      return nullptr;
    }
    if (length) *length = n;
    return static_cast<float*>(data);
  }

  // argv[i] as an array of `count` Float32Arrays of `want` floats each (into `out`), or false after throwing.
  template <typename Pointer>
  bool float_arrays(size_t i, const char* name, size_t count, size_t want, std::vector<Pointer>* out) {
    bool is_array = false;
    uint32_t length = 0;
    if (i >= argc || napi_is_array(env, argv[i], &is_array) != napi_ok || !is_array ||
        napi_get_array_length(env, argv[i], &length) != napi_ok || length != count) {
      fail(env, where + name + " must be an array of " + std::to_string(count) + " Float32Arrays");
      return false;
    }
    for (uint32_t k = 0; k < length; k++) {
      napi_value element;
      void* data = nullptr;
      size_t n = 0;
      napi_get_element(env, argv[i], k, &element);
      if (!typed_array(env, element, napi_float32_array, &data, &n) || n != want) {
        fail(env, where + name + "[" + std::to_string(k) + "] must be a Float32Array of " + std::to_string(want) + " floats");
        return false;
      }
      out->push_back(static_cast<Pointer>(data));
    }
    return true;
  }

  // argv[i] as a number, or false after throwing.
  bool number(size_t i, const char* name, float* out) {
    double value = 0;
    if (i >= argc || napi_get_value_double(env, argv[i], &value) != napi_ok) {
      fail(env, where + name + " must be a number");
      return false;
    }
    *out = float(value);
    return true;
  }
};

// The rows of an [M, C] tensor of `floats` values with C = `channels`, or false after throwing.
bool channel_rows(Arguments& args, size_t floats, size_t channels, ChannelRows* shape) {
  if (channels == 0 || floats == 0 || floats % channels != 0) {
    fail(args.env, args.where + "x's size is not a positive multiple of the channels");
    return false;
  }
  *shape = {int64_t(floats / channels), int(channels)};
  return true;
}

// batchNormForward(x, gamma, beta, y, mean, variance, epsilon).
napi_value batch_norm_forward_js(napi_env env, napi_callback_info info) {
  Arguments args(env, info, "batchNormForward");
  size_t n = 0, c = 0;
  const float* x = args.floats(0, "x", 0, &n);
  const float* gamma = x ? args.floats(1, "gamma", 0, &c) : nullptr;
  ChannelRows shape;
  if (!gamma || !channel_rows(args, n, c, &shape)) return nullptr;
  const float* beta = args.floats(2, "beta", c);
  float* y = beta ? args.floats(3, "y", n) : nullptr;
  float* mean = y ? args.floats(4, "mean", c) : nullptr;
  float* variance = mean ? args.floats(5, "variance", c) : nullptr;
  float epsilon = 0;
  if (!variance || !args.number(6, "epsilon", &epsilon)) return nullptr;
  batch_norm_forward(shape, x, gamma, beta, epsilon, y, mean, variance, *args.instance->pool);
  return nullptr;
}

// batchNormBackward(dy, x, mean, variance, gamma, dx, dgamma, dbeta, epsilon).
napi_value batch_norm_backward_js(napi_env env, napi_callback_info info) {
  Arguments args(env, info, "batchNormBackward");
  size_t n = 0, c = 0;
  const float* dy = args.floats(0, "dy", 0, &n);
  const float* x = dy ? args.floats(1, "x", n) : nullptr;
  const float* mean = x ? args.floats(2, "mean", 0, &c) : nullptr;
  ChannelRows shape;
  if (!mean || !channel_rows(args, n, c, &shape)) return nullptr;
  const float* variance = args.floats(3, "variance", c);
  const float* gamma = variance ? args.floats(4, "gamma", c) : nullptr;
  float* dx = gamma ? args.floats(5, "dx", n) : nullptr;
  float* dgamma = dx ? args.floats(6, "dgamma", c) : nullptr;
  float* dbeta = dgamma ? args.floats(7, "dbeta", c) : nullptr;
  float epsilon = 0;
  if (!dbeta || !args.number(8, "epsilon", &epsilon)) return nullptr;
  batch_norm_backward(shape, dy, x, mean, variance, gamma, epsilon, dx, dgamma, dbeta, *args.instance->pool);
  return nullptr;
}

// momentumSgd(w, g, v, wOut, vOut, learningRate, momentum, weightDecay, gradScale).
napi_value momentum_sgd_js(napi_env env, napi_callback_info info) {
  Arguments args(env, info, "momentumSgd");
  size_t n = 0;
  const float* w = args.floats(0, "w", 0, &n);
  const float* g = w ? args.floats(1, "g", n) : nullptr;
  const float* v = g ? args.floats(2, "v", n) : nullptr;
  float* w_out = v ? args.floats(3, "wOut", n) : nullptr;
  float* v_out = w_out ? args.floats(4, "vOut", n) : nullptr;
  SgdStep step;
  if (!v_out || !args.number(5, "learningRate", &step.learning_rate) || !args.number(6, "momentum", &step.momentum) ||
      !args.number(7, "weightDecay", &step.weight_decay) || !args.number(8, "gradScale", &step.grad_scale)) {
    return nullptr;
  }
  momentum_sgd(int64_t(n), w, g, v, w_out, v_out, step);
  return nullptr;
}

// adam(w, g, m, v, wOut, mOut, vOut, learningRate, beta1, beta2, epsilon, correction1, correction2).
napi_value adam_js(napi_env env, napi_callback_info info) {
  Arguments args(env, info, "adam");
  size_t n = 0;
  const float* w = args.floats(0, "w", 0, &n);
  const float* g = w ? args.floats(1, "g", n) : nullptr;
  const float* m = g ? args.floats(2, "m", n) : nullptr;
  const float* v = m ? args.floats(3, "v", n) : nullptr;
  float* w_out = v ? args.floats(4, "wOut", n) : nullptr;
  float* m_out = w_out ? args.floats(5, "mOut", n) : nullptr;
  float* v_out = m_out ? args.floats(6, "vOut", n) : nullptr;
  AdamStep step;
  if (!v_out || !args.number(7, "learningRate", &step.learning_rate) || !args.number(8, "beta1", &step.beta1) ||
      !args.number(9, "beta2", &step.beta2) || !args.number(10, "epsilon", &step.epsilon) ||
      !args.number(11, "correction1", &step.correction1) || !args.number(12, "correction2", &step.correction2)) {
    return nullptr;
  }
  adam(int64_t(n), w, g, m, v, w_out, m_out, v_out, step);
  return nullptr;
}

// An LSTM layer's sizes from x's, h's and w's lengths and the units, or false after throwing:
// h is [B, U], x [B, I] and w [I + U, 4U].
bool lstm_shape(Arguments& args, size_t nx, size_t nh, size_t nw, float units, LstmShape* s) {
  const size_t u = size_t(units);
  if (units < 1 || float(u) != units || nh % u != 0 || nw % (4 * u) != 0 || nw / (4 * u) < u || nx != nh / u * (nw / (4 * u) - u)) {
    fail(args.env, args.where + "x, h and w do not make [B, I], [B, U] and [I + U, 4U]");
    return false;
  }
  *s = {int(nh / u), int(nw / (4 * u) - u), int(u)};
  return true;
}

// lstmLayerForward(x, h, c, w, b, units, z, hNext, cNext).
napi_value lstm_layer_forward_js(napi_env env, napi_callback_info info) {
  Arguments args(env, info, "lstmLayerForward");
  size_t nx = 0, nh = 0, nw = 0;
  const float* x = args.floats(0, "x", 0, &nx);
  const float* h = x ? args.floats(1, "h", 0, &nh) : nullptr;
  const float* c = h ? args.floats(2, "c", nh) : nullptr;
  const float* w = c ? args.floats(3, "w", 0, &nw) : nullptr;
  float units = 0;
  if (!w || !args.number(5, "units", &units)) return nullptr;
  LstmShape s;
  if (!lstm_shape(args, nx, nh, nw, units, &s)) return nullptr;
  const float* b = args.floats(4, "b", size_t(4) * s.units);
  float* z = b ? args.floats(6, "z", size_t(4) * s.units * s.batch) : nullptr;
  float* h_next = z ? args.floats(7, "hNext", nh) : nullptr;
  float* c_next = h_next ? args.floats(8, "cNext", nh) : nullptr;
  if (c_next) lstm_layer_forward(s, x, h, c, w, b, z, h_next, c_next);
  return nullptr;
}

// lstmLayerBackward(dhNext, dcNext, x, h, c, w, z, units, dx, dh, dc, dw, db).
napi_value lstm_layer_backward_js(napi_env env, napi_callback_info info) {
  Arguments args(env, info, "lstmLayerBackward");
  size_t nh = 0, nx = 0, nw = 0;
  const float* dh_next = args.floats(0, "dhNext", 0, &nh);
  const float* dc_next = dh_next ? args.floats(1, "dcNext", nh) : nullptr;
  const float* x = dc_next ? args.floats(2, "x", 0, &nx) : nullptr;
  const float* h = x ? args.floats(3, "h", nh) : nullptr;
  const float* c = h ? args.floats(4, "c", nh) : nullptr;
  const float* w = c ? args.floats(5, "w", 0, &nw) : nullptr;
  float units = 0;
  if (!w || !args.number(7, "units", &units)) return nullptr;
  LstmShape s;
  if (!lstm_shape(args, nx, nh, nw, units, &s)) return nullptr;
  const float* z = args.floats(6, "z", size_t(4) * s.units * s.batch);
  float* dx = z ? args.floats(8, "dx", nx) : nullptr;
  float* dh = dx ? args.floats(9, "dh", nh) : nullptr;
  float* dc = dh ? args.floats(10, "dc", nh) : nullptr;
  float* dw = dc ? args.floats(11, "dw", nw) : nullptr;
  float* db = dw ? args.floats(12, "db", size_t(4) * s.units) : nullptr;
  if (db) lstm_layer_backward(s, dh_next, dc_next, x, h, c, w, z, dx, dh, dc, dw, db);
  return nullptr;
}

// relu(x, y): y = x where x >= 0, else 0.
napi_value relu_js(napi_env env, napi_callback_info info) {
  Arguments args(env, info, "relu");
  size_t n = 0;
  const float* x = args.floats(0, "x", 0, &n);
  float* y = x ? args.floats(1, "y", n) : nullptr;
  if (y) relu(x, y, int64_t(n), *args.instance->pool);
  return nullptr;
}

// reluGrad(x, dy, dx): dx = dy where x > 0, else 0; dx may be dy.
napi_value relu_grad_js(napi_env env, napi_callback_info info) {
  Arguments args(env, info, "reluGrad");
  size_t n = 0;
  const float* x = args.floats(0, "x", 0, &n);
  const float* dy = x ? args.floats(1, "dy", n) : nullptr;
  float* dx = dy ? args.floats(2, "dx", n) : nullptr;
  if (dx) relu_grad(x, dy, dx, int64_t(n), *args.instance->pool);
  return nullptr;
}

// weightedSum(terms, weights, out): out = sum_k weights[k] * terms[k].
napi_value weighted_sum_js(napi_env env, napi_callback_info info) {
  Arguments args(env, info, "weightedSum");
  size_t k = 0, n = 0;
  const float* weights = args.floats(1, "weights", 0, &k);
  float* out = weights ? args.floats(2, "out", 0, &n) : nullptr;
  std::vector<const float*> terms;
  if (!out || !args.float_arrays(0, "terms", k, n, &terms)) return nullptr;
  weighted_sum(terms, weights, int64_t(n), out, *args.instance->pool);
  return nullptr;
}

// weightedSumGrad(terms, weights, dy, dterms, dweights): dterms[k] = weights[k] * dy, dweights[k] = dy . terms[k].
napi_value weighted_sum_grad_js(napi_env env, napi_callback_info info) {
  Arguments args(env, info, "weightedSumGrad");
  size_t k = 0, n = 0;
  const float* weights = args.floats(1, "weights", 0, &k);
  const float* dy = weights ? args.floats(2, "dy", 0, &n) : nullptr;
  float* dweights = dy ? args.floats(4, "dweights", k) : nullptr;
  std::vector<const float*> terms;
  std::vector<float*> dterms;
  if (!dweights || !args.float_arrays(0, "terms", k, n, &terms) || !args.float_arrays(3, "dterms", k, n, &dterms)) return nullptr;
  weighted_sum_grad(terms, weights, dy, int64_t(n), dterms, dweights, *args.instance->pool);
  return nullptr;
}

// copyRows(src, dst, geometry): geometry = [rows, width, srcStart, srcStride, dstStart, dstStride];
// row r's width floats from src[srcStart + r * srcStride] to dst[dstStart + r * dstStride].
napi_value copy_rows_js(napi_env env, napi_callback_info info) {
  Arguments args(env, info, "copyRows");
  size_t src_length = 0, dst_length = 0;
  const float* src = args.floats(0, "src", 0, &src_length);
  float* dst = src ? args.floats(1, "dst", 0, &dst_length) : nullptr;
  void* data = nullptr;
  size_t fields = 0;
  if (!dst) return nullptr;
  if (args.argc < 3 || !typed_array(env, args.argv[2], napi_int32_array, &data, &fields) || fields != 6) {
    return fail(env, args.where + "geometry must be an Int32Array of 6 fields");
  }
  const int32_t* g = static_cast<const int32_t*>(data);
  const int64_t rows = g[0], width = g[1], src_start = g[2], src_stride = g[3], dst_start = g[4], dst_stride = g[5];
  const auto fits = [&](int64_t start, int64_t stride, size_t length) {
    return start >= 0 && stride >= 0 && (rows == 0 || start + (rows - 1) * stride + width <= int64_t(length));
  };
  if (rows < 0 || width < 0 || !fits(src_start, src_stride, src_length) || !fits(dst_start, dst_stride, dst_length)) {
    return fail(env, args.where + "the rows do not fit in src and dst");
  }
  for (int64_t r = 0; r < rows; r++) copy_floats(dst + dst_start + r * dst_stride, src + src_start + r * src_stride, width);
  return nullptr;
}

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
      {"conv2dInputGrad", nullptr, conv2dInputGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluConv2d", nullptr, reluConv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluConv2dFilterGrad", nullptr, reluConv2dFilterGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"relu", nullptr, relu_js, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, relu_grad_js, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseConv2d", nullptr, depthwiseConv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseFilterGrad", nullptr, depthwiseFilterGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseInputGrad", nullptr, depthwiseInputGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluDepthwiseConv2d", nullptr, reluDepthwiseConv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluDepthwiseFilterGrad", nullptr, reluDepthwiseFilterGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, maxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"avgPoolGrad", nullptr, avgPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"avgPoolReal", nullptr, avgPoolReal, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"avgPoolRealGrad", nullptr, avgPoolRealGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"channelAffine", nullptr, channelAffine, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormForward", nullptr, batch_norm_forward_js, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormBackward", nullptr, batch_norm_backward_js, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lstmLayerForward", nullptr, lstm_layer_forward_js, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lstmLayerBackward", nullptr, lstm_layer_backward_js, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, adam_js, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"momentumSgd", nullptr, momentum_sgd_js, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"weightedSum", nullptr, weighted_sum_js, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"weightedSumGrad", nullptr, weighted_sum_grad_js, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"copyRows", nullptr, copy_rows_js, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, set_threads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  return exports;
}
