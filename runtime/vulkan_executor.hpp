// The Vulkan executor: a ConvPlan's GLSL kernels compiled once (glslang, in
// process) into pipelines that every plan with the same kernel shares, its buffers with guard zones of known values, runs with the
// kernels' device times from timestamp queries.
#pragma once

#include "runtime/executor.hpp"
#include "runtime/vulkan_device.hpp"

#include "generator/once_cache.hpp"

#include <map>
#include <memory>
#include <string>

namespace wino {

// How a kernel binds a buffer: storage where it writes, texels of its
// element type where it reads.
VulkanDevice::Binding binding_of(const BufferUse& use);

class VulkanExecutor : public Executor {
public:
    explicit VulkanExecutor(const ExecutorOptions& options);
    const DeviceIdentity& identity() const override { return identity_; }
    const DeviceLimits& limits() const override { return limits_; }
    std::unique_ptr<DeviceArray> allocate(std::size_t size, ElementType type) override;
    VulkanDevice& device() { return device_; }

    // Pipelines by kernel source: a kernel that many plans share (the tuner's
    // candidates differ in one kernel at a time) is compiled by the driver
    // once, and its first-launch JIT is paid once, on whichever thread asks
    // first (compile_ahead's, or load's). Beyond `capacity` entries, those no
    // loaded layer holds are dropped.
    class PipelineCache {
    public:
        explicit PipelineCache(VulkanDevice& device) : device_(device) {}
        // `spirv`: the kernel compiled ahead of time; empty: compiled here.
        std::shared_ptr<const VulkanDevice::Pipeline> get(const EmittedKernel& kernel, const std::vector<std::uint32_t>& spirv);

    private:
        static constexpr std::size_t capacity = 256;
        VulkanDevice& device_;
        OnceCache<std::string, std::shared_ptr<const VulkanDevice::Pipeline>> pipelines_;
    };
    void compile_ahead(const EmittedKernel& kernel) override;

protected:
    std::unique_ptr<LoadedLayer> load_plan(ConvPlan plan) override;

private:
    VulkanDevice device_;
    DeviceIdentity identity_;
    DeviceLimits limits_;
    bool validation_;
    PipelineCache pipelines_;
};

}  // namespace wino
