// Readable JSON layout: objects and arrays of containers open one level per
// line; arrays of scalars and leaf objects stay on one line.
#include "generator/json_text.hpp"

#include <fmt/format.h>

namespace wino {
namespace {

bool holds_containers(const nlohmann::ordered_json& v) {
    for (const auto& item : v)
        if (item.is_structured()) return true;
    return false;
}

void write(const nlohmann::ordered_json& v, int depth, std::string& out) {
    if (!v.is_structured() || !holds_containers(v)) {
        out += v.dump();
        return;
    }
    const std::string pad(2 * (depth + 1), ' ');
    const bool object = v.is_object();
    out += object ? "{\n" : "[\n";
    std::size_t n = 0;
    for (auto it = v.begin(); it != v.end(); ++it, ++n) {
        out += pad;
        if (object) out += nlohmann::ordered_json(it.key()).dump() + ": ";
        write(*it, depth + 1, out);
        out += n + 1 < v.size() ? ",\n" : "\n";
    }
    out += std::string(2 * depth, ' ') + (object ? "}" : "]");
}

}  // namespace

std::string to_readable_json(const nlohmann::ordered_json& value) {
    std::string out;
    write(value, 0, out);
    return out + "\n";
}

}  // namespace wino
