// The error a Winograd layer shows on the device, computed on the host in the
// kernels' order of operations: the same recipes (FMA where they fuse), the
// 2D transforms as columns then rows, tiles cut as the kernels cut them, and
// the product accumulated over C in ascending order with FMA, in blocks of
// product_sum_block channels, as the GEMM and fused kernels do. Each stage can
// run in fp16 or fp32 (as on the device) or in fp64; a stage's share of the
// error is measured by running it alone in the device's arithmetic.
#pragma once

#include "templates/layer.hpp"
#include "runtime/layer_run.hpp"
#include "recipes/optimizer.hpp"
#include "templates/precision.hpp"

#include <array>
#include <vector>

namespace wino {

enum class LayerStage { filter_transform, input_transform, product, output_transform };
inline constexpr std::array<LayerStage, 4> layer_stages = {LayerStage::filter_transform, LayerStage::input_transform,
                                                           LayerStage::product, LayerStage::output_transform};
const char* to_string(LayerStage stage);

// What a stage computes in: fp64 (as good as exact here), or as the kernels do.
enum class Arithmetic { fp64, fp32, fp16 };
// The kernels' arithmetic at a precision.
Arithmetic arithmetic_of(Precision precision);

// The layer's output through `recipes` (F(m_h×m_w, R×S) for the shape's R×S), each
// stage in its `arithmetic` (in layer_stages' order; {} is all fp64), U, V, M
// (and the input, filters and output: rounded.tensors) rounded to fp16 (to
// nearest even, as the kernels convert) where `rounded` says so, and the
// product's operands rounded as rounded.operands says.
std::vector<double> winograd_on_host(const ConvShape& shape, const ConvAlgorithm& recipes, const std::vector<float>& input,
                                     const std::vector<float>& filters, const std::array<Arithmetic, 4>& arithmetic,
                                     const Roundings& rounded = {});

// Errors as compare_with_reference gives them (the bound is left at 0).
struct LayerErrorModel {
    LayerErrors all;                    // every stage in the device's arithmetic, the 16-bit buffers rounded: the device's error
    std::array<LayerErrors, 4> stages;  // that stage alone so, the others in fp64, no buffer rounded to fp16
    // Each 16-bit buffer alone rounded to fp16, all arithmetic in fp64: "u", "v", "product", and "tensors"
    // (the input, filters and output together); and "operands", the product's
    // operands alone rounded (tf32, split-tf32).
    std::vector<std::pair<std::string, LayerErrors>> storage;
};

LayerErrorModel model_layer_error(const ConvShape& shape, const ConvAlgorithm& recipes, const std::vector<float>& input,
                                  const std::vector<float>& filters, const Roundings& rounded = {},
                                  Arithmetic arithmetic = Arithmetic::fp32);

// int8 Winograd on the host (issue 30, the quantized Winograd of
// ../shared/papers/quantized-winograd-edge-gpu.md): the transforms in fp64,
// U and V quantized to int8 per tap ξ (symmetric, 127 levels a side of the
// tap's clip), the product summed exactly (as int32 sums are, short of
// overflow), dequantized by the two taps' scales, the output transform in
// fp64. U's clip is each filter's largest |U| at the tap (the filters are
// known when they are quantized); V's is where Int8Clip says.
enum class Int8Clip {
    // The largest |V| the input's range allows: the tap's row sums of the
    // recipes' input transform times max |x|. Safe, coarse.
    exact_bound,
    // The given percentile of each tap's |V| on the input itself (calibration
    // on the tensors run; the paper initializes its clips so, at 99.9).
    percentile,
};
struct Int8Winograd {
    std::vector<double> output;
    std::vector<double> u_clip;  // per filter k and tap: [k·α_h·α_w + ξ]
    std::vector<double> v_clip;  // per tap, α_h·α_w
};
Int8Winograd int8_winograd_on_host(const ConvShape& shape, const ConvAlgorithm& recipes, const std::vector<float>& input,
                                   const std::vector<float>& filters, Int8Clip clip, double percentile = 99.9);
// The baseline int8 users compare with: the direct convolution of x and w
// quantized to int8 with one scale each (max |x| / 127, max |w| / 127),
// summed exactly and dequantized.
std::vector<double> int8_direct_on_host(const ConvShape& shape, const std::vector<float>& input, const std::vector<float>& filters);

// The point search's "layer" objective: the modelled relative L2 error of one
// small layer with `channels` input channels, 1×C×4m×4m → 8 filters, padded
// r/2, on seeded uniform tensors, through the algorithm's optimized recipes,
// as the nonfused kernels compute it at `precision`. Safe on worker threads;
// touches no database.
double modelled_layer_error(const ToomCook1D& algorithm, int channels, Precision precision = Precision::fp32);

// The tuner's prediction of a configuration's error on a layer before it is
// compiled: the modelled relative L2 error of its recipes (the points it
// names), at its precision and with its variant's 16-bit buffers, on seeded
// tensors of a small layer with the layer's channels, filter and padding, 1
// image, 8 filters and at most 4 tiles a side (a layer's error grows with
// its sum over C, not with its extent). A Winograd configuration's only.
double modelled_config_error(const ConvShape& layer, const ConvConfig& config);

}  // namespace wino
