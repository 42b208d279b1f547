// Point parsing, validation and the default point table.
#include "points.hpp"

#include "errors.hpp"

#include <fmt/format.h>

#include <array>

namespace wino {
namespace {

// Defaults for alpha = 4..16 are the sets of Barabasz, Anderson, Soodhalter and
// Gregg, "Error analysis and improving the accuracy of Winograd convolution for
// deep neural networks" (arXiv 1803.10986), as Apache TVM ships them
// (python/tvm/topi/nn/winograd_util.py); their printed fp32 errors are below the
// EuroSys'20 Table 3 sets at every alpha (../shared/reference/published-points.json).
// alpha 2 and 3 take the prefix of the alpha = 4 set. Beyond 16 no published set
// exists: the alpha = 16 set grows by the simplest reciprocal pairs not yet used.
constexpr std::array<const char*, 16> published_sets = {
    "",                                                    // alpha 1: infinity only
    "0",                                                   // 2
    "0,-1",                                                // 3
    "0,-1,1",                                              // 4
    "0,-1,1,1/2",                                          // 5
    "0,-1,1,1/2,-2",                                       // 6
    "0,-1,1,1/2,-2,-1/2",                                  // 7
    "0,-1,1,1/2,-1/2,2,-2",                                // 8
    "0,-1,1,1/2,-1/2,2,-2,-1/4",                           // 9
    "0,-1,1,1/2,-1/2,2,-2,-1/4,4",                         // 10
    "0,-1,1,1/2,-1/2,2,-2,-1/4,3/4,-4/3",                  // 11
    "0,-1,1,1/2,-1/2,2,-2,-1/4,4,3/4,-4/3",                // 12
    "0,-1,1,1/2,-1/2,2,-2,-1/4,4,3/4,-4/3,1/4",            // 13
    "0,-1,1,1/2,-1/2,2,-2,-1/4,4,1/4,-3/4,4/3,-4",         // 14
    "0,-1,1,1/2,-1/2,2,-2,-1/4,4,1/4,-3/4,4/3,3/4,-4/3",   // 15
    "0,-1,1,1/2,-1/2,2,-2,-1/4,4,1/4,-3/4,4/3,-4,3/4,-4/3",  // 16
};
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

std::vector<Rational> parse_list(std::string_view list) {
    std::vector<Rational> values;
    for (std::string_view item : split_commas(list)) values.push_back(parse_rational(item, "point"));
    return values;
}

}  // namespace

void validate_points(const PointSet& points, int alpha) {
    const std::size_t wanted = static_cast<std::size_t>(alpha - 1);
    if (points.finite.size() != wanted)
        throw InputError(fmt::format("alpha = {} needs {} finite points (infinity is added), got {}", alpha, wanted,
                                     points.finite.size()));
    for (std::size_t i = 0; i < points.finite.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (points.finite[i] == points.finite[j])
                throw InputError(fmt::format("point {} appears twice", to_string(points.finite[i])));
}

PointSet parse_points(std::string_view list, int alpha) {
    PointSet points{parse_list(list)};
    validate_points(points, alpha);
    return points;
}

PointSet default_points(int alpha) {
    if (alpha < 1 || alpha > max_alpha)
        throw InputError(fmt::format("alpha = {} is outside 1..{}", alpha, max_alpha));
    if (alpha <= static_cast<int>(published_sets.size())) return PointSet{parse_list(published_sets[alpha - 1])};
    PointSet points{parse_list(published_sets.back())};
    std::vector<Rational> extra = parse_list(extension_beyond_16);
    points.finite.insert(points.finite.end(), extra.begin(), extra.begin() + (alpha - 1 - points.finite.size()));
    return points;
}

std::vector<std::string> point_strings(const PointSet& points) {
    std::vector<std::string> out;
    for (const Rational& p : points.finite) out.push_back(to_string(p));
    out.push_back("inf");
    return out;
}

}  // namespace wino
