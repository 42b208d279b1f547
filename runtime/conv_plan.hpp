// What a convolution runs, independent of the backend: the layer shape, the
// kernels of the variant (emitted from recipes), the buffers and their sizes,
// and each launch's workgroup counts and parameters. The Vulkan and CUDA
// executors both consume a plan. NCHW float32 input and output, KCRS filters,
// stride 1, zero padding.
#pragma once

#include "emitter.hpp"

#include <array>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace wino {

struct ConvShape {
    int N = 1, C = 1, H = 1, W = 1, K = 1, R = 3, pad = 0;
    int out_h() const { return H + 2 * pad - R + 1; }
    int out_w() const { return W + 2 * pad - R + 1; }
    std::size_t input_size() const;
    std::size_t filter_size() const;
    std::size_t output_size() const;
    double flops() const;  // 2·N·K·C·R·R·H'·W'
};

struct ConvConfig {
    Variant variant = Variant::fused;
    int m = 4;
    KernelParams params;
};

// Whether the output transform can store rows 4 values at a time.
bool vector_rows_fit(const ConvShape& shape, int m);

// Throws InputError for non-positive sizes, empty outputs, parameters the
// shape does not allow, and shapes whose buffers would need indices past 2^31 − 1.
void validate_shape(const ConvShape& shape, const ConvConfig& config);

// Direct correlation in double on the host: the reference.
std::vector<double> reference_conv2d(const ConvShape& shape, const std::vector<float>& input,
                                     const std::vector<float>& filters);

struct Launch {
    std::size_t kernel;                  // index into ConvPlan::kernels
    std::array<std::uint32_t, 3> groups;  // workgroups (Vulkan) / blocks (CUDA)
};

struct ConvPlan {
    ConvShape shape;
    ConvConfig config;
    int alpha = 0, tiles_h = 0, tiles_w = 0;
    int k_padded = 0, tiles_padded = 0;     // K and P rounded up to 4: U's and V's row lengths
    std::vector<EmittedKernel> kernels;
    std::map<std::string, std::size_t> buffer_floats;  // every buffer a kernel names
    std::vector<Launch> filter_launches, input_launches;  // once per weight; per input
    std::vector<std::int32_t> params;                   // kernel_parameter_names() order
    std::size_t shared_bytes = 0;                        // per workgroup, the fused kernel
};

ConvPlan make_plan(const ConvShape& shape, const ConvConfig& config, Backend backend);

// Kernel parameters to start from before tuning: the default GEMM workgroup
// covers 64 tile positions, which idles most threads when a layer has few
// tiles (13×13, 6×6 images), so such layers spread the workgroup along K.
KernelParams suggested_params(const ConvShape& shape, int m, Backend backend);

// The median of `repeats` timings of run_once() after `warmup` untimed calls.
double median_of_runs(const std::function<double()>& run_once, int warmup, int repeats);

}  // namespace wino
