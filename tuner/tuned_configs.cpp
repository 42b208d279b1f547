// The tuning database's choices, as `run` and `emit` take them.
#include "tuner/tuned_configs.hpp"

#include "tuner/tuning_db.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>
#include <set>

namespace wino {
namespace {

TunedLookup lookup_of(std::shared_ptr<TuningDb> db, const DeviceIdentity& device) {
    return [db, device](const ConvShape& shape, Precision precision, Pass pass, std::optional<double> max_error) {
        const TuningChoice choice = db->best_current(device, shape, precision, pass, max_error);
        return TunedConfig{choice.candidate, to_string(choice.match), choice.batch, max_error};
    };
}

}  // namespace

TunedLookup tuned_lookup(const std::filesystem::path& path, const DeviceIdentity& device) {
    return lookup_of(std::make_shared<TuningDb>(path, true), device);
}

std::pair<DeviceIdentity, TunedLookup> tuned_lookup(const std::filesystem::path& path, Backend backend,
                                                    const std::string& name_part) {
    auto db = std::make_shared<TuningDb>(path, true);
    std::vector<DeviceIdentity> found;
    std::set<std::string> seen;
    for (const TuningResult& r : db->all())
        if (r.device.backend == backend && r.device.name.find(name_part) != std::string::npos &&
            seen.insert(r.device.name + "\n" + r.device.driver_version).second)
            found.push_back(r.device);
    if (found.empty())
        throw InputError(fmt::format("{} holds no {} results{}", path.string(), spec_of(backend).name,
                                     name_part.empty() ? "" : fmt::format(" of a device named '*{}*'", name_part)));
    if (found.size() > 1) {
        std::vector<std::string> names;
        for (const DeviceIdentity& d : found) names.push_back(fmt::format("'{}' (driver {})", d.name, d.driver_version));
        throw InputError(fmt::format("{} holds results of {} devices, {}: name one", path.string(), found.size(),
                                     fmt::join(names, ", ")));
    }
    return {found.front(), lookup_of(db, found.front())};
}

std::filesystem::path default_tuning_db(const std::string& given) { return tuning_db_path(given); }

}  // namespace wino
