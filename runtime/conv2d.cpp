// Vulkan executor of a ConvPlan: pipelines, guarded buffers, dispatch, timing.
#include "conv2d.hpp"

#include "errors.hpp"
#include "glsl_compiler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>

namespace wino {
namespace {

constexpr std::size_t guard_floats = 64;
constexpr float guard_value = -12345.5f;

}  // namespace

// A device buffer with guard zones of known values before and after the payload.
struct VulkanConv2d::GuardedBuffer {
    std::string name;
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

VulkanConv2d::VulkanConv2d(VulkanDevice& device, const ConvShape& shape, const ConvConfig& config)
    : device_(device), plan_(make_plan(shape, config, Backend::glsl)) {
    const auto& limits = device.limits();
    if (plan_.shared_bytes > limits.maxComputeSharedMemorySize)
        throw DeviceError(fmt::format("the fused kernel needs {} bytes of shared memory, the device has {}",
                                      plan_.shared_bytes, limits.maxComputeSharedMemorySize));
    for (const EmittedKernel& k : plan_.kernels) {
        if (static_cast<std::uint32_t>(k.workgroup_size) > limits.maxComputeWorkGroupInvocations ||
            static_cast<std::uint32_t>(k.workgroup_size) > limits.maxComputeWorkGroupSize[0])
            throw DeviceError(fmt::format("workgroup size {} exceeds the device limit {}", k.workgroup_size,
                                          limits.maxComputeWorkGroupInvocations));
        std::vector<VulkanDevice::Binding> bindings;
        for (const BufferSpec& b : k.buffers)
            bindings.push_back(b.writes ? VulkanDevice::Binding::storage
                                        : b.width == 4 ? VulkanDevice::Binding::texels4 : VulkanDevice::Binding::texels1);
        pipelines_.push_back(device.make_pipeline(compile_glsl(k.source), bindings, plan_.params.size()));
    }
    for (const auto& [name, floats] : plan_.buffer_floats) {
        auto g = std::make_unique<GuardedBuffer>();
        g->name = name;
        g->floats = floats;
        g->storage = device.make_buffer((floats + 2 * guard_floats) * sizeof(float));
        std::fill(g->storage->floats(), g->storage->floats() + floats + 2 * guard_floats, guard_value);
        buffers_.push_back(std::move(g));
    }
}

VulkanConv2d::~VulkanConv2d() = default;

VulkanConv2d::GuardedBuffer& VulkanConv2d::buffer(const std::string& name) {
    for (auto& b : buffers_)
        if (b->name == name) return *b;
    throw std::logic_error(fmt::format("no buffer '{}'", name));
}

std::vector<VulkanDevice::Dispatch> VulkanConv2d::dispatches(const std::vector<Launch>& launches) {
    std::vector<VulkanDevice::Dispatch> out;
    for (const Launch& launch : launches) {
        const EmittedKernel& k = plan_.kernels[launch.kernel];
        VulkanDevice::Dispatch d{&pipelines_[launch.kernel], {}, plan_.params, {launch.groups[0], launch.groups[1], launch.groups[2]}};
        for (const BufferSpec& b : k.buffers) d.buffers.push_back(buffer(b.name).view());
        for (int axis = 0; axis < 3; ++axis)
            if (d.groups[axis] > device_.limits().maxComputeWorkGroupCount[axis])
                throw DeviceError(fmt::format("{} needs {} workgroups along axis {}, the device allows {}", k.name,
                                              d.groups[axis], axis, device_.limits().maxComputeWorkGroupCount[axis]));
        out.push_back(std::move(d));
    }
    return out;
}

void VulkanConv2d::set_filters(const std::vector<float>& filters) {
    if (filters.size() != plan_.shape.filter_size())
        throw InputError(fmt::format("filters hold {} values, the shape needs {}", filters.size(), plan_.shape.filter_size()));
    std::copy(filters.begin(), filters.end(), buffer("filters").payload());
    if (!plan_.filter_launches.empty()) device_.run(dispatches(plan_.filter_launches));
}

double VulkanConv2d::run(const std::vector<float>& input, std::vector<float>& output) {
    if (input.size() != plan_.shape.input_size())
        throw InputError(fmt::format("the input holds {} values, the shape needs {}", input.size(), plan_.shape.input_size()));
    std::copy(input.begin(), input.end(), buffer("images").payload());
    GuardedBuffer& result = buffer("result");
    std::fill(result.payload(), result.payload() + result.floats, std::numeric_limits<float>::quiet_NaN());
    const std::vector<double> ms = device_.run(dispatches(plan_.input_launches));
    breakdown_.clear();
    for (std::size_t i = 0; i < ms.size(); ++i) breakdown_.push_back({plan_.kernels[plan_.input_launches[i].kernel].name, ms[i]});
    output.assign(result.payload(), result.payload() + result.floats);
    return std::accumulate(ms.begin(), ms.end(), 0.0);
}

double VulkanConv2d::time_median(const std::vector<float>& input, int warmup, int repeats) {
    std::vector<float> output;
    return median_of_runs([&] { return run(input, output); }, warmup, repeats);
}

void VulkanConv2d::check_guards() const {
    for (const auto& b : buffers_)
        if (!b->guards_intact()) throw std::runtime_error(fmt::format("a kernel wrote outside buffer '{}'", b->name));
}

}  // namespace wino
