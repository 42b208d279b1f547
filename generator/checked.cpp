// Checked parsing and saturating sizes.
#include "generator/checked.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <charconv>
#include <climits>

namespace wino {

void check_range(long long value, long long min, long long max, std::string_view what) {
    if (value < min || value > max) throw InputError(fmt::format("{} must be from {} to {}, not {}", what, min, max, value));
}

long long parse_integer(std::string_view text, long long min, long long max, std::string_view what) {
    long long value = 0;
    const char* first = text.data() + (text.size() > 1 && text[0] == '+');
    const auto [end, error] = std::from_chars(first, text.data() + text.size(), value);
    const std::string shown(text.substr(0, 40));
    if (text.empty() || error == std::errc::invalid_argument || end != text.data() + text.size())
        throw InputError(fmt::format("{} must be an integer from {} to {}, not '{}'", what, min, max, shown));
    if (error == std::errc::result_out_of_range || value < min || value > max)
        throw InputError(fmt::format("{} must be an integer from {} to {}, not {}", what, min, max, shown));
    return value;
}

long long json_integer(const nlohmann::json& value, long long min, long long max, std::string_view what) {
    if (value.is_number_unsigned() && value.get<unsigned long long>() > static_cast<unsigned long long>(LLONG_MAX))
        throw InputError(fmt::format("{} must be an integer from {} to {}, not {}", what, min, max, value.dump()));
    if (!value.is_number_integer())
        throw InputError(fmt::format("{} must be an integer from {} to {}, not {}", what, min, max, value.dump()));
    const long long v = value.get<long long>();
    if (v < min || v > max) throw InputError(fmt::format("{} must be an integer from {} to {}, not {}", what, min, max, v));
    return v;
}

long long saturating_product(std::initializer_list<long long> factors) {
    long long product = 1;
    for (long long f : factors)
        if (__builtin_mul_overflow(product, f, &product)) return LLONG_MAX;
    return product;
}

}  // namespace wino
