// conv2d on a device: the shape checks, the kernels of a variant (emitted from
// recipes, compiled once), device buffers with guard zones, runs and timing.
// NCHW float32 input and output, KCRS filters, stride 1, zero padding.
#pragma once

#include "emitter.hpp"
#include "vulkan_device.hpp"

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

// Throws InputError for non-positive sizes, empty outputs, and shapes whose
// buffers would need indices past 2^31 − 1.
void validate_shape(const ConvShape& shape, const ConvConfig& config);

// Direct correlation in double on the host: the reference.
std::vector<double> reference_conv2d(const ConvShape& shape, const std::vector<float>& input,
                                     const std::vector<float>& filters);

class VulkanConv2d {
public:
    VulkanConv2d(VulkanDevice& device, const ConvShape& shape, const ConvConfig& config);
    ~VulkanConv2d();

    // Uploads and transforms the filters (once per weight tensor).
    void set_filters(const std::vector<float>& filters);
    // One convolution; the output is poisoned (NaN) first. Returns the device
    // time in ms of the per-input kernels (filters are already transformed).
    double run(const std::vector<float>& input, std::vector<float>& output);
    // Median device time over `repeats` runs after `warmup` runs.
    double time_median(const std::vector<float>& input, int warmup, int repeats);

    // Per-kernel device times (ms) of the last run, in launch order, with names.
    const std::vector<std::pair<std::string, double>>& last_breakdown() const { return breakdown_; }

    // Throws std::runtime_error when a kernel wrote outside a buffer.
    void check_guards() const;
    const std::vector<EmittedKernel>& kernels() const { return kernels_; }

private:
    struct GuardedBuffer;
    GuardedBuffer& buffer(const std::string& name);
    std::vector<std::int32_t> params() const;
    std::vector<VulkanDevice::Dispatch> dispatches(bool filters) ;

    VulkanDevice& device_;
    ConvShape shape_;
    ConvConfig config_;
    int tiles_h_ = 0, tiles_w_ = 0, alpha_ = 0;
    std::vector<EmittedKernel> kernels_;
    std::vector<VulkanDevice::Pipeline> pipelines_;
    std::vector<std::unique_ptr<GuardedBuffer>> buffers_;
    std::vector<std::pair<std::string, double>> breakdown_;
};

}  // namespace wino
