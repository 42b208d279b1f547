// FNV-1a over a text, as 16 hex digits: the same on every build and platform,
// for names that must not change between runs (recipe files, kernel names).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace wino {

inline std::string stable_hash(std::string_view text) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
    return fmt::format("{:016x}", h);
}

}  // namespace wino
