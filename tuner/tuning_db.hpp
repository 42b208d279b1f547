// The tuning database (SQLite, MIOpen perf-db style): one row per measured
// candidate, keyed by device identity, layer, the hash of the kernels the
// candidate emits (a result from other kernels is never taken as current) and
// the candidate. Every result is its own transaction in WAL mode, so a killed
// tune loses at most the candidate in flight and any number of processes may
// share the file. Lookups fall back from this device and driver to this device,
// then to this vendor.
#pragma once

#include "runtime/executor.hpp"
#include "tuner/search_space.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wino {

// --db, else $WINO_TUNING_DB, else $XDG_DATA_HOME/wino-gen/tuning.db, else
// ~/.local/share/wino-gen/tuning.db.
std::filesystem::path tuning_db_path(const std::string& flag);

// FNV-1a of the kernels' sources: what the results of a candidate were measured on.
std::string kernels_hash(const ConvPlan& plan);
// The hash of the kernels the candidate emits today for the layer; empty when
// this wino-gen cannot make them (a stored candidate it no longer accepts).
std::string current_kernels_hash(const ConvShape& layer, const Candidate& candidate, Backend backend);

struct TuningResult {
    DeviceIdentity device;
    ConvShape layer;
    std::string kernels_hash, version;
    Candidate candidate;
    std::optional<double> time_ms;  // none: failed
    std::string failure;            // why, when it failed
    // The output's relative L2 error on the tuner's gate tensors; none where it
    // failed, or was measured before wino-gen stored errors (schema 2).
    std::optional<double> rel_err;
};

struct TuningDbConnection;

enum class TuningMatch { exact, device, vendor, none };
const char* to_string(TuningMatch match);

struct TuningChoice {
    TuningMatch match = TuningMatch::none;
    std::optional<Candidate> candidate;
    double time_ms = 0;
    // The batch size N of the result when it is the same layer's at another
    // N (nearest-batch): none when it is this layer's own.
    std::optional<long long> batch;
    std::optional<double> rel_err;  // its error, where known
};

class TuningDb {
public:
    // Creates the file (and its folder) unless `must_exist`. Throws InputError
    // for a file that is not a wino-gen tuning database, is corrupt, or has a
    // newer schema; it is never overwritten.
    TuningDb(const std::filesystem::path& path, bool must_exist = false);
    ~TuningDb();
    TuningDb(const TuningDb&) = delete;
    TuningDb& operator=(const TuningDb&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // Commits one result (replacing an older one for the same key).
    void record(const TuningResult& result);
    // The stored result of this candidate on these kernels, if any.
    std::optional<TuningResult> find(const DeviceIdentity& device, const ConvShape& layer, const std::string& kernels_hash,
                                     const Candidate& candidate);
    // The fastest current result for the layer at the precision and pass whose error
    // is within `max_error` (none: any), along the fallback chain; at each device level, where the layer has none, the
    // same layer's at the nearest tuned batch size (nearest in ratio, the
    // larger on a tie: N = 2 takes 4 over 1). `current_hash` gives the hash
    // of the kernels a candidate emits today for this layer (empty where it
    // cannot run it).
    TuningChoice best(const DeviceIdentity& device, const ConvShape& layer,
                      const std::function<std::string(const Candidate&)>& current_hash,
                      Precision precision = Precision::fp32, Pass pass = Pass::forward,
                      std::optional<double> max_error = std::nullopt);

    // best() for the kernels wino-gen emits today (current_kernels_hash on
    // the device's backend): what run, emit and the tuner take.
    TuningChoice best_current(const DeviceIdentity& device, const ConvShape& layer, Precision precision = Precision::fp32,
                              Pass pass = Pass::forward, std::optional<double> max_error = std::nullopt);

    std::vector<TuningResult> all();
    nlohmann::ordered_json export_json();
    // Merges a file written by export_json, keeping the faster result per key;
    // all of it or nothing. Returns the rows taken.
    int import_json(const nlohmann::json& file);

private:
    std::optional<TuningChoice> nearest_batch(TuningMatch match, const char* where, const DeviceIdentity& device,
                                              const ConvShape& layer,
                                              const std::function<std::string(const Candidate&)>& current_hash,
                                              Precision precision, Pass pass, std::optional<double> max_error);
    std::unique_ptr<TuningDbConnection> db_;
    std::filesystem::path path_;
};

}  // namespace wino
