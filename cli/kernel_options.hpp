// The kernel flags that `run` and `emit` share: --variant and one flag per
// entry of the parameter table (templates/kernel_params.hpp), with its help,
// applied over a backend's (or a layer's) starting parameters.
#pragma once

#include "templates/kernel_params.hpp"

#include <CLI/CLI.hpp>

#include <map>
#include <optional>
#include <string>

namespace wino::cli {

inline constexpr const char* default_variant = "nonfused";

struct KernelOptions {
    std::optional<std::string> variant;  // default_variant (or the tuning database's) when not given
    std::map<std::string, std::string> text;  // parameter name → its flag's text; empty when not given
};

void add_kernel_options(CLI::App* sub, KernelOptions& options);

// Overrides `params` with the flags given, and returns their parameters;
// throws InputError for a value that does not parse. Ranges and constraints
// are checked where kernels are made.
std::vector<Param> apply_kernel_options(const KernelOptions& options, KernelParams& params);

}  // namespace wino::cli
