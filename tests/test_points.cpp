// Point lists: parsing, validation, the default table.
#include <wino/errors.hpp>
#include "generator/points.hpp"

#include <catch2/catch.hpp>

using namespace wino;

TEST_CASE("a point list parses in order and lists infinity last") {
    PointSet p = parse_points("0,1,-1,1/2,-2", 6);
    CHECK(point_strings(p) == std::vector<std::string>{"0", "1", "-1", "1/2", "-2", "inf"});
}

TEST_CASE("duplicate points are refused, also when spelled differently") {
    CHECK_THROWS_WITH(parse_points("0,1,1", 4), "point 1 appears twice");
    CHECK_THROWS_WITH(parse_points("0,1/2,2/4", 4), "point 1/2 appears twice");
}

TEST_CASE("the number of points must be alpha - 1") {
    CHECK_THROWS_AS(parse_points("0,1", 4), InputError);
    CHECK_THROWS_AS(parse_points("0,1,-1,2", 4), InputError);
    CHECK_THROWS_AS(parse_points("0,1,", 4), InputError);
}

TEST_CASE("default points exist for every alpha and are distinct") {
    for (int alpha = 1; alpha <= max_alpha; ++alpha) {
        PointSet p = default_points(alpha);
        CHECK_NOTHROW(validate_points(p, alpha));
    }
    CHECK_THROWS_AS(default_points(max_alpha + 1), InputError);
    CHECK(point_strings(default_points(4)) == std::vector<std::string>{"0", "1", "-1", "inf"});
    CHECK(point_strings(default_points(3)) == std::vector<std::string>{"0", "1", "inf"});
}

TEST_CASE("algebraic points: one field per set, duplicates seen through any spelling") {
    const PointSet ncnn = parse_points("0,sqrt2,-sqrt2,sqrt(2)/2,-1/sqrt(2)", 6);
    CHECK(point_strings(ncnn) == std::vector<std::string>{"0", "sqrt(2)", "-sqrt(2)", "sqrt(2)/2", "-sqrt(2)/2", "inf"});
    CHECK(parse_points(finite_points_text(ncnn), 6) == ncnn);
    CHECK_THROWS_AS(parse_points("0,sqrt2,sqrt3,1,-1", 6), InputError);       // two fields
    CHECK_THROWS_AS(parse_points("0,sqrt2,2/sqrt(2),1,-1", 6), InputError);   // sqrt(2) twice
    CHECK_THROWS_AS(parse_points("0,sqrt(-2),1,-1,2", 6), InputError);        // not real
    CHECK(parse_points("0,1,-1,1+sqrt(5),1-sqrt(5)", 6).finite[3] == 1 + Exact(0, 1, 5));
}
