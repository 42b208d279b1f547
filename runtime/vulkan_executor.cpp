// Vulkan executor of a ConvPlan: pipelines, guarded buffers, dispatch, timing.
#include "runtime/vulkan_executor.hpp"

#include <wino/errors.hpp>
#include "runtime/glsl_compiler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

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

// Whole 32-bit words: a layer binds its tensors in words.
class VulkanArray : public DeviceArray {
public:
    VulkanArray(VulkanDevice& device, std::size_t size, ElementType type)
        : DeviceArray(size, type), device_(&device),
          storage_(device.make_buffer(std::max<std::size_t>((bytes() + 3) / 4, 1) * sizeof(float))) {}
    void write(const std::byte* data) override { std::memcpy(storage_->floats(), data, bytes()); }
    void read(std::byte* data) const override { std::memcpy(data, storage_->floats(), bytes()); }
    const VulkanDevice* device() const { return device_; }
    VulkanDevice::BufferView view(std::size_t floats) const { return {storage_.get(), 0, floats * sizeof(float)}; }

private:
    const VulkanDevice* device_;
    std::unique_ptr<VulkanDevice::Buffer> storage_;
};

class VulkanLayer : public LoadedLayer {
public:
    VulkanLayer(VulkanDevice& device, bool validation, ConvPlan plan, VulkanExecutor::PipelineCache& cache)
        : LoadedLayer(std::move(plan)), device_(device), validation_(validation) {
        for (std::size_t i = 0; i < plan_.kernels.size(); ++i)
            pipelines_.push_back(cache.get(plan_.kernels[i], i < plan_.spirv.size() ? plan_.spirv[i] : std::vector<std::uint32_t>{}));
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
    void upload_filters(const std::vector<std::byte>& filters) override {
        std::memcpy(buffers_.at(BufferId::filters).payload(), filters.data(), filters.size());
        if (!plan_.filter_launches.empty()) dispatch(plan_.filter_launches);
    }

    void upload(BufferId buffer, const std::vector<std::byte>& values) override {
        std::memcpy(buffers_.at(buffer).payload(), values.data(), values.size());
    }

    KernelTimes run_input(const std::vector<std::byte>& input, std::uint32_t poison, std::vector<std::byte>& output) override {
        std::memcpy(buffers_.at(BufferId::images).payload(), input.data(), input.size());
        GuardedBuffer& result = buffers_.at(BufferId::result);
        std::fill_n(reinterpret_cast<std::uint32_t*>(result.payload()), result.floats, poison);
        const KernelTimes times = input_times(dispatch(plan_.input_launches));
        output.resize(result.floats * sizeof(float));
        std::memcpy(output.data(), result.payload(), output.size());
        return times;
    }

    KernelTimes run_arrays(const DeviceArray& input, DeviceArray& output) override {
        const std::map<BufferId, VulkanDevice::BufferView> callers = {
            {BufferId::images, own(input).view(buffers_.at(BufferId::images).floats)},
            {BufferId::result, own(output).view(buffers_.at(BufferId::result).floats)}};
        return input_times(dispatch(plan_.input_launches, callers));
    }

private:
    const VulkanArray& own(const DeviceArray& array) const {
        const auto* mine = dynamic_cast<const VulkanArray*>(&array);
        if (!mine || mine->device() != &device_) throw InputError("the buffer belongs to another device");
        return *mine;
    }

    KernelTimes input_times(const std::vector<double>& ms) const {
        KernelTimes times;
        for (std::size_t i = 0; i < ms.size(); ++i) times.push_back({plan_.kernels[plan_.input_launches[i].kernel].name, ms[i]});
        return times;
    }

    // `callers`: the buffers bound in place of the layer's own.
    std::vector<double> dispatch(const std::vector<Launch>& launches,
                                 const std::map<BufferId, VulkanDevice::BufferView>& callers = {}) {
        std::vector<VulkanDevice::Dispatch> dispatches;
        for (const Launch& launch : launches) {
            VulkanDevice::Dispatch d{pipelines_[launch.kernel].get(), {}, &plan_.args,
                                     {launch.groups[0], launch.groups[1], launch.groups[2]}};
            for (const BufferUse& use : plan_.kernels[launch.kernel].buffers) {
                const auto caller = callers.find(use.buffer);
                d.buffers.push_back(caller != callers.end() ? caller->second : buffers_.at(use.buffer).view());
            }
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

VulkanDevice::Binding binding_of(const BufferUse& use) {
    using Binding = VulkanDevice::Binding;
    if (use.writes) return Binding::storage;
    if (use.half) return use.width == 4 ? Binding::half_texels4 : Binding::half_texels1;
    if (use.integer) return use.width == 4 ? Binding::int_texels4 : Binding::int_texels1;
    if (use.int8) return Binding::int8_texels1;
    return use.width == 4 ? Binding::texels4 : Binding::texels1;
}

std::shared_ptr<const VulkanDevice::Pipeline> VulkanExecutor::PipelineCache::get(const EmittedKernel& kernel,
                                                                                 const std::vector<std::uint32_t>& spirv) {
    if (pipelines_.size() >= capacity)
        pipelines_.drop_if([](const std::shared_ptr<const VulkanDevice::Pipeline>& p) { return p.use_count() == 1; });
    return pipelines_.get(kernel.source, [&] {
        std::vector<VulkanDevice::Binding> bindings;
        for (const BufferUse& use : kernel.buffers) bindings.push_back(binding_of(use));
        return std::make_shared<const VulkanDevice::Pipeline>(
            device_.make_pipeline(spirv.empty() ? compile_glsl(kernel.source) : spirv, bindings, sizeof(KernelArgs), kernel.subgroups));
    });
}

// Creating pipelines on other threads is Vulkan's to allow (vkCreate* need no
// external synchronization but of a pipeline cache, which is not used).
void VulkanExecutor::compile_ahead(const EmittedKernel& kernel) {
    try {
        pipelines_.get(kernel, {});
    } catch (const std::exception&) {  // kept, and thrown where the kernel is loaded
    }
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
               l.maxTexelBufferElements,
               0,
               false,
               device_.half_storage(),
               device_.half_arithmetic()};
    limits_.integer_dot_product = device_.integer_dot_product();
    limits_.int8_storage = device_.int8_storage();
    limits_.subgroup_size = device_.subgroup_size();
    // GLSL's tensor cores: cooperative matrices of the tile's shape, in the
    // full subgroups of 32 that the GEMM's warps are.
    std::array<std::uint32_t, 3> tile;
    std::copy(tensor_core_tile.begin(), tensor_core_tile.end(), tile.begin());
    const auto& shapes = device_.cooperative_matrix_shapes();
    limits_.tensor_cores = limits_.subgroup_size == static_cast<std::uint32_t>(tensor_core_lanes) && std::find(shapes.begin(), shapes.end(), tile) != shapes.end();
    limits_.device_class = p.deviceType == vk::PhysicalDeviceType::eCpu ? DeviceClass::cpu : DeviceClass::gpu;
}

std::unique_ptr<DeviceArray> VulkanExecutor::allocate(std::size_t size, ElementType type) {
    return std::make_unique<VulkanArray>(device_, size, type);
}

std::unique_ptr<LoadedLayer> VulkanExecutor::load_plan(ConvPlan plan) {
    return std::make_unique<VulkanLayer>(device_, validation_, std::move(plan), pipelines_);
}

std::unique_ptr<Executor> open_vulkan_executor(const ExecutorOptions& options) {
    return std::make_unique<VulkanExecutor>(options);
}

}  // namespace wino
