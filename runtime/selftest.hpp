// `wino-gen selftest`: what a user runs first on a new device. A table of
// configurations that covers every kernel kind the device can run (both
// Winograd variants and direct; m 2/4/6; r 3 and 5; non-square and 1D
// filters; every padding form; bias and each activation; every precision the
// device has; the vendor GEMM where there is one; the backward passes) on awkward shapes (tails in
// every tile, N > 1), each run with its output poisoned and its guard zones
// checked, against the fp64 host reference under run --check's bound.
#pragma once

#include "runtime/executor.hpp"
#include "runtime/layer_run.hpp"

#include <optional>
#include <string>
#include <vector>

namespace wino {

struct SelftestCase {
    std::string name;  // "nonfused F(4,3) 2x5x13x11 -> 7, 3x3, pad 1": the configuration as the table shows it
    ConvShape shape;
    ConvConfig config;
    bool quick = false;  // in --quick's representative subset
};

// The cases for a device: what its limits allow (precisions, the vendor GEMM).
std::vector<SelftestCase> selftest_cases(Backend backend, const DeviceLimits& limits, bool quick,
                                         std::optional<Pass> pass = std::nullopt);

struct SelftestResult {
    std::optional<LayerErrors> errors;  // none when the case failed before it was checked
    double ms = 0;                      // the median of a few runs
    std::string failure;                // why it failed: a compile, a launch, a guard zone, the bound
    bool passed() const { return failure.empty(); }
};

// Loads and runs one case on the executor. `corrupt` sets one output value to
// NaN before the check, as an unwritten value would be: how the suite shows
// that a wrong output fails.
SelftestResult run_selftest_case(Executor& executor, const SelftestCase& c, bool corrupt = false);

}  // namespace wino
