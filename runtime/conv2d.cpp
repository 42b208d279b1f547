// conv2d: shape checks, kernel set-up, guarded buffers, dispatch and timing.
#include "conv2d.hpp"

#include "errors.hpp"
#include "glsl_compiler.hpp"
#include "recipe_db.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>

namespace wino {

std::size_t ConvShape::input_size() const { return std::size_t(N) * C * H * W; }
std::size_t ConvShape::filter_size() const { return std::size_t(K) * C * R * R; }
std::size_t ConvShape::output_size() const { return std::size_t(N) * K * out_h() * out_w(); }
double ConvShape::flops() const { return 2.0 * N * K * C * R * R * out_h() * out_w(); }

namespace {

int ceil_div(long long a, long long b) { return static_cast<int>((a + b - 1) / b); }

constexpr std::size_t guard_floats = 64;
constexpr float guard_value = -12345.5f;

}  // namespace

void validate_shape(const ConvShape& s, const ConvConfig& c) {
    for (auto [name, value] : {std::pair{"N", s.N}, {"C", s.C}, {"H", s.H}, {"W", s.W}, {"K", s.K}, {"R", s.R}})
        if (value < 1) throw InputError(fmt::format("{} must be at least 1, got {}", name, value));
    if (s.pad < 0) throw InputError(fmt::format("--pad must be at least 0, got {}", s.pad));
    if (s.out_h() < 1 || s.out_w() < 1)
        throw InputError(fmt::format("a {}x{} filter with pad {} leaves no output of a {}x{} input", s.R, s.R, s.pad, s.H, s.W));
    if (c.variant != Variant::direct) validate_tile(c.m, s.R);
    const long long alpha = c.variant == Variant::direct ? 1 : c.m + s.R - 1;
    const long long tiles = c.variant == Variant::direct ? 1
                                                         : 1LL * s.N * ((s.out_h() + c.m - 1) / c.m) * ((s.out_w() + c.m - 1) / c.m);
    const long long largest = std::max({1LL * s.N * s.C * s.H * s.W, 1LL * s.K * s.C * s.R * s.R,
                                        1LL * s.N * s.K * s.out_h() * s.out_w(), alpha * alpha * s.K * s.C,
                                        alpha * alpha * s.C * tiles, alpha * alpha * s.K * tiles});
    if (largest > std::numeric_limits<std::int32_t>::max())
        throw InputError(fmt::format("this shape needs buffers of {} elements, past the kernels' 32-bit indices", largest));
}

std::vector<double> reference_conv2d(const ConvShape& s, const std::vector<float>& x, const std::vector<float>& w) {
    std::vector<double> y(s.output_size(), 0.0);
    const int oh = s.out_h(), ow = s.out_w();
    for (int n = 0; n < s.N; ++n)
        for (int k = 0; k < s.K; ++k)
            for (int c = 0; c < s.C; ++c)
                for (int i = 0; i < s.R; ++i)
                    for (int j = 0; j < s.R; ++j) {
                        const double g = w[((std::size_t(k) * s.C + c) * s.R + i) * s.R + j];
                        for (int row = 0; row < oh; ++row) {
                            const int in_row = row - s.pad + i;
                            if (in_row < 0 || in_row >= s.H) continue;
                            for (int col = 0; col < ow; ++col) {
                                const int in_col = col - s.pad + j;
                                if (in_col < 0 || in_col >= s.W) continue;
                                y[((std::size_t(n) * s.K + k) * oh + row) * ow + col] +=
                                    g * x[((std::size_t(n) * s.C + c) * s.H + in_row) * s.W + in_col];
                            }
                        }
                    }
    return y;
}

// A device buffer with guard zones of known values before and after the payload.
struct VulkanConv2d::GuardedBuffer {
    std::string name;
    std::unique_ptr<VulkanDevice::Buffer> storage;
    std::size_t floats;
    float* payload() { return storage->floats() + guard_floats; }
    VulkanDevice::BufferView view() const {
        return {storage.get(), guard_floats * sizeof(float), floats * sizeof(float)};
    }
    bool guards_intact() const {
        const float* all = storage->floats();
        for (std::size_t i = 0; i < guard_floats; ++i)
            if (all[i] != guard_value || all[guard_floats + floats + i] != guard_value) return false;
        return true;
    }
};

VulkanConv2d::VulkanConv2d(VulkanDevice& device, const ConvShape& shape, const ConvConfig& config)
    : device_(device), shape_(shape), config_(config) {
    validate_shape(shape, config);
    const auto& limits = device.limits();
    std::unique_ptr<RecipeSet> recipes;
    if (config.variant != Variant::direct) {
        alpha_ = config.m + shape.R - 1;
        tiles_h_ = ceil_div(shape.out_h(), config.m);
        tiles_w_ = ceil_div(shape.out_w(), config.m);
        recipes = std::make_unique<RecipeSet>(recipes_for(config.m, shape.R, default_points(alpha_), {}));
        const std::size_t shared = std::size_t(config.params.fused_wg_p) * alpha_ * alpha_ * sizeof(float);
        if (config.variant == Variant::fused && shared > limits.maxComputeSharedMemorySize)
            throw DeviceError(fmt::format("the fused kernel needs {} bytes of shared memory, the device has {}", shared,
                                          limits.maxComputeSharedMemorySize));
    }
    kernels_ = emit_variant(config.variant, recipes.get(), shape.R, config.params, Backend::glsl);
    for (const EmittedKernel& k : kernels_) {
        if (static_cast<std::uint32_t>(k.workgroup_size) > limits.maxComputeWorkGroupInvocations ||
            static_cast<std::uint32_t>(k.workgroup_size) > limits.maxComputeWorkGroupSize[0])
            throw DeviceError(fmt::format("workgroup size {} exceeds the device limit {}", k.workgroup_size,
                                          limits.maxComputeWorkGroupInvocations));
        pipelines_.push_back(device.make_pipeline(compile_glsl(k.source), k.buffers.size(), kernel_parameter_names().size()));
    }
    const std::size_t a2 = std::size_t(alpha_) * alpha_, tiles = std::size_t(shape.N) * tiles_h_ * tiles_w_;
    const std::map<std::string, std::size_t> sizes = {
        {"images", shape.input_size()}, {"filters", shape.filter_size()}, {"result", shape.output_size()},
        {"u", a2 * shape.K * shape.C},  {"v", a2 * shape.C * tiles},       {"product", a2 * shape.K * tiles}};
    for (const EmittedKernel& k : kernels_)
        for (const BufferSpec& b : k.buffers) {
            if (std::any_of(buffers_.begin(), buffers_.end(), [&](const auto& g) { return g->name == b.name; })) continue;
            auto g = std::make_unique<GuardedBuffer>();
            g->name = b.name;
            g->floats = sizes.at(b.name);
            g->storage = device.make_buffer((g->floats + 2 * guard_floats) * sizeof(float));
            std::fill(g->storage->floats(), g->storage->floats() + g->floats + 2 * guard_floats, guard_value);
            buffers_.push_back(std::move(g));
        }
}

VulkanConv2d::~VulkanConv2d() = default;

VulkanConv2d::GuardedBuffer& VulkanConv2d::buffer(const std::string& name) {
    for (auto& b : buffers_)
        if (b->name == name) return *b;
    throw std::logic_error(fmt::format("no buffer '{}'", name));
}

std::vector<std::int32_t> VulkanConv2d::params() const {
    const ConvShape& s = shape_;
    return {s.N, s.C, s.H, s.W, s.K, s.pad, s.out_h(), s.out_w(), tiles_h_, tiles_w_, s.N * tiles_h_ * tiles_w_};
}

std::vector<VulkanDevice::Dispatch> VulkanConv2d::dispatches(bool filters) {
    const ConvShape& s = shape_;
    const KernelParams& p = config_.params;
    const long long tiles = 1LL * s.N * tiles_h_ * tiles_w_;
    std::vector<VulkanDevice::Dispatch> out;
    for (std::size_t i = 0; i < kernels_.size(); ++i) {
        const EmittedKernel& k = kernels_[i];
        if ((k.kind == KernelKind::filter_transform) != filters) continue;
        VulkanDevice::Dispatch d{&pipelines_[i], {}, params(), {1, 1, 1}};
        for (const BufferSpec& b : k.buffers) d.buffers.push_back(buffer(b.name).view());
        const int wg = k.workgroup_size;
        switch (k.kind) {
            case KernelKind::filter_transform: d.groups[0] = ceil_div(1LL * s.K * s.C, wg); break;
            case KernelKind::input_transform: d.groups[0] = ceil_div(s.C * tiles, wg); break;
            case KernelKind::output_transform: d.groups[0] = ceil_div(s.K * tiles, wg); break;
            case KernelKind::direct: d.groups[0] = ceil_div(1LL * s.N * s.K * s.out_h() * s.out_w(), wg); break;
            case KernelKind::gemm:
                d.groups[0] = ceil_div(tiles, p.gemm_wg_p * p.gemm_reg_p);
                d.groups[1] = ceil_div(s.K, p.gemm_wg_k * p.gemm_reg_k);
                d.groups[2] = alpha_ * alpha_;
                break;
            case KernelKind::fused:
                d.groups[0] = ceil_div(tiles, p.fused_wg_p);
                d.groups[1] = ceil_div(s.K, p.fused_wg_k);
                break;
        }
        for (int axis = 0; axis < 3; ++axis)
            if (d.groups[axis] > device_.limits().maxComputeWorkGroupCount[axis])
                throw DeviceError(fmt::format("{} needs {} workgroups along axis {}, the device allows {}", k.name,
                                              d.groups[axis], axis, device_.limits().maxComputeWorkGroupCount[axis]));
        out.push_back(std::move(d));
    }
    return out;
}

void VulkanConv2d::set_filters(const std::vector<float>& filters) {
    if (filters.size() != shape_.filter_size())
        throw InputError(fmt::format("filters hold {} values, the shape needs {}", filters.size(), shape_.filter_size()));
    std::copy(filters.begin(), filters.end(), buffer("filters").payload());
    const auto work = dispatches(true);
    if (!work.empty()) device_.run(work);
}

double VulkanConv2d::run(const std::vector<float>& input, std::vector<float>& output) {
    if (input.size() != shape_.input_size())
        throw InputError(fmt::format("the input holds {} values, the shape needs {}", input.size(), shape_.input_size()));
    std::copy(input.begin(), input.end(), buffer("images").payload());
    GuardedBuffer& result = buffer("result");
    std::fill(result.payload(), result.payload() + result.floats, std::numeric_limits<float>::quiet_NaN());
    const std::vector<double> ms = device_.run(dispatches(false));
    breakdown_.clear();
    for (std::size_t i = 0, d = 0; i < kernels_.size(); ++i)
        if (kernels_[i].kind != KernelKind::filter_transform) breakdown_.push_back({kernels_[i].name, ms[d++]});
    output.assign(result.payload(), result.payload() + result.floats);
    return std::accumulate(ms.begin(), ms.end(), 0.0);
}

double VulkanConv2d::time_median(const std::vector<float>& input, int warmup, int repeats) {
    std::vector<float> output;
    for (int i = 0; i < warmup; ++i) run(input, output);
    std::vector<double> times;
    for (int i = 0; i < std::max(1, repeats); ++i) times.push_back(run(input, output));
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    return times[times.size() / 2];
}

void VulkanConv2d::check_guards() const {
    for (const auto& b : buffers_)
        if (!b->guards_intact()) throw std::runtime_error(fmt::format("a kernel wrote outside buffer '{}'", b->name));
}

}  // namespace wino
