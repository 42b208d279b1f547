// The flags the subcommands share.
#include "shared_options.hpp"

#include "epilogue.hpp"

#include "checked.hpp"
#include <wino/errors.hpp>

#include <fmt/format.h>

#include <cmath>

namespace wino::cli {
namespace {

// "vulkan:2" → 2 for the backend's prefix; -1 when no device is named.
int device_index(const std::string& device, const std::string& prefix) {
    if (device.empty()) return -1;
    const std::string want = prefix + ":";
    if (device.rfind(want, 0) != 0 || device.size() == want.size() || device.size() > want.size() + 6 ||
        device.find_first_not_of("0123456789", want.size()) != std::string::npos)
        throw InputError(fmt::format("--device must look like {}0, not '{}'", want, device));
    return static_cast<int>(parse_integer(device.substr(want.size()), 0, 1 << 16, "--device's index"));
}

}  // namespace

CLI::Validator integer_range(long long min, long long max) {
    return CLI::Validator(
        [min, max](std::string& text) {
            try {
                parse_integer(text, min, max, "");
                return std::string();
            } catch (const InputError& e) {
                return std::string(e.what()).substr(1);  // " must be ...": CLI11 puts the flag before it
            }
        },
        fmt::format("INT {}..{}", min, max));
}

CLI::Validator seconds_range() {
    return CLI::Validator(
        [](std::string& text) {
            std::size_t used = 0;
            double seconds = -1;
            try {
                seconds = std::stod(text, &used);
            } catch (const std::exception&) {
            }
            if (used != text.size() || !std::isfinite(seconds) || seconds < 0 || seconds > 365 * 86400.0)
                return fmt::format("must be a number of seconds from 0 to {}, not '{}'", 365 * 86400, text.substr(0, 40));
            return std::string();
        },
        "SECONDS");
}

void add_device_options(CLI::App* sub, DeviceOptions& o) {
    std::vector<std::string> apis;
    for (const BackendSpec& b : backends()) apis.push_back(b.api);
    sub->add_option("--backend", o.backend, fmt::format("{}", fmt::join(apis, " or ")))->default_str(apis.front());
    sub->add_option("--device", o.device, "vulkan:N (default: $WINO_VULKAN_DEVICE, else 0) or cuda:N (default 0)");
    sub->add_flag("--validation", o.validation, "enable the Khronos validation layer; any message fails the run");
}

void add_activation_option(CLI::App* sub, std::string& activation) {
    sub->add_option("--activation", activation,
                    fmt::format("{}: applied to each output value (after the bias) as it is written, in the kernel "
                                "that writes the output",
                                activation_forms()))
        ->default_str("none");
}

void add_layer_options(CLI::App* sub, LayerOptions& o) {
    sub->add_option("--input-shape", o.input_shape, "N,C,H,W");
    const std::vector<LayerField>& f = layer_fields();  // N C H W K R pad
    sub->add_option("--filters", o.filters, "K, the number of filters")->check(integer_range(f[4].min, f[4].max));
    sub->add_option("--r", o.r, "filter size R = S")->default_str("3")->check(integer_range(f[5].min, f[5].max));
    sub->add_option("--pad", o.pad, "zero padding")->default_str("0")->check(integer_range(f[6].min, f[6].max));
}

Device open_device(const DeviceOptions& o) {
    const Backend backend = parse_backend(o.backend);
    return Device(wino::DeviceOptions{backend, device_index(o.device, spec_of(backend).api), o.validation});
}

std::vector<long long> parse_shape(const std::string& text, const std::string& flag, std::size_t count) {
    std::vector<std::string> items;
    for (std::size_t from = 0; from <= text.size();) {
        const std::size_t comma = std::min(text.find(',', from), text.size());
        items.push_back(text.substr(from, comma - from));
        from = comma + 1;
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < count; ++i) names.push_back(layer_fields()[i].name);
    if (items.size() != count)
        throw InputError(fmt::format("{} needs {} numbers {}, got '{}'", flag, count, fmt::join(names, ","), text.substr(0, 80)));
    std::vector<long long> dims;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const LayerField& f = layer_fields()[i];
        dims.push_back(parse_integer(items[i], f.min, f.max, fmt::format("{}'s {}", flag, f.name)));
    }
    return dims;
}

ConvShape layer_shape(const std::vector<long long>& nchw, long long filters, const LayerOptions& o) {
    const std::vector<LayerField>& f = layer_fields();  // N C H W K R pad
    check_range(filters, f[4].min, f[4].max, "--filters");
    check_range(o.r, f[5].min, f[5].max, "--r");
    check_range(o.pad, f[6].min, f[6].max, "--pad");
    return checked_shape({nchw[0], nchw[1], nchw[2], nchw[3], filters, o.r, o.pad});
}

}  // namespace wino::cli
