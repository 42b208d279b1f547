// Interpolation points of a Toom-Cook algorithm: α−1 distinct finite points of one
// field (rationals, or Q(√d) as 0, ±√2, ±√2/2) plus the point at infinity
// (always present, never listed by the user).
#pragma once

#include "generator/exact.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace wino {

// Largest tile size α = m + r − 1 the engine accepts; the default table covers it.
inline constexpr int max_alpha = 32;

struct PointSet {
    std::vector<Exact> finite;  // in row order; infinity is the last row
    friend bool operator==(const PointSet&, const PointSet&) = default;  // same points in the same order
};

// Parses "0,1,-1,1/2" as they are, with no count or duplicate check.
std::vector<Exact> parse_point_list(std::string_view list);

// Parses "0,1,-1,1/2" or "0,sqrt2,-sqrt2,sqrt(2)/2,-sqrt(2)/2" for a tile of
// size alpha; throws InputError on a bad entry, a duplicate, points of two
// fields, or a count other than alpha − 1.
PointSet parse_points(std::string_view list, int alpha);

// What every --points flag means: the list parsed for alpha, or the default
// set when it is empty.
PointSet points_or_default(std::string_view list, int alpha);

// Checks count, distinctness and the one field of already-parsed points.
void validate_points(const PointSet& points, int alpha);

// The best-known points for alpha (see points.cpp for the sources).
PointSet default_points(int alpha);

// "0, 1, -1, inf"-style listing, and the JSON form: finite points then "inf".
std::vector<std::string> point_strings(const PointSet& points);
// The finite points as parse_points reads them: "0,1,-1,1/2".
std::string finite_points_text(const PointSet& points);

// Their part of kernel and set names: "" for the default set of their alpha,
// else "p" and 8 hex digits of a stable hash of finite_points_text.
std::string points_tag(const PointSet& points);

// The default table as JSON text ({"sets": {"alpha": {"points": [...], ...}}}),
// embedded from generator/data/default-points.json at build time.
const char* default_points_table();

}  // namespace wino
