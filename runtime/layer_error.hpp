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
#include <optional>
#include <string>
#include <string_view>
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

// Precision int8 on the host (issue 30, the quantized Winograd of
// ../shared/papers/quantized-winograd-edge-gpu.md), as its kernels compute it:
// the transforms through the layer's own recipes (here in fp64), U and V
// quantized to int8 per tap ξ (symmetric, 127 levels a side of the tap's
// clip, to nearest even), the product summed exactly (as int32 sums are,
// short of overflow), dequantized by the two clips' scales, then the output
// transform.

// How V's clips are found on a calibration set (the three ways).
enum class Int8Calibration {
    // The largest |V| the inputs' range allows: the tap's |row| sums of the
    // recipes' input transform times the largest |x|. Safe: no value passes it.
    exact_bound,
    // The given percentile of each tap's |V| on the inputs (the paper
    // initializes its clips so, at 99.9).
    percentile,
    // Per tap, the clip of least squared quantization error of V. The taps'
    // and channels' rounding errors are uncorrelated, so the output's squared
    // error is a fixed positive mix of the taps' (weights set by U and the
    // output transform): each tap at its own least minimizes the output's.
    mse,
};
const char* to_string(Int8Calibration calibration);  // "exact-bound", "percentile", "mse"
// How a quantized precision's clips are calibrated unless asked otherwise:
// int8's at the 99.9th percentile (as the paper initializes them); split-int8's
// at the exact bound: at 32,639 levels a side a clipped value errs far more
// than every rounding, and percentile and least-squares clips, fitted to the
// calibration inputs, clip other inputs' values (docs/int8.md).
Int8Calibration default_calibration(Precision precision);
// Throws InputError naming the three; `what` names the text ("--calibration").
Int8Calibration parse_int8_calibration(const std::string& name, std::string_view what);

// V's clips at the exact bound for inputs of |x| <= largest (what
// Int8Calibration::exact_bound takes from its inputs).
Int8Clips exact_bound_clips(const ConvShape& shape, const ConvAlgorithm& recipes, double largest);
// V's clips for the layer from `inputs` (each a whole input tensor of the
// shape), and where they came from ("percentile 99.9 of 2 inputs").
// Deterministic: the same inputs give the same clips.
// Least squares takes the precision's codes (127 or 32,639 levels a side).
Int8Clips calibrate_int8(const ConvShape& shape, const ConvAlgorithm& recipes, Precision precision,
                         const std::vector<std::vector<float>>& inputs, Int8Calibration calibration, double percentile = 99.9);
// U's clips per filter k and tap ([k·α_h·α_w + ξ]): the filter's largest |U|
// at the tap, capped at clips.weights where that is set.
std::vector<double> int8_u_clips(const ConvShape& shape, const ConvAlgorithm& recipes, const std::vector<float>& filters,
                                 const Int8Clips& clips);
// The scales buffer the int8 kernels read (layer.hpp's int8_scale_index),
// for these filters and clips. Throws InputError for clips that are not one
// positive finite value a tap.
std::vector<float> int8_scales(const ConvShape& shape, const ConvAlgorithm& recipes, Precision precision,
                               const std::vector<float>& filters, const Int8Clips& clips, const TensorQuantization& quantization = {});
// Its tensors region, int8-io's coding of the input and output.
void write_tensor_scales(std::vector<float>& scales, const ConvShape& shape, const ConvAlgorithm& recipes,
                         const TensorQuantization& quantization);
// Throws InputError for a scale that is not finite and positive or a zero
// point outside [-128, 127].
void check_quantization(const TensorQuantization& quantization);
// int8-io's tensors as the kernels read and write them: real values from
// codes, (code - zero_point) · scale in fp32; codes from real values,
// int8_code(value · (1 / scale)) + zero_point, saturated.
std::vector<float> dequantized(const std::vector<float>& codes, float scale, int zero_point);
std::vector<float> quantized(const std::vector<double>& values, float scale, int zero_point);
// The forward layer's fp64 reference output with the epilogue applied.
std::vector<double> reference_output(const ConvShape& shape, const Epilogue& epilogue, const std::vector<float>& input,
                                     const std::vector<float>& filters, const std::vector<float>& bias);
// The coding a tensor's own values suggest where none is given: scale
// max |value| / 127 (1 for an all-zero tensor), zero point 0.
float data_scale(const std::vector<double>& values);
// int8-io's coding of a layer where no scales are given (run, the tuner's
// gate, selftest): the input at its own data_scale, the output at its fp64
// reference's (with the epilogue), zero points 0.
TensorQuantization data_quantization(const ConvShape& shape, const Epilogue& epilogue, const std::vector<float>& input,
                                     const std::vector<float>& filters, const std::vector<float>& bias);
// Which of int8's two quantizations the host model applies: both, as the
// kernels do, or one alone (the other operand exact) for its share of the error.
struct Int8Quantized {
    bool u = true, v = true;
};
// The layer's output as the kernels of a quantized precision compute it with
// these clips; where `largest_sum` is given, it receives the largest |Σ_c
// code_U·code_V| of the product (at split-int8, of the codes' parts, a plane
// of M): what the int32 sums must hold.
std::vector<double> int8_winograd_on_host(const ConvShape& shape, const ConvAlgorithm& recipes, Precision precision,
                                          const std::vector<float>& input,
                                          const std::vector<float>& filters, const Int8Clips& clips,
                                          Int8Quantized quantized = {}, double* largest_sum = nullptr);

// accuracy --layer at int8: the error against fp64 of the whole int8 layer,
// of V's and of U's quantization alone, and of the int8 direct convolution
// (per-tensor scales) on the same tensors; and the product's int32 use:
// its largest |sum| on these tensors, and the largest any tensors can give
// (largest_plane_product a lane of each word of channels, kernel_kinds.hpp).
// At int8-io (`coding` given) the whole layer runs on the input's codes and
// codes its output, as does the int8 direct baseline, and `tensors` is that
// coding's error alone (the exact convolution of the coded input, its output
// coded).
struct Int8ErrorModel {
    LayerErrors all, v_quantized, u_quantized, direct;
    std::optional<LayerErrors> tensors;
    double largest_sum = 0, sum_bound = 0;
};
Int8ErrorModel model_int8_error(const ConvShape& shape, const ConvAlgorithm& recipes, Precision precision, const std::vector<float>& input,
                                const std::vector<float>& filters, const Int8Clips& clips,
                                const TensorQuantization* coding = nullptr);
// What `run --check` and selftest hold an int8 layer to (check_bound has no
// tensors to judge quantization by): the relative L2 error against fp64 of
// the int8 host model with the config's clips on these tensors (at int8-io
// the real values its input codes stand for, and its output coded by
// `coding` and decoded), the epilogue
// applied to both, 5% over it plus 1e-5: fp32's transforms may put a value
// on the other side of a rounding step than fp64's, a step's change.
double int8_check_bound(const ConvShape& shape, const ConvConfig& config, const std::vector<float>& input,
                        const std::vector<float>& filters, const std::vector<float>& bias,
                        const TensorQuantization* coding = nullptr);
// The same for a config, through its own recipes.
Int8Clips calibrate_int8(const ConvShape& shape, const ConvConfig& config, const std::vector<std::vector<float>>& inputs,
                         Int8Calibration calibration, double percentile = 99.9);
Int8Clips exact_bound_clips(const ConvShape& shape, const ConvConfig& config, double largest);

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
