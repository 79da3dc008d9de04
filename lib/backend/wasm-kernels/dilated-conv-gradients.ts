/**
 * Gradients of Conv2D and DepthwiseConv2dNative that also handle dilation > 1 (tfjs-core's
 * refuse it), needed by dilated convolutions in search spaces. They pass `dilations` on to the
 * backprop kernels, which only nasbook's wasm kernels read; on any other backend a dilated
 * gradient still fails with tfjs's own message instead of silently ignoring the dilation.
 */
import * as tf from "@tensorflow/tfjs";

type Dilations = [number, number] | number | undefined;

function isDilated(dilations: Dilations): boolean {
  if (dilations === undefined) return false;
  return typeof dilations === "number" ? dilations !== 1 : dilations.some((d) => d !== 1);
}

function assertBackendReadsDilations(kernel: string, dilations: Dilations): void {
  if (isDilated(dilations) && tf.getBackend() !== "wasm") {
    throw new Error(
      `Error in gradient of ${kernel}: dilation rates greater than 1 are not yet supported in gradients ` +
        `on backend '${tf.getBackend()}'. Got dilations '${dilations}'`,
    );
  }
}

function runKernel(name: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

const conv2DGrad: tf.GradConfig = {
  kernelName: tf.Conv2D,
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved;
    const { dilations, strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DAttrs;
    assertBackendReadsDilations("conv2D", dilations);
    const common = { strides, pad, dataFormat, dimRoundingMode, dilations };
    return {
      x: () => runKernel(tf.Conv2DBackpropInput, { dy: dy as tf.Tensor, filter }, { ...common, inputShape: x.shape }),
      filter: () => runKernel(tf.Conv2DBackpropFilter, { x, dy: dy as tf.Tensor }, { ...common, filterShape: filter.shape }),
    };
  },
};

const depthwiseGrad: tf.GradConfig = {
  kernelName: tf.DepthwiseConv2dNative,
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved;
    const { dilations, strides, pad, dimRoundingMode } = attrs as unknown as tf.DepthwiseConv2dNativeAttrs;
    assertBackendReadsDilations("depthwiseConv2dNative", dilations);
    const common = { strides, pad, dimRoundingMode, dilations: dilations ?? 1 };
    return {
      x: () =>
        runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy: dy as tf.Tensor, filter }, { ...common, inputShape: x.shape }),
      filter: () =>
        runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy: dy as tf.Tensor }, { ...common, filterShape: filter.shape }),
    };
  },
};

export function registerDilatedConvGradients(): void {
  tf.registerGradient(conv2DGrad);
  tf.registerGradient(depthwiseGrad);
}
