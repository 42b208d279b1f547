// The recipe optimizer: exactness for standard and random configs, the op-count
// targets of the best hand-written transforms, and each pass switchable.
#include <wino/errors.hpp>
#include "recipes/optimizer.hpp"
#include "tests/test_support.hpp"
#include "generator/verify.hpp"

#include <catch2/catch.hpp>

#include <array>

using namespace wino;

namespace {

RecipeSet recipes(int m, int r, const char* points, OptimizerOptions o = {}) {
    return optimize_recipes(build_toom_cook(m, r, parse_points(points, m + r - 1)), o);
}

}  // namespace

TEST_CASE("recipes meet the best hand-written transform counts") {
    struct Target {
        int m, r;
        const char* points;
        int input, filter, output;
    };
    // Per 1D vector, an FMA counts as one; the table of best known counts.
    for (const Target& t : {Target{2, 3, "0,1,-1", 4, 5, 4}, Target{4, 3, "0,1,-1,2,-2", 12, 8, 10},
                            Target{6, 3, "0,1,-1,2,-2,1/2,-1/2", 24, 10, 20}}) {
        INFO("F(" << t.m << "," << t.r << ") points " << t.points);
        RecipeSet s = recipes(t.m, t.r, t.points);
        CHECK(s.input.counts().total() <= t.input);
        CHECK(s.filter.counts().total() <= t.filter);
        CHECK(s.output.counts().total() <= t.output);
    }
}

TEST_CASE("F(4x4,3x3) per 2D tile stays within 144 / 72 / 100") {
    RecipeSet s = recipes(4, 3, "0,1,-1,2,-2");
    CHECK(2 * 6 * s.input.counts().total() <= 144);
    CHECK((3 + 6) * s.filter.counts().total() <= 72);
    CHECK((6 + 4) * s.output.counts().total() <= 100);
}

TEST_CASE("recipes compute their scaled matrices exactly and the scaled algorithm is correct") {
    for (int m = 2; m <= 6; ++m)
        for (int r : {3, 5}) {
            RecipeSet s = optimize_recipes(build_toom_cook(m, r, default_points(m + r - 1)));
            INFO("F(" << m << "," << r << ")");
            CHECK(matrix_of(s.input) == s.algorithm.BT);
            CHECK(matrix_of(s.filter) == s.algorithm.G);
            CHECK(matrix_of(s.output) == s.algorithm.AT);
            CHECK_FALSE(find_defect_1d(s.algorithm));
        }
}

TEST_CASE("recipes for random point sets are proved exact") {
    std::mt19937 rng(42);
    for (int trial = 0; trial < 6; ++trial) {
        const int m = 2 + trial % 4, r = trial % 2 ? 3 : 2;
        RecipeSet s = optimize_recipes(build_toom_cook(m, r, test::random_points(m + r - 1, rng)));
        CHECK_NOTHROW(prove(s));
    }
}

TEST_CASE("every pass can be switched off and the recipe stays exact") {
    const RecipeSet full = recipes(4, 3, "0,1,-1,2,-2");
    const int full_total = full.input.counts().total() + full.filter.counts().total() + full.output.counts().total();
    for (OptimizerOptions o : {OptimizerOptions{false, true, true, true}, OptimizerOptions{true, false, true, true},
                               OptimizerOptions{true, true, false, true}, OptimizerOptions{true, true, true, false},
                               OptimizerOptions{false, false, false, false}}) {
        RecipeSet s = recipes(4, 3, "0,1,-1,2,-2", o);
        CHECK_NOTHROW(prove(s));
        CHECK(s.input.counts().total() + s.filter.counts().total() + s.output.counts().total() >= full_total);
        if (!o.fma) CHECK(s.input.counts().fma + s.filter.counts().fma + s.output.counts().fma == 0);
    }
    RecipeSet plain = recipes(4, 3, "0,1,-1,2,-2", {false, false, false, false});
    CHECK(plain.input.counts().total() > full.input.counts().total());
}

TEST_CASE("without scaling the recipes compute the canonical matrices") {
    const ToomCook1D canonical = build_toom_cook(6, 3, default_points(8));
    RecipeSet s = optimize_recipes(canonical, {true, true, true, false});
    CHECK(s.algorithm.BT == canonical.BT);
    CHECK(s.algorithm.G == canonical.G);
    CHECK(s.algorithm.AT == canonical.AT);
}

