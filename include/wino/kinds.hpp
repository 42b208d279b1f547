// What a kernel set is for: the language its kernels are written in (and so
// the API that runs them), the variant, the way a convolution is split into
// kernels, and the precision its intermediates are kept in.
#pragma once

#include <string>
#include <vector>

namespace wino {

// glsl: Vulkan compute shaders; cuda: CUDA kernels.
enum class Backend { glsl, cuda };

// nonfused: filter transform, input transform, batched GEMM, output transform;
// fused: one kernel a tile; direct: the plain correlation, the reference kernel.
enum class Variant { fused, nonfused, direct };

// fp32: everything in 32 bits; fp16_storage: the transformed filters U, the
// transformed input V and the product M are kept in 16-bit buffers (half the
// memory traffic between the kernels), all arithmetic in fp32; fp16: those
// buffers, and the transforms and the product computed in fp16 as well. The
// _io precisions keep the layer's input, filters and output in binary16 too;
// the others keep them in fp32. fp16_mixed: U and V in 16-bit buffers, the
// product of those binary16 operands summed in fp32 into an fp32 M (what
// tensor cores compute), the transforms in fp32. tf32: everything in fp32 but
// the product's operands, rounded to TF32 (a 10-bit significand, as tensor
// cores take fp32 data); split_tf32: each operand split into two TF32 parts
// and three of their products summed (CUTLASS's 3xTF32), near fp32's error.
// int8: the transforms in fp32, U and V quantized to int8 per tap with their
// clips (Int8Clips), the product in int8 with int32 sums, dequantized before
// the output transform (../shared/papers/quantized-winograd-edge-gpu.md).
// int8_io: int8 with the input and output as int8 codes at given scales and
// zero points (TensorQuantization: ONNX QLinearConv's contract), the filters
// in fp32. split_int8: int8's design with 16-bit codes of U and V, each split
// into two int8 codes, and three int8 products of the parts summed in int32
// (Ozaki's splitting): int8 arithmetic at far less than int8's error.
// split_int8_io: split_int8 with int8_io's int8 tensors.
enum class Precision { fp32, fp16_storage, fp16, fp16_storage_io, fp16_io, fp16_mixed, tf32, split_tf32, int8, int8_io, split_int8, split_int8_io };

// Where precision int8 clips the transformed operands before it quantizes
// them, symmetric, 127 levels a side (scale = clip / 127):
// - V, the transformed input, at `taps`: one clip per tap ξ of the α_h×α_w
//   tile (row-major), from a calibration set, given, or the exact bound of the
//   input's range (layer_error.hpp);
// - U, the transformed filters, per filter and tap at its largest |U|, or at
//   `weights` where that is smaller (a trained αtw); 0: no such cap.
// `source` says where the clips came from, as names and headers show it.
struct Int8Clips {
    std::vector<float> taps;
    float weights = 0;
    std::string source;
    bool empty() const { return taps.empty(); }
    friend bool operator==(const Int8Clips&, const Int8Clips&) = default;
};

// Which convolution the kernels compute for a layer, always described by its
// forward shape (N,C,H,W, K filters R×S, padding). forward: y = x ⋆ w;
// backward_data: the input's gradient dx (N,C,H,W) from the output's gradient
// dy (N,K,H',W') and the filters w (K,C,R,S), a forward correlation of dy,
// padded R−1−p per side, with the filters turned by 180° and K and C swapped;
// backward_filter: the filters' gradient dw (K,C,R,S) from the input x and dy,
// by WinRS's 1D Winograd F(S, w) along W over chunks of w columns of dy.
enum class Pass { forward, backward_data, backward_filter };

// The element type of a tensor in device memory (wino::Buffer).
enum class ElementType { fp32, fp16, int8 };

// How precision int8_io's input and output hold real values as int8 codes,
// as ONNX's QuantizeLinear and QLinearConv do: real = (code - zero_point) ·
// scale; a real value is coded as saturate(round(real / scale) + zero_point),
// rounded to nearest even and saturated to [-128, 127]. Scales are finite and
// positive, zero points int8.
struct TensorQuantization {
    float input_scale = 0;
    int input_zero_point = 0;
    float output_scale = 0;
    int output_zero_point = 0;
    friend bool operator==(const TensorQuantization&, const TensorQuantization&) = default;
};

// What the kernels that write the output (output transform, fused, direct)
// apply to each output value while it is in registers, y = activation(y +
// bias[k]): no extra pass over memory.
enum class Activation { none, relu, relu6, leaky_relu, clip };
struct Epilogue {
    bool bias = false;  // K values, Conv2d::set_bias
    Activation activation = Activation::none;
    // leaky_relu: y < 0 ? alpha·y : y; clip: min(max(y, low), high).
    float alpha = 0.01f, low = 0.0f, high = 6.0f;
    friend bool operator==(const Epilogue&, const Epilogue&) = default;
};

}  // namespace wino
