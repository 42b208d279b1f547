// The Vulkan executor: a ConvPlan's GLSL kernels compiled once (glslang, in
// process), its buffers with guard zones of known values, runs with the
// kernels' device times from timestamp queries.
#pragma once

#include "executor.hpp"
#include "vulkan_device.hpp"

namespace wino {

class VulkanExecutor : public Executor {
public:
    explicit VulkanExecutor(const ExecutorOptions& options);
    const DeviceIdentity& identity() const override { return identity_; }
    const DeviceLimits& limits() const override { return limits_; }
    VulkanDevice& device() { return device_; }

protected:
    std::unique_ptr<LoadedLayer> load_plan(ConvPlan plan) override;

private:
    VulkanDevice device_;
    DeviceIdentity identity_;
    DeviceLimits limits_;
    bool validation_;
};

}  // namespace wino
