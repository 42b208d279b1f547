// Vulkan executor of a ConvPlan: pipelines, guarded buffers, dispatch, timing.
#include "vulkan_executor.hpp"

#include <wino/errors.hpp>
#include "glsl_compiler.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace wino {
namespace {

constexpr std::size_t guard_floats = 64;
constexpr float guard_value = -12345.5f;

// A device buffer with guard zones of known values before and after the payload.
struct GuardedBuffer {
    std::unique_ptr<VulkanDevice::Buffer> storage;
    std::size_t floats;
    float* payload() { return storage->floats() + guard_floats; }
    VulkanDevice::BufferView view() const { return {storage.get(), guard_floats * sizeof(float), floats * sizeof(float)}; }
    bool guards_intact() const {
        const float* all = storage->floats();
        for (std::size_t i = 0; i < guard_floats; ++i)
            if (all[i] != guard_value || all[guard_floats + floats + i] != guard_value) return false;
        return true;
    }
};

VulkanDevice::Binding binding_of(const BufferUse& use) {
    using Binding = VulkanDevice::Binding;
    return use.writes ? Binding::storage : use.width == 4 ? Binding::texels4 : Binding::texels1;
}

class VulkanLayer : public LoadedLayer {
public:
    VulkanLayer(VulkanDevice& device, bool validation, ConvPlan plan, VulkanExecutor::PipelineCache& cache)
        : LoadedLayer(std::move(plan)), device_(device), validation_(validation) {
        for (const EmittedKernel& k : plan_.kernels) pipelines_.push_back(cache.get(k));
        for (const auto& [id, floats] : plan_.buffer_floats) {
            GuardedBuffer& g = buffers_[id];
            g.floats = floats;
            g.storage = device.make_buffer((floats + 2 * guard_floats) * sizeof(float));
            std::fill(g.storage->floats(), g.storage->floats() + floats + 2 * guard_floats, guard_value);
        }
    }

    void check_guards() const override {
        for (const auto& [id, b] : buffers_)
            if (!b.guards_intact()) throw std::runtime_error(fmt::format("a kernel wrote outside buffer '{}'", to_string(id)));
    }

protected:
    void upload_filters(const std::vector<float>& filters) override {
        std::copy(filters.begin(), filters.end(), buffers_.at(BufferId::filters).payload());
        if (!plan_.filter_launches.empty()) dispatch(plan_.filter_launches);
    }

    KernelTimes run_input(const std::vector<float>& input, float poison, std::vector<float>& output) override {
        std::copy(input.begin(), input.end(), buffers_.at(BufferId::images).payload());
        GuardedBuffer& result = buffers_.at(BufferId::result);
        std::fill(result.payload(), result.payload() + result.floats, poison);
        const std::vector<double> ms = dispatch(plan_.input_launches);
        KernelTimes times;
        for (std::size_t i = 0; i < ms.size(); ++i) times.push_back({plan_.kernels[plan_.input_launches[i].kernel].name, ms[i]});
        output.assign(result.payload(), result.payload() + result.floats);
        return times;
    }

private:
    std::vector<double> dispatch(const std::vector<Launch>& launches) {
        std::vector<VulkanDevice::Dispatch> dispatches;
        for (const Launch& launch : launches) {
            VulkanDevice::Dispatch d{pipelines_[launch.kernel].get(), {}, &plan_.args,
                                     {launch.groups[0], launch.groups[1], launch.groups[2]}};
            for (const BufferUse& use : plan_.kernels[launch.kernel].buffers) d.buffers.push_back(buffers_.at(use.buffer).view());
            dispatches.push_back(std::move(d));
        }
        const std::vector<double> ms = device_.run(dispatches);
        if (validation_ && device_.validation_messages() > 0)
            throw DeviceError(fmt::format("{} validation messages, last: {}", device_.validation_messages(),
                                          device_.last_validation_message()));
        return ms;
    }

    VulkanDevice& device_;
    bool validation_;
    std::vector<std::shared_ptr<const VulkanDevice::Pipeline>> pipelines_;
    std::map<BufferId, GuardedBuffer> buffers_;
};

}  // namespace

std::shared_ptr<const VulkanDevice::Pipeline> VulkanExecutor::PipelineCache::get(const EmittedKernel& kernel) {
    if (const auto hit = pipelines_.find(kernel.source); hit != pipelines_.end()) return hit->second;
    if (pipelines_.size() >= capacity)
        std::erase_if(pipelines_, [](const auto& entry) { return entry.second.use_count() == 1; });
    std::vector<VulkanDevice::Binding> bindings;
    for (const BufferUse& use : kernel.buffers) bindings.push_back(binding_of(use));
    auto pipeline = std::make_shared<const VulkanDevice::Pipeline>(
        device_.make_pipeline(compile_glsl(kernel.source), bindings, sizeof(KernelArgs)));
    return pipelines_[kernel.source] = pipeline;
}

VulkanExecutor::VulkanExecutor(const ExecutorOptions& options)
    : device_({options.device_index, options.validation}), validation_(options.validation), pipelines_(device_) {
    const vk::PhysicalDeviceProperties& p = device_.properties();
    identity_ = {Backend::glsl, p.vendorID, p.deviceID,
                 fmt::format("{}.{}.{}", VK_API_VERSION_MAJOR(p.driverVersion), VK_API_VERSION_MINOR(p.driverVersion),
                             VK_API_VERSION_PATCH(p.driverVersion)),
                 p.deviceName.data(), device_.name()};
    const vk::PhysicalDeviceLimits& l = p.limits;
    limits_ = {std::min(l.maxComputeWorkGroupInvocations, l.maxComputeWorkGroupSize[0]),
               {l.maxComputeWorkGroupCount[0], l.maxComputeWorkGroupCount[1], l.maxComputeWorkGroupCount[2]},
               l.maxComputeSharedMemorySize,
               l.maxStorageBufferRange,
               l.maxTexelBufferElements};
}

std::unique_ptr<LoadedLayer> VulkanExecutor::load_plan(ConvPlan plan) {
    return std::make_unique<VulkanLayer>(device_, validation_, std::move(plan), pipelines_);
}

}  // namespace wino
