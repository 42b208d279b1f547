// conv2d on a Vulkan device: a ConvPlan's kernels compiled once (glslang), its
// buffers with guard zones, runs with NaN-poisoned outputs, and timing.
#pragma once

#include "conv_plan.hpp"
#include "vulkan_device.hpp"

#include <memory>
#include <string>
#include <vector>

namespace wino {

class VulkanConv2d {
public:
    // Throws DeviceError when the plan exceeds the device's limits.
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
    const ConvPlan& plan() const { return plan_; }

private:
    struct GuardedBuffer;
    GuardedBuffer& buffer(const std::string& name);
    std::vector<VulkanDevice::Dispatch> dispatches(const std::vector<Launch>& launches);

    VulkanDevice& device_;
    ConvPlan plan_;
    std::vector<VulkanDevice::Pipeline> pipelines_;
    std::vector<std::unique_ptr<GuardedBuffer>> buffers_;
    std::vector<std::pair<std::string, double>> breakdown_;
};

}  // namespace wino
