// The point parser: any text, any alpha from the first byte.
#include <wino/errors.hpp>
#include "generator/points.hpp"

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const int alpha = data[0] % 40 - 2;  // past both ends of 2..max_alpha too
    try {
        wino::parse_points(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), alpha);
    } catch (const wino::InputError&) {
    }
    return 0;
}
