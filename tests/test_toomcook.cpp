// The Toom-Cook construction: known matrices, integrality by fractions placement,
// and proofs for every F(m,r) with alpha 2..20, default and random points.
#include <wino/errors.hpp>
#include "tests/test_support.hpp"
#include "generator/toomcook.hpp"
#include "generator/verify.hpp"

#include <catch2/catch.hpp>

using namespace wino;

namespace {

ExactMatrix matrix(std::vector<std::vector<const char*>> rows) {
    ExactMatrix m(rows.size(), rows[0].size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[i].size(); ++j) m(i, j) = parse_exact(rows[i][j], "entry");
    return m;
}

bool all_integer(const ExactMatrix& m) {
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

TEST_CASE("algebraic points of Q(sqrt 2), Q(sqrt 3), Q(sqrt 5) build exact algorithms that prove") {
    std::mt19937 rng(20261201);
    for (long d : {2L, 3L, 5L})
        for (int alpha = 3; alpha <= 12; ++alpha)
            for (int r : {2, 3, 5}) {
                if (r >= alpha) continue;
                const int m = alpha - r + 1;
                ToomCook1D t = build_toom_cook(m, r, test::random_points(alpha, rng, d));
                INFO("F(" << m << "," << r << ") in Q(sqrt " << d << ")");
                CHECK_FALSE(find_defect_1d(t));
            }
    // ncnn's F(4,3) points: G's rows are 1, p, p² up to a rational scale, and the
    // matrices hold no radical but sqrt(2).
    const ToomCook1D t = build_toom_cook(4, 3, parse_points("0,sqrt2,-sqrt2,sqrt2/2,-sqrt2/2", 6));
    CHECK_FALSE(find_defect_1d(t));
    for (std::size_t l = 1; l < 5; ++l) {
        const Exact p = t.points.finite[l];
        CHECK(t.G(l, 1) == t.G(l, 0) * p);
        CHECK(t.G(l, 2) == t.G(l, 0) * p * p);
    }
    for (const ExactMatrix* m : {&t.AT, &t.G, &t.BT})
        for (std::size_t i = 0; i < m->rows(); ++i)
            for (std::size_t j = 0; j < m->cols(); ++j) CHECK(((*m)(i, j).is_rational() || (*m)(i, j).radicand() == 2));
    ToomCook2D nested{t, build_toom_cook(2, 3, parse_points("0,1,-1", 4))};
    CHECK_FALSE(find_defect_2d(nested));
}

TEST_CASE("a wrong algebraic entry is caught by the exact proof") {
    ToomCook1D t = build_toom_cook(4, 3, parse_points("0,sqrt2,-sqrt2,sqrt2/2,-sqrt2/2", 6));
    // 1.4142135 is sqrt(2) to fp32 accuracy, but not sqrt(2).
    t.BT(1, 1) = t.BT(1, 1) * parse_exact("14142135/10000000", "x") / Exact(0, 1, 2);
    CHECK(find_defect_1d(t));
    CHECK_THROWS_AS(prove(t), ProofError);
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
