// The tuning database's choices in a build without the tuner part
// (-DWINO_TUNER=OFF, or SQLite or ONNX not found): opening a database says
// how to build it, and `run` reads none unless one is given.
#include "tuner/tuned_configs.hpp"
#include "tuner/model_layers.hpp"

#include "generator/build_parts.hpp"
#include <wino/errors.hpp>

namespace wino {

TunedLookup tuned_lookup(const std::filesystem::path&, const DeviceIdentity&) {
    throw InputError(absent_part(Part::tuner, "a tuning database"));
}

std::pair<DeviceIdentity, TunedLookup> tuned_lookup(const std::filesystem::path&, Backend, const std::string&) {
    throw InputError(absent_part(Part::tuner, "a tuning database"));
}

std::filesystem::path default_tuning_db(const std::string& given) { return given; }

ModelLayers read_model_layers(const std::filesystem::path&, int) { throw InputError(absent_part(Part::tuner, "an ONNX model")); }

}  // namespace wino
