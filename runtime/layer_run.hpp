// One convolution layer run on an executor, checked against the fp64 host
// reference and timed: what `wino-gen run` reports and what the tuner measures.
#pragma once

#include "runtime/executor.hpp"

#include <optional>
#include <vector>

namespace wino {

// Relative L2 error ‖y − ref‖ / ‖ref‖, the largest absolute error, and that
// over the largest |ref| (the metric ncnn's comparisons quote); a non-finite
// output value counts as an infinite error. `bound` is what the configuration
// is held to (check_bound); NaN never passes it.
struct LayerErrors {
    double relative, max_abs, max_relative, bound = 0;
    bool passed() const { return relative <= bound; }
};

// n values uniform in [-1, 1), the same for the same seed: the inputs and
// filters of `run` without .npy files, of the tuner and of the tests.
std::vector<float> random_tensor(std::size_t n, std::uint64_t seed);

LayerErrors compare_with_reference(const std::vector<float>& output, const std::vector<double>& reference);
LayerErrors compare_with_reference(const std::vector<double>& output, const std::vector<double>& reference);

// The relative error a correct Winograd F(m,r) layer stays under: a hundred
// times the accuracy evaluator's median tile error for the default points
// (1000 tiles, in the order the kernels compute) plus 1e-6. The tests and the
// tuner's correctness gate both use it.
double layer_error_bound(int m, int r, const std::string& points = "");
// What `run --check` holds a configuration to: layer_error_bound for a
// Winograd variant (of its worse axis); for the direct kernel, whose fp32 sums of n = C·R·S
// products err like a random walk, 10·√n·2⁻²⁴ (8e-7 measured at n = 2304,
// under a tenth of its bound).
double check_bound(const ConvConfig& config, const ConvShape& shape);
// The bound on these tensors (the epilogue's bias with them): check_bound,
// or at precision int8 its host model's (int8_check_bound), which the
// quantization of these very tensors decides.
double check_bound(const ConvConfig& config, const ConvShape& shape, const std::vector<float>& input,
                   const std::vector<float>& filters, const std::vector<float>& bias);

// The accuracy budget a tuned choice keeps unless told otherwise (tune and
// run --max-error): the relative L2 error of its output on the tuner's gate,
// at most fp32_error_budget times the precision's bound factor. 1e-5 is
// fp32-class: 10x cuDNN's fp32 error on the H200 (about 1e-6), 25x below
// TF32's (2.4e-4); on 1x64x28x28 -> 32 the direct kernel errs 4.2e-7, F(4,3)
// 5.6e-7, F(6,3) 2.3e-6 and F(4,5) 2.2e-6 (within), F(7,3) 1.2e-5 and F(8,3)
// 2.2e-5 (past it).
inline constexpr double fp32_error_budget = 1e-5;
double default_error_budget(Precision precision);

struct LayerJob {
    ConvShape shape;
    ConvConfig config;
    std::vector<float> input, filters;
    std::vector<float> bias;       // K values, where config.epilogue adds a bias
    // Precision int8-io's coding: the input and output hold its codes, the
    // check compares the real values they stand for.
    TensorQuantization quantization;
    bool check = false;            // errors against reference_conv2d
    bool bench = false;            // median of `repeats` runs after `warmup`
    bool baseline_direct = false;  // with bench: the direct kernel timed the same way
    int warmup = 2, repeats = 5;
};

struct LayerReport {
    // A second run's time: some drivers (lavapipe) compile kernels on their
    // first launch. With bench, the median.
    double time_ms = 0;
    KernelTimes kernels;  // with bench, those of the median run
    std::optional<double> baseline_ms;
    std::optional<LayerErrors> errors;
    std::vector<float> output;
};

// Through the public API (Conv2d), as a user of the library runs a layer.
LayerReport run_layer(Device& device, const LayerJob& job);

}  // namespace wino
