// Tuning one layer on a device: the search space, a strategy, and for each
// candidate it picks a correctness gate (the output against the fp64 host
// reference under the tile's error bound) and a median timing, every result
// committed to the tuning database as it completes. Candidates already in the
// database for these kernels are not measured again, so a killed run resumes.
// The fastest few are then timed again at length, and those times replace
// theirs in the database.
#pragma once

#include "runtime/executor.hpp"
#include "tuner/strategy.hpp"
#include "tuner/tuning_db.hpp"

#include <functional>
#include <optional>
#include <string>

namespace wino {

// The threads that compile ahead unless told: on a GPU, the cores (at least
// 1): the tuner's own thread mostly waits, on the device or on a kernel a
// pool thread is compiling (scripts/bench-compile-ahead, NVRTC on 2 cores: 1
// thread 1.09x, 2 threads 1.72x the serial compiles). On a CPU device none:
// llvmpipe compiles a shader at its first dispatch, on the tuner's thread,
// so only glslang's share could move, and a 40-candidate tune on lavapipe
// took 1.01x (1 thread, cold shader cache) to 1.06x (2 threads) the serial
// one's wall time.
int default_compile_threads(DeviceClass device_class);

struct TuneOptions {
    std::string strategy = "guided";
    double budget_seconds = 0;  // per layer, for the search; 0: none
    // A candidate's timing: after `warmup` runs, at least `timing.min_runs`,
    // then more while their device time is under `timing.slice_ms`.
    int warmup = 1;
    LoadedLayer::RunCount timing{5, 1000, 20};
    // Threads that compile the strategy's next candidates while one is
    // measured (0: none, every compile on the tuner's thread; unset: the
    // device's default_compile_threads). On a CPU device they stop while a
    // candidate is timed, whose kernels run on the same cores.
    std::optional<int> compile_threads = std::nullopt;
    // A layer's search ends after this many candidates (0: no limit), as
    // after budget_seconds.
    int max_candidates = 0;
    // A single median of a few runs is noisy on a shared machine: the fastest
    // `finalists` and the untuned candidate are timed again side by side,
    // `final_rounds` medians of `final_repeats` runs each, their median counting.
    int finalists = 4, final_rounds = 5, final_repeats = 10;
    // --points: the space keeps the m these points are for, every candidate
    // with them; empty: every m, default points.
    std::string points = "";
    // --precision: every candidate at it (the space drops the direct kernel,
    // which has no intermediates to keep in 16 bits).
    Precision precision = Precision::fp32;
    // --pass: what every candidate computes for the layer.
    Pass pass = Pass::forward;
    // --max-error: the search and the choice keep to candidates whose output
    // errs at most this much on the gate (relative L2); none: any that passes
    // the gate. The CLI's default is default_error_budget(precision). The
    // (variant, m) groups the error model predicts past twice this are not
    // measured (LayerTuning::pruned).
    std::optional<double> max_error = std::nullopt;
    // At precision int8, a candidate's clips (its tile's taps), from the
    // layer, the candidate and the gate's input; asked once a tile and points.
    // Unset: calibrated on the gate's input at the 99.9th percentile, as run
    // calibrates on its input. They are stored with the result, which is
    // measured again where it was stored with other clips.
    std::function<Int8Clips(const ConvShape&, const ConvConfig&, const std::vector<float>& gate_input)> int8_clips = {};
};

struct TuneProgress {
    int measured = 0, failed = 0, reused = 0;  // reused: found in the database
    int over_budget = 0;                        // passed the gate, erred past max_error
    std::size_t space = 0;
    double best_ms = 0;  // 0 until one passed
    double seconds = 0;
    std::string phase;   // the strategy's, where it says one
};

struct LayerTuning {
    ConvShape layer;
    Candidate best, untuned;
    double time_ms = 0, untuned_ms = 0;  // untuned_ms 0: the untuned candidate failed
    std::optional<double> rel_err;       // the chosen one's error on the gate
    std::size_t space = 0;
    int candidates = 0, failed = 0, reused = 0, over_budget = 0;
    // Left out unmeasured: the error model put their (variant, m) group past
    // twice the error budget (the space counts what is left).
    int pruned = 0;
    double seconds = 0;
};

// Throws InputError (with the reason) when the device can run no candidate on
// the layer (a 1x1 filter, say), DeviceError when none of those tried passes.
LayerTuning tune_layer(Executor& executor, TuningDb& db, const ConvShape& layer, const TuneOptions& options,
                       const std::function<void(const TuneProgress&)>& progress = {});

}  // namespace wino
