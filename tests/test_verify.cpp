// The exact proofs: they accept correct algorithms (1D and nested 2D, square and
// non-square) and reject any single wrong entry.
#include <wino/errors.hpp>
#include "tests/test_support.hpp"
#include "generator/verify.hpp"

#include <catch2/catch.hpp>

using namespace wino;

namespace {

ToomCook1D standard(int m, int r) { return build_toom_cook(m, r, default_points(m + r - 1)); }

}  // namespace

TEST_CASE("a single wrong entry in any matrix fails the 1D proof") {
    ToomCook1D good = standard(4, 3);
    for (ExactMatrix ToomCook1D::*which : {&ToomCook1D::AT, &ToomCook1D::G, &ToomCook1D::BT}) {
        ToomCook1D bad = good;
        (bad.*which)(1, 1) = (bad.*which)(1, 1) + Exact(1) / 1024;
        auto defect = find_defect_1d(bad);
        REQUIRE(defect);
        CHECK(defect->find("F(4,3)") != std::string::npos);
        CHECK_THROWS_AS(prove(bad), ProofError);
    }
    CHECK_NOTHROW(prove(good));
}

TEST_CASE("swapping two points in G only fails the proof") {
    ToomCook1D t = standard(2, 3);
    for (std::size_t k = 0; k < 3; ++k) std::swap(t.G(1, k), t.G(2, k));
    CHECK(find_defect_1d(t));
}

TEST_CASE("nested 2D algorithms, square and non-square, are proved exact") {
    const std::vector<std::array<int, 4>> nestings = {
        {2, 2, 3, 3}, {4, 4, 3, 3}, {6, 6, 3, 3}, {2, 4, 3, 3}, {4, 2, 3, 5},
        {3, 5, 2, 4}, {1, 6, 3, 3}, {6, 1, 5, 1}, {8, 8, 5, 5}, {10, 4, 7, 3},
    };
    for (auto [m, n, r, s] : nestings) {
        INFO("F(" << m << "x" << n << "," << r << "x" << s << ")");
        ToomCook2D t{standard(m, r), standard(n, s)};
        CHECK_FALSE(find_defect_2d(t));
    }
}

TEST_CASE("nested 2D algorithms with random points are proved exact") {
    std::mt19937 rng(7);
    for (auto [m, n, r, s] : std::vector<std::array<int, 4>>{{4, 6, 3, 3}, {5, 3, 2, 4}, {7, 7, 3, 3}}) {
        ToomCook2D t{build_toom_cook(m, r, test::random_points(m + r - 1, rng)),
                     build_toom_cook(n, s, test::random_points(n + s - 1, rng))};
        CHECK_FALSE(find_defect_2d(t));
    }
}

TEST_CASE("a wrong entry along either axis fails the 2D proof") {
    ToomCook2D good{standard(4, 3), standard(2, 5)};
    ToomCook2D bad_h = good, bad_w = good;
    bad_h.h.BT(2, 3) = bad_h.h.BT(2, 3) + 1;
    bad_w.w.AT(1, 0) = bad_w.w.AT(1, 0) - Exact(1) / 3;
    CHECK(find_defect_2d(bad_h));
    CHECK(find_defect_2d(bad_w));
    CHECK_THROWS_AS(prove(bad_w), ProofError);
}
