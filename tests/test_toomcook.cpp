// The Toom-Cook construction: known matrices, integrality by fractions placement,
// and proofs for every F(m,r) with alpha 2..20, default and random points.
#include <wino/errors.hpp>
#include "test_support.hpp"
#include "toomcook.hpp"
#include "verify.hpp"

#include <catch2/catch.hpp>

using namespace wino;

namespace {

RationalMatrix matrix(std::vector<std::vector<const char*>> rows) {
    RationalMatrix m(rows.size(), rows[0].size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[i].size(); ++j) m(i, j) = parse_rational(rows[i][j], "entry");
    return m;
}

bool all_integer(const RationalMatrix& m) {
    for (std::size_t i = 0; i < m.rows(); ++i)
        for (std::size_t j = 0; j < m.cols(); ++j)
            if (!is_integer(m(i, j))) return false;
    return true;
}

}  // namespace

TEST_CASE("F(2,3) with points 0, 1, -1 is the classic Lavin-Gray algorithm") {
    ToomCook1D t = build_toom_cook(2, 3, parse_points("0,1,-1", 4));
    CHECK(t.AT == matrix({{"1", "1", "1", "0"}, {"0", "1", "-1", "1"}}));
    CHECK(t.G == matrix({{"1", "0", "0"}, {"1/2", "1/2", "1/2"}, {"1/2", "-1/2", "1/2"}, {"0", "0", "1"}}));
    CHECK(t.BT == matrix({{"1", "0", "-1", "0"}, {"0", "1", "1", "0"}, {"0", "-1", "1", "0"}, {"0", "-1", "0", "1"}}));
}

TEST_CASE("F(4,3) with points 0, 1, -1, 2, -2 matches the published matrices") {
    ToomCook1D t = build_toom_cook(4, 3, parse_points("0,1,-1,2,-2", 6));
    CHECK(t.BT == matrix({{"4", "0", "-5", "0", "1", "0"},
                          {"0", "4", "4", "-1", "-1", "0"},
                          {"0", "-4", "4", "1", "-1", "0"},
                          {"0", "-2", "-1", "2", "1", "0"},
                          {"0", "2", "-1", "-2", "1", "0"},
                          {"0", "4", "0", "-5", "0", "1"}}));
    CHECK(t.G == matrix({{"1/4", "0", "0"},
                         {"1/6", "1/6", "1/6"},
                         {"1/6", "-1/6", "1/6"},
                         {"1/24", "1/12", "1/6"},
                         {"1/24", "-1/12", "1/6"},
                         {"0", "0", "1"}}));
    CHECK(t.AT == matrix({{"1", "1", "1", "1", "1", "0"},
                          {"0", "1", "-1", "2", "-2", "0"},
                          {"0", "1", "1", "4", "4", "0"},
                          {"0", "1", "-1", "8", "-8", "1"}}));
}

TEST_CASE("the fractions land in the chosen matrix, the other two are integer") {
    const PointSet points = parse_points("0,1,-1,1/2,-2,2/3,-3/4", 8);
    ToomCook1D g = build_toom_cook(4, 5, points, FractionsIn::G);
    CHECK((all_integer(g.AT) && all_integer(g.BT)));
    CHECK_FALSE(all_integer(g.G));
    ToomCook1D a = build_toom_cook(4, 5, points, FractionsIn::A);
    CHECK((all_integer(a.G) && all_integer(a.BT)));
    CHECK_FALSE(all_integer(a.AT));
    ToomCook1D b = build_toom_cook(4, 5, points, FractionsIn::B);
    CHECK((all_integer(b.AT) && all_integer(b.G)));
    CHECK_FALSE(all_integer(b.BT));
    for (const ToomCook1D* t : {&g, &a, &b}) CHECK_FALSE(find_defect_1d(*t));
}

TEST_CASE("every F(m,r) with alpha 2..20 is proved exact with the default points") {
    for (int alpha = 2; alpha <= 20; ++alpha)
        for (int r = 1; r <= alpha; ++r) {
            const int m = alpha - r + 1;
            for (FractionsIn where : {FractionsIn::G, FractionsIn::A, FractionsIn::B}) {
                ToomCook1D t = build_toom_cook(m, r, default_points(alpha), where);
                INFO("F(" << m << "," << r << ") fractions in " << to_string(where));
                CHECK_FALSE(find_defect_1d(t));
            }
        }
}

TEST_CASE("every F(m,r) with alpha 2..20 is proved exact with random rational points") {
    std::mt19937 rng(20261121);
    for (int alpha = 2; alpha <= 20; ++alpha)
        for (int r = 1; r <= alpha; ++r) {
            const int m = alpha - r + 1;
            ToomCook1D t = build_toom_cook(m, r, test::random_points(alpha, rng));
            INFO("F(" << m << "," << r << ") points " << point_strings(t.points).size());
            CHECK_FALSE(find_defect_1d(t));
        }
}

TEST_CASE("the largest tiles build and prove") {
    CHECK_FALSE(find_defect_1d(build_toom_cook(max_alpha - 2, 3, default_points(max_alpha))));
}

TEST_CASE("bad tiles are input errors") {
    CHECK_THROWS_AS(build_toom_cook(0, 3, default_points(2)), InputError);
    CHECK_THROWS_AS(build_toom_cook(2, 0, default_points(1)), InputError);
    CHECK_THROWS_AS(validate_tile(max_alpha, 2), InputError);
    CHECK_THROWS_AS(build_toom_cook(2, 3, default_points(5)), InputError);
}
