// The accuracy evaluator: the metric on a hand-computed case, exactness where
// fp32 is exact, reproducibility, and the orders against each other.
#include "recipes/accuracy.hpp"
#include <wino/errors.hpp>
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

using namespace wino;

TEST_CASE("the metric on a hand-computed F(2,3) tile") {
    // d and g all ones: every output is 9, each column of Y sums to 18. Scaling g
    // by 1/3 (not exact in fp32) makes Y = 3, and the Winograd error is then the
    // fp32 rounding of G g and the sums, which stays within a few ulps of 3.
    const ToomCook1D t = build_toom_cook(2, 3, parse_points("0,1,-1", 4));
    std::vector<float> d(16, 1.0f), g(9, 1.0f);
    CHECK(tile_relative_error(t, d, g) == 0.0);
    std::fill(g.begin(), g.end(), 1.0f / 3.0f);
    const double error = tile_relative_error(t, d, g);
    // The fp64 reference uses the fp32 inputs: Y = 9 · fl(1/3) = 3 − 9·2^-25·(1/3)…;
    // the fp32 result differs from it by at most 4 ulps of 3 per entry.
    const double ulp3 = std::ldexp(1.0, -22);
    CHECK(error <= 2 * 4 * ulp3 / (2 * 9 * static_cast<double>(1.0f / 3.0f)));
}

TEST_CASE("dyadic inputs through an algorithm with dyadic matrices are exact in fp32") {
    // Points 0, 1, -1: Lagrange denominators are powers of two, so with small
    // dyadic inputs every fp32 operation is exact.
    const ToomCook1D t = build_toom_cook(2, 3, parse_points("0,1,-1", 4));
    for (const ExactMatrix* m : {&t.AT, &t.G, &t.BT})
        for (std::size_t i = 0; i < m->rows(); ++i)
            for (std::size_t j = 0; j < m->cols(); ++j) REQUIRE(((*m)(i, j).is_rational() && cln::logcount(cln::denominator((*m)(i, j).rational_part())) <= 1));
    std::vector<float> d(16), g(9);
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = static_cast<float>(static_cast<int>(i % 7) - 3) / 8.0f;
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<float>(static_cast<int>(i % 5) - 2) / 4.0f;
    CHECK(tile_relative_error(t, d, g) == 0.0);
}

TEST_CASE("the median is reproducible and independent of the thread count") {
    const ToomCook1D t = build_toom_cook(6, 3, default_points(8));
    const AccuracyResult one = measure_accuracy(t, {2000, 7, 1, EvaluationOrder::dense});
    const AccuracyResult two = measure_accuracy(t, {2000, 7, 2, EvaluationOrder::dense});
    CHECK(one.error == two.error);
    CHECK(one.trials == 2000);
    const AccuracyResult other_seed = measure_accuracy(t, {2000, 8, 2, EvaluationOrder::dense});
    CHECK(other_seed.error != one.error);
}

TEST_CASE("errors grow with alpha and sit where published evaluations put them") {
    double previous = 0;
    for (int alpha : {4, 6, 8, 10}) {
        const double e = measure_accuracy(build_toom_cook(alpha - 2, 3, default_points(alpha)), {3000, 1, 0,
                                                                                              EvaluationOrder::dense})
                             .error;
        CHECK(e > previous);
        previous = e;
    }
    // EuroSys'20 Table 3 prints 6.11e-8 for alpha 4 and 1.76e-6 for alpha 8.
    const double e4 = measure_accuracy(build_toom_cook(2, 3, parse_points("0,1,-1", 4)), {3000, 1, 0}).error;
    CHECK(e4 > 3e-8);
    CHECK(e4 < 2e-7);
}

TEST_CASE("the recipe order is as accurate as the dense order, within a small factor") {
    const RecipeSet s = optimize_recipes(build_toom_cook(6, 3, default_points(8)));
    const double dense = measure_accuracy(s, {3000, 3, 0, EvaluationOrder::dense}).error;
    const double recipe = measure_accuracy(s, {3000, 3, 0, EvaluationOrder::recipe}).error;
    CHECK(recipe < 3 * dense);
    CHECK(dense < 3 * recipe);
}

TEST_CASE("bad accuracy options are input errors") {
    const ToomCook1D t = build_toom_cook(2, 3, default_points(4));
    CHECK_THROWS_AS(measure_accuracy(t, {0, 1, 1}), InputError);
    CHECK_THROWS_WITH(parse_evaluation_order("sideways", "the order"), "the order must be dense or recipe, not 'sideways'");
}
