// Point parsing, validation and the default point table.
#include "generator/points.hpp"

#include "generator/stable_hash.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <stdexcept>

namespace wino {
namespace {

// Defaults: alpha 4..16 come from generator/data/default-points.json, which
// records for each set where it came from (a published set, or `wino-gen search`
// with its seed, trials and budget). alpha 2 and 3 take the prefix of the
// alpha = 4 set. Beyond 16 no set has been searched or published: the alpha = 16
// set grows by the simplest reciprocal pairs not yet used.
constexpr std::array<const char*, 3> smallest_sets = {"", "0", "0,1"};  // alpha 1, 2, 3
constexpr const char* extension_beyond_16 = "2/3,-3/2,-2/3,3/2,1/3,-3,-1/3,3,1/8,-8,-1/8,8,5/4,-4/5,-5/4,4/5";

std::vector<std::string_view> split_commas(std::string_view list) {
    std::vector<std::string_view> items;
    if (list.empty()) return items;
    std::size_t start = 0;
    while (true) {
        std::size_t comma = list.find(',', start);
        items.push_back(list.substr(start, comma - start));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return items;
}

// The finite points of the table's set for alpha, as text.
std::optional<std::string> table_entry(int alpha) {
    static const nlohmann::json table = nlohmann::json::parse(default_points_table());
    const std::string key = std::to_string(alpha);
    if (!table["sets"].contains(key)) return std::nullopt;
    return fmt::format("{}", fmt::join(table["sets"][key]["points"].get<std::vector<std::string>>(), ","));
}

}  // namespace

std::vector<Exact> parse_point_list(std::string_view list) {
    std::vector<Exact> values;
    for (std::string_view item : split_commas(list)) values.push_back(parse_exact(item, "point"));
    return values;
}

void validate_points(const PointSet& points, int alpha) {
    const std::size_t wanted = static_cast<std::size_t>(alpha - 1);
    if (points.finite.size() != wanted)
        throw InputError(fmt::format("alpha = {} needs {} finite points (infinity is added), got {}", alpha, wanted,
                                     points.finite.size()));
    for (std::size_t i = 0; i < points.finite.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (points.finite[i] == points.finite[j])
                throw InputError(fmt::format("point {} appears twice", to_string(points.finite[i])));
    common_radicand(points.finite, "the points");
}

PointSet parse_points(std::string_view list, int alpha) {
    PointSet points{parse_point_list(list)};
    validate_points(points, alpha);
    return points;
}

PointSet points_or_default(std::string_view list, int alpha) {
    return list.empty() ? default_points(alpha) : parse_points(list, alpha);
}

PointSet default_points(int alpha) {
    if (alpha < 1 || alpha > max_alpha)
        throw InputError(fmt::format("alpha = {} is outside 1..{}", alpha, max_alpha));
    if (alpha <= static_cast<int>(smallest_sets.size())) return PointSet{parse_point_list(smallest_sets[alpha - 1])};
    if (auto listed = table_entry(std::min(alpha, 16))) {
        PointSet points{parse_point_list(*listed)};
        if (alpha <= 16) return points;
        std::vector<Exact> extra = parse_point_list(extension_beyond_16);
        points.finite.insert(points.finite.end(), extra.begin(), extra.begin() + (alpha - 1 - points.finite.size()));
        return points;
    }
    throw std::logic_error(fmt::format("the default point table has no entry for alpha {}", alpha));
}

std::string finite_points_text(const PointSet& points) {
    std::vector<std::string> texts;
    for (const Exact& p : points.finite) texts.push_back(to_string(p));
    return fmt::format("{}", fmt::join(texts, ","));
}

std::string points_tag(const PointSet& points) {
    const int alpha = static_cast<int>(points.finite.size()) + 1;
    if (points == default_points(alpha)) return "";
    return fmt::format("p{}", stable_hash(finite_points_text(points)).substr(0, 8));
}

std::vector<std::string> point_strings(const PointSet& points) {
    std::vector<std::string> out;
    for (const Exact& p : points.finite) out.push_back(to_string(p));
    out.push_back("inf");
    return out;
}

}  // namespace wino
