// The shared kernel flags of `run` and `emit`, derived from the parameter table.
#include "cli/kernel_options.hpp"

#include <fmt/format.h>

namespace wino::cli {

void add_kernel_options(CLI::App* sub, KernelOptions& o) {
    sub->add_option("--variant", o.variant, "nonfused, fused or direct (nonfused: the faster on lavapipe by 50x)")
        ->default_str(default_variant);
    // The defaults by the device's class: a CPU driver (lavapipe; emit's GLSL),
    // or a GPU (CUDA; Vulkan on a GPU). A flag the same on both says one value.
    for (const ParamSpec& spec : param_table()) {
        std::vector<std::string> defaults;
        for (DeviceClass c : device_classes)
            defaults.push_back(fmt::format("{} {}", to_string(c), value_text(spec, KernelParams(c)[spec.param])));
        const bool same = KernelParams(DeviceClass::cpu)[spec.param] == KernelParams(DeviceClass::gpu)[spec.param];
        std::vector<std::string> on_where_allowed;
        for (DeviceClass c : spec.on_where_allowed) on_where_allowed.push_back(to_string(c));
        const std::string fitted =
            on_where_allowed.empty() ? ""
            : on_where_allowed.size() == std::size(device_classes)
                ? "; on where the device, backend and precision allow it"
                : fmt::format("; on a {} device where the device, backend and precision allow it", fmt::join(on_where_allowed, " or "));
        sub->add_option(spec.flag, o.text[spec.name],
                        fmt::format("{} (default: {}{})", spec.help,
                                    same ? value_text(spec, KernelParams()[spec.param]) : fmt::format("{}", fmt::join(defaults, ", ")),
                                    fitted));
    }
}

std::vector<Param> apply_kernel_options(const KernelOptions& o, KernelParams& params) {
    std::vector<Param> given;
    for (const ParamSpec& spec : param_table())
        if (auto text = o.text.find(spec.name); text != o.text.end() && !text->second.empty()) {
            params[spec.param] = parse_value(spec, text->second, ParamNaming::flag);
            given.push_back(spec.param);
        }
    return given;
}

}  // namespace wino::cli
