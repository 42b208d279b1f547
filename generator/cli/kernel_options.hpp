// The kernel tuning options that `run` and `emit` share: the same flags, the
// same checks, applied over a backend's (or a layer's) starting parameters.
#pragma once

#include "emitter.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace wino::cli {

struct KernelOptions {
    std::string variant = "nonfused", unroll = "full";
    std::vector<int> gemm_threads, gemm_registers, fused_tile;
    int transform_tiles = 0, workgroup_size = 0;  // 0: keep the starting value
};

void add_kernel_options(CLI::App* sub, KernelOptions& options);

// Overrides `params` with the options given; throws InputError for a bad
// unroll or pair. The values themselves are checked where kernels are made
// (validate_params, from emit_kernel and validate_shape).
void apply_kernel_options(const KernelOptions& options, KernelParams& params);

}  // namespace wino::cli
