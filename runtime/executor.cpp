// The shared half of every executor: plan checks, size checks, the timer.
#include "executor.hpp"

#include "cuda_executor.hpp"
#include <wino/errors.hpp>
#include "vulkan_executor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>

namespace wino {

void LoadedLayer::set_filters(const std::vector<float>& filters) {
    if (filters.size() != plan_.shape.filter_size())
        throw InputError(fmt::format("filters hold {} values, the shape needs {}", filters.size(), plan_.shape.filter_size()));
    upload_filters(filters);
}

KernelTimes LoadedLayer::run(const std::vector<float>& input, std::vector<float>& output) {
    if (input.size() != plan_.shape.input_size())
        throw InputError(fmt::format("the input holds {} values, the shape needs {}", input.size(), plan_.shape.input_size()));
    return run_input(input, std::numeric_limits<float>::quiet_NaN(), output);
}

KernelTimes LoadedLayer::run(const DeviceArray& input, DeviceArray& output) {
    if (input.floats() < plan_.shape.input_size())
        throw InputError(fmt::format("the input buffer holds {} values, the shape needs {}", input.floats(), plan_.shape.input_size()));
    if (output.floats() < plan_.shape.output_size())
        throw InputError(
            fmt::format("the output buffer holds {} values, the shape needs {}", output.floats(), plan_.shape.output_size()));
    return run_arrays(input, output);
}

KernelTimes LoadedLayer::median_run(const std::vector<float>& input, int warmup, int repeats) {
    std::vector<float> output;
    for (int i = 0; i < warmup; ++i) run(input, output);
    std::vector<KernelTimes> runs;
    for (int i = 0; i < std::max(1, repeats); ++i) runs.push_back(run(input, output));
    auto by_total = [](const KernelTimes& a, const KernelTimes& b) { return total_ms(a) < total_ms(b); };
    std::nth_element(runs.begin(), runs.begin() + runs.size() / 2, runs.end(), by_total);
    return runs[runs.size() / 2];
}

std::unique_ptr<LoadedLayer> Executor::load(const ConvShape& shape, const ConvConfig& config) {
    return load(make_plan(shape, config, identity().backend));
}

std::unique_ptr<LoadedLayer> Executor::load(ConvPlan plan) {
    const ConvConfig& config = plan.config;
    check_params(config.params, {spec_of(config.variant).kinds, &plan.shape, config.m, &limits()});
    check_device_limits(plan.shape, config, limits());
    return load_plan(std::move(plan));
}

void check_registers(const EmittedKernel& kernel, int registers, const DeviceLimits& limits) {
    if (!limits.max_registers) return;
    const long long per_warp = (32LL * registers + 255) / 256 * 256, warps = (kernel.workgroup_size + 31) / 32;
    if (per_warp * warps > limits.max_registers)
        throw DeviceError(fmt::format("{} uses {} registers a thread, {} for its workgroup of {}, past the device's {}",
                                      kernel.name, registers, per_warp * warps, kernel.workgroup_size, limits.max_registers));
}

std::unique_ptr<Executor> open_executor(Backend backend, const ExecutorOptions& options) {
    switch (backend) {
        case Backend::glsl: return std::make_unique<VulkanExecutor>(options);
        case Backend::cuda: return open_cuda_executor(options);
    }
    throw std::logic_error("unknown backend");
}

}  // namespace wino
