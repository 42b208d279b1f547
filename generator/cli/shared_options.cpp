// The flags run and tune share.
#include "shared_options.hpp"

#include "errors.hpp"

#include <fmt/format.h>

namespace wino::cli {
namespace {

// "vulkan:2" → 2 for the backend's prefix; -1 when no device is named.
int device_index(const std::string& device, const std::string& prefix) {
    if (device.empty()) return -1;
    const std::string want = prefix + ":";
    if (device.rfind(want, 0) != 0 || device.size() == want.size() || device.size() > want.size() + 6 ||
        device.find_first_not_of("0123456789", want.size()) != std::string::npos)
        throw InputError(fmt::format("--device must look like {}0, not '{}'", want, device));
    return std::stoi(device.substr(want.size()));
}

}  // namespace

void add_device_options(CLI::App* sub, DeviceOptions& o) {
    std::vector<std::string> apis;
    for (const BackendSpec& b : backends()) apis.push_back(b.api);
    sub->add_option("--backend", o.backend, fmt::format("{}", fmt::join(apis, " or ")))->default_str(apis.front());
    sub->add_option("--device", o.device, "vulkan:N (default: $WINO_VULKAN_DEVICE, else 0) or cuda:N (default 0)");
    sub->add_flag("--validation", o.validation, "enable the Khronos validation layer; any message fails the run");
}

void add_layer_options(CLI::App* sub, LayerOptions& o) {
    sub->add_option("--input-shape", o.input_shape, "N,C,H,W");
    sub->add_option("--filters", o.filters, "K, the number of filters");
    sub->add_option("--r", o.r, "filter size R = S")->default_str("3");
    sub->add_option("--pad", o.pad, "zero padding")->default_str("0");
}

std::unique_ptr<Executor> open_device(const DeviceOptions& o) {
    const Backend backend = parse_backend(o.backend);
    return open_executor(backend, {device_index(o.device, spec_of(backend).api), o.validation});
}

std::vector<long long> parse_shape(const std::string& text) {
    std::vector<long long> dims;
    std::size_t from = 0;
    while (from <= text.size()) {
        const std::size_t comma = std::min(text.find(',', from), text.size());
        const std::string item = text.substr(from, comma - from);
        if (item.empty() || item.size() > 9 || item.find_first_not_of("0123456789") != std::string::npos)
            throw InputError(fmt::format("--input-shape must be N,C,H,W with positive integers, not '{}'", text));
        dims.push_back(std::stoll(item));
        from = comma + 1;
    }
    if (dims.size() != 4) throw InputError(fmt::format("--input-shape needs 4 numbers N,C,H,W, got '{}'", text));
    return dims;
}

}  // namespace wino::cli
