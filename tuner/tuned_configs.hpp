// What `run` and `emit` take from a tuning database: each layer's fastest
// configuration on the kernels wino-gen emits today. In a build without the
// tuner part (SQLite), opening a database refuses, saying how to build it
// (tuner_absent.cpp).
#pragma once

#include "runtime/executor.hpp"
#include "templates/layer_plan.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>

namespace wino {

struct TunedConfig {
    std::optional<ConvConfig> config;  // none: the database has no result for the layer
    std::string match = "none";        // how the result's device matched (TuningMatch's names)
    std::optional<long long> batch;    // the N it was tuned at, where that is not the layer's (nearest-batch)
    std::optional<double> max_error;   // the error budget it was looked up under (none: any)
};

// A layer's tuned configuration at a precision and pass, within an error budget (none: any).
using TunedLookup = std::function<TunedConfig(const ConvShape&, Precision, Pass, std::optional<double> max_error)>;

// The results of `device` in the database at `path`, which must exist.
TunedLookup tuned_lookup(const std::filesystem::path& path, const DeviceIdentity& device);

// The one device of the database's results for the backend, or the one whose
// name holds `name_part` (whose tuning a build takes), with its results.
// Throws InputError when there is none, or more than one.
std::pair<DeviceIdentity, TunedLookup> tuned_lookup(const std::filesystem::path& path, Backend backend,
                                                    const std::string& name_part);

// The database `run` reads unless told otherwise: `given`, else
// $WINO_TUNING_DB, else $XDG_DATA_HOME/wino-gen/tuning.db, else
// ~/.local/share/wino-gen/tuning.db. Without the tuner part: none (empty)
// unless one is given.
std::filesystem::path default_tuning_db(const std::string& given);

}  // namespace wino
