// Numbers from outside (command line, layer files, .npy headers, JSON) read as
// checked 64-bit values against a stated range, and products of sizes that
// cannot wrap. Out of range is an InputError naming what was read and the range.
#pragma once

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

namespace wino {

// A decimal integer, optionally signed, nothing else; "what" names it in the
// message: "--pad must be an integer from 0 to 65536, not '2147483648'".
long long parse_integer(std::string_view text, long long min, long long max, std::string_view what);

// A JSON value that must be an integer in [min, max] (not a float, not a
// string, not past 64 bits).
long long json_integer(const nlohmann::json& value, long long min, long long max, std::string_view what);

// Throws InputError "<what> must be from <min> to <max>, not <value>".
void check_range(long long value, long long min, long long max, std::string_view what);

// The product of non-negative factors, or LLONG_MAX when it would pass it:
// a size past every limit compares as too large instead of wrapping.
long long saturating_product(std::initializer_list<long long> factors);

}  // namespace wino
