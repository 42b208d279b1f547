// The shared half of every executor: plan checks, size checks, the timer.
#include "runtime/executor.hpp"

#include "generator/half.hpp"
#include "runtime/layer_error.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <tuple>
#include <limits>
#include <numeric>

namespace wino {

std::size_t element_bytes(ElementType type) {
    switch (type) {
        case ElementType::fp32: return 4;
        case ElementType::fp16: return 2;
        case ElementType::int8: return 1;
    }
    throw std::logic_error("unknown element type");
}

std::int8_t int8_code(double value) {
    return static_cast<std::int8_t>(std::isnan(value) ? 0 : std::clamp(std::nearbyint(value), -128.0, 127.0));
}

std::vector<std::byte> encode(std::span<const float> values, ElementType type) {
    std::vector<std::byte> bytes(values.size() * element_bytes(type));
    if (type == ElementType::fp32) {
        std::memcpy(bytes.data(), values.data(), bytes.size());
        return bytes;
    }
    if (type == ElementType::int8) {
        for (std::size_t i = 0; i < values.size(); ++i) bytes[i] = static_cast<std::byte>(int8_code(values[i]));
        return bytes;
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::uint16_t bits = binary16_bits(values[i]);
        std::memcpy(bytes.data() + 2 * i, &bits, 2);
    }
    return bytes;
}

std::vector<float> decode(std::span<const std::byte> bytes, std::size_t count, ElementType type) {
    if (bytes.size() < count * element_bytes(type)) throw std::logic_error("decoding past the bytes");
    std::vector<float> values(count);
    if (type == ElementType::fp32) {
        std::memcpy(values.data(), bytes.data(), count * 4);
        return values;
    }
    if (type == ElementType::int8) {
        for (std::size_t i = 0; i < count; ++i) values[i] = static_cast<std::int8_t>(bytes[i]);
        return values;
    }
    for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, bytes.data() + 2 * i, 2);
        values[i] = static_cast<float>(from_binary16_bits(bits));
    }
    return values;
}

ElementType LoadedLayer::tensor_type() const { return wino::tensor_type(plan_.config.precision); }

namespace {

// The values of the layer tensor the pass puts in a buffer (images, filters, result).
std::size_t tensor_values(const ConvPlan& plan, BufferId buffer) {
    return static_cast<std::size_t>(plan_buffer_floats(buffer, plan.layer, plan.config.pass, plan.shape, plan.tiling));
}

}  // namespace

void LoadedLayer::set_filters(const std::vector<float>& filters) {
    const std::size_t needed = tensor_values(plan_, BufferId::filters);
    if (filters.size() != needed) throw InputError(fmt::format("filters hold {} values, the shape needs {}", filters.size(), needed));
    // A quantized precision's filter transform quantizes by the filters' own scales: the host
    // finds them first, from the same recipes.
    if (plan_.buffer_floats.count(BufferId::scales)) {
        scales_ = int8_scales(plan_.shape, plan_.recipes->algorithm(), plan_.config.precision, filters, plan_.config.clips, quantization_);
        upload(BufferId::scales, encode(scales_, ElementType::fp32));
    }
    upload_filters(encode(filters, parameter_type(plan_.config.precision)));
}

void LoadedLayer::set_quantization(const TensorQuantization& quantization) {
    if (!spec_of(plan_.config.precision).int8_io)
        throw InputError(fmt::format("precision {} keeps its input and output in {}: they have no int8 coding (precision {} has one)",
                                     to_string(plan_.config.precision), to_string(tensor_type()), coded_precision_names()));
    check_quantization(quantization);
    quantization_ = quantization;
    quantization_set_ = true;
    // The filters' scales stay; the tensors' region is rewritten.
    if (!scales_.empty()) {
        write_tensor_scales(scales_, plan_.shape, plan_.recipes->algorithm(), quantization_);
        upload(BufferId::scales, encode(scales_, ElementType::fp32));
    }
}

void LoadedLayer::set_bias(const std::vector<float>& bias) {
    if (!plan_.config.epilogue.bias) throw InputError("the layer's epilogue adds no bias (an epilogue with bias makes one that does)");
    if (bias.size() != static_cast<std::size_t>(plan_.shape.K))
        throw InputError(fmt::format("the bias holds {} values, the layer has K = {} filters", bias.size(), plan_.shape.K));
    upload(BufferId::bias, encode(bias, parameter_type(plan_.config.precision)));
    bias_set_ = true;
}