TEST_CASE("F(6,3) filter rows for +-1 keep a factor that costs one op wherever the diagonal freedom puts it") {
    // docs/recipes.md: why the filter transform stays at 10 ops, not NNPACK's 9.
    const ToomCook1D canonical = build_toom_cook(6, 3, parse_points("0,1,-1,2,-2,1/2,-1/2", 8));
    const RecipeSet best = optimize_recipes(canonical);
    auto costs = [&](const std::vector<Exact>& in, const std::vector<Exact>& out) {
        const ToomCook1D a = apply_scaling(canonical, in, out);
        return std::array<int, 3>{compile_linear_map(a.BT, false, {}).counts().total(),
                                  compile_linear_map(a.G, false, {}).counts().total(),
                                  compile_linear_map(a.AT, false, {}).counts().total()};
    };
    REQUIRE(costs(best.input_scale, best.output_scale) == std::array<int, 3>{24, 10, 20});
    // The ±1 rows of G (points 1 and −1: rows 1 and 2) share one factor with no
    // unit coefficient left; dividing it out leaves (1, ±1, 1).
    const Exact factor = best.algorithm.G(1, 0);
    CHECK(!is_unit(factor));
    for (std::size_t k = 0; k < 3; ++k) CHECK(is_unit(best.algorithm.G(2, k) / factor));
    auto moved = [&](std::vector<Exact> scale) {
        scale[1] = scale[1] * factor;
        scale[2] = scale[2] * factor;
        return scale;
    };
    CHECK(costs(best.input_scale, moved(best.output_scale)) == std::array<int, 3>{24, 9, 21});
    CHECK(costs(moved(best.input_scale), best.output_scale) == std::array<int, 3>{25, 9, 20});
}

TEST_CASE("factoring a common coefficient pays without FMA") {
    ExactMatrix half(1, 3);
    for (std::size_t k = 0; k < 3; ++k) half(0, k) = Exact(1) / 2;
    CHECK(compile_linear_map(half, false, {true, true, false, true}).counts().total() == 3);
    CHECK(compile_linear_map(half, false, {true, false, false, true}).counts().total() == 5);
}

TEST_CASE("a tampered recipe fails its proof") {
    for (Recipe RecipeSet::*part : {&RecipeSet::input, &RecipeSet::filter, &RecipeSet::output}) {
        RecipeSet s = recipes(4, 3, "0,1,-1,2,-2");
        Op& op = (s.*part).ops.front();
        op.code = op.code == Opcode::add ? Opcode::sub : Opcode::add;
        if (op.b < 0) op.b = 0;
        CHECK_THROWS_AS(prove(s), ProofError);
    }
}

TEST_CASE("algebraic recipes: sqrt(2) times a value is one multiply, and the sqrt(2) F(4,3) costs a tile what 0, +-1, +-2 does") {
    ExactMatrix one(1, 1);
    one(0, 0) = Exact(0, 1, 2) * 3 / 4;
    const Recipe scaled = compile_linear_map(one, false, {});
    REQUIRE(scaled.ops.size() == 1);
    CHECK(scaled.ops[0].code == Opcode::mul);
    CHECK(scaled.ops[0].c == one(0, 0));
    // x0·√2/2 + x1·√2/2 factors to (x0 + x1)·√2/2 without FMA.
    ExactMatrix row(1, 2);
    row(0, 0) = row(0, 1) = Exact(0, 1, 2) / 2;
    CHECK(compile_linear_map(row, false, {true, true, false, true}).counts().total() == 2);

    const RecipeSet root2 = recipes(4, 3, "0,sqrt2,-sqrt2,sqrt2/2,-sqrt2/2");
    const RecipeSet rational = recipes(4, 3, "0,1,-1,2,-2");
    CHECK(matrix_of(root2.input) == root2.algorithm.BT);
    CHECK(matrix_of(root2.filter) == root2.algorithm.G);
    CHECK(matrix_of(root2.output) == root2.algorithm.AT);
    CHECK_FALSE(find_defect_1d(root2.algorithm));
    CHECK(root2.input.counts().total() <= rational.input.counts().total());
    CHECK(root2.filter.counts().total() <= rational.filter.counts().total() + 1);  // once per weight, not per tile
    CHECK(root2.output.counts().total() <= rational.output.counts().total());
}

TEST_CASE("recipes for random algebraic point sets are proved exact, with every pass on or off") {
    std::mt19937 rng(1201);
    for (long d : {2L, 3L, 5L})
        for (int trial = 0; trial < 3; ++trial) {
            const int m = 2 + trial, r = 3;
            const ToomCook1D t = build_toom_cook(m, r, test::random_points(m + r - 1, rng, d));
            for (OptimizerOptions o : {OptimizerOptions{}, OptimizerOptions{false, false, false, false}}) {
                INFO("F(" << m << ",3) in Q(sqrt " << d << "), cse " << o.cse);
                CHECK_NOTHROW(prove(optimize_recipes(t, o)));
            }
        }
}
