// JSON text for people and programs at once: one key per line, each matrix row
// or recipe op on a line of its own, instead of one number per line.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace wino {

std::string to_readable_json(const nlohmann::ordered_json& value);

}  // namespace wino