void LoadedLayer::check_set_before_run() const {
    if (plan_.config.epilogue.bias && !bias_set_) throw InputError("the layer's epilogue adds a bias: set it (set_bias) before a run");
    if (spec_of(plan_.config.precision).int8_io && !quantization_set_)
        throw InputError(fmt::format("precision {} codes its input and output: set their scales and zero points "
                                     "(set_quantization) before a run", to_string(plan_.config.precision)));
}

// The output is poisoned with NaN in its element type: 0x7fc00000, or two
// 0x7e00; int8 codes have no NaN, so with -128, the code a coding gives only
// to values saturated below the range.
KernelTimes LoadedLayer::run(const std::vector<float>& input, std::vector<float>& output) {
    check_set_before_run();
    if (const std::size_t needed = tensor_values(plan_, BufferId::images); input.size() != needed)
        throw InputError(fmt::format("the input holds {} values, the shape needs {}", input.size(), needed));
    const ElementType type = tensor_type();
    std::vector<std::byte> bytes;
    const std::uint32_t poison = type == ElementType::fp16 ? 0x7e007e00u : type == ElementType::int8 ? 0x80808080u : 0x7fc00000u;
    const KernelTimes times = run_input(encode(input, type), poison, bytes);
    output = decode(bytes, tensor_values(plan_, BufferId::result), type);
    return times;
}

KernelTimes LoadedLayer::run(const DeviceArray& input, DeviceArray& output) {
    check_set_before_run();
    for (const auto& [array, what, needed] :
         {std::tuple{&input, "input", tensor_values(plan_, BufferId::images)},
          {&output, "output", tensor_values(plan_, BufferId::result)}}) {
        if (array->size() < needed)
            throw InputError(fmt::format("the {} buffer holds {} values, the shape needs {}", what, array->size(), needed));
        if (array->type() != tensor_type())
            throw InputError(fmt::format("the {} buffer holds {} values, the layer's tensors at precision {} are {}", what,
                                         to_string(array->type()), to_string(plan_.config.precision),
                                         to_string(tensor_type())));
    }
    return run_arrays(input, output);
}

KernelTimes LoadedLayer::median_run(const std::vector<float>& input, int warmup, int repeats) {
    return median_run(input, warmup, RunCount{repeats, repeats, 0}).median;
}

LoadedLayer::TimedRuns LoadedLayer::median_run(const std::vector<float>& input, int warmup, RunCount count) {
    std::vector<float> output;
    for (int i = 0; i < warmup; ++i) run(input, output);
    std::vector<KernelTimes> runs;
    double spent_ms = 0;
    const int most = std::max({1, count.min_runs, count.max_runs});
    while (static_cast<int>(runs.size()) < most &&
           (static_cast<int>(runs.size()) < std::max(1, count.min_runs) || spent_ms < count.slice_ms)) {
        runs.push_back(run(input, output));
        spent_ms += total_ms(runs.back());
    }
    auto by_total = [](const KernelTimes& a, const KernelTimes& b) { return total_ms(a) < total_ms(b); };
    std::nth_element(runs.begin(), runs.begin() + runs.size() / 2, runs.end(), by_total);
    return {runs[runs.size() / 2], static_cast<int>(runs.size())};
}

std::unique_ptr<LoadedLayer> Executor::load(const ConvShape& shape, const ConvConfig& config) {
    return load(make_plan(shape, config, identity().backend));
}

std::unique_ptr<LoadedLayer> Executor::load(ConvPlan plan) {
    const ConvConfig& config = plan.config;
    check_params(config.params, {.kinds = spec_of(config.variant).kinds,
                                 .shape = &plan.shape,
                                 .m = pass_tile(plan.layer, config.pass, config.m),
                                 .limits = &limits(),
                                 .backend = identity().backend,
                                 .precision = config.precision});
    check_device_limits(plan.layer, config, limits());
    return load_plan(std::move(plan));
}

std::unique_ptr<Executor> open_executor(Backend backend, const ExecutorOptions& options) {
    switch (backend) {
        case Backend::glsl: return open_vulkan_executor(options);
        case Backend::cuda: return open_cuda_executor(options);
    }
    throw std::logic_error("unknown backend");
}

}  // namespace wino
