// Shared kernel tuning flags of `run` and `emit`.
#include "kernel_options.hpp"

#include "errors.hpp"

#include <fmt/format.h>

namespace wino::cli {
namespace {

void apply_pair(const std::vector<int>& values, const char* flag, int& first, int& second) {
    if (values.empty()) return;
    if (values.size() != 2 || values[0] < 1 || values[1] < 1)
        throw InputError(fmt::format("{} takes two positive numbers", flag));
    first = values[0];
    second = values[1];
}

}  // namespace

void add_kernel_options(CLI::App* sub, KernelOptions& o) {
    sub->add_option("--variant", o.variant, "nonfused, fused or direct (nonfused: the faster on lavapipe by 50x)")
        ->default_str("nonfused");
    sub->add_option("--unroll", o.unroll, "transform loop unroll: 1, 2, 4, 6, ... or full")->default_str("full");
    sub->add_option("--gemm-threads", o.gemm_threads, "GEMM workgroup threads along K,P")->delimiter(',');
    sub->add_option("--gemm-registers", o.gemm_registers, "GEMM register tile along K,P (multiples of 4)")->delimiter(',');
    sub->add_option("--fused-tile", o.fused_tile, "fused workgroup: filters,tiles")->delimiter(',');
    sub->add_option("--transform-tiles", o.transform_tiles, "tiles per input/output transform thread: 1 or 4");
    sub->add_option("--workgroup-size", o.workgroup_size, "threads per workgroup of the transform and direct kernels");
}

void apply_kernel_options(const KernelOptions& o, KernelParams& params) {
    params.unroll = parse_unroll(o.unroll);
    apply_pair(o.gemm_threads, "--gemm-threads", params.gemm_wg_k, params.gemm_wg_p);
    apply_pair(o.gemm_registers, "--gemm-registers", params.gemm_reg_k, params.gemm_reg_p);
    apply_pair(o.fused_tile, "--fused-tile", params.fused_wg_k, params.fused_wg_p);
    if (o.transform_tiles) params.transform_tiles = o.transform_tiles;
    if (o.workgroup_size) params.workgroup_size = o.workgroup_size;
}

}  // namespace wino::cli
