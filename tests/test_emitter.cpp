// The emitter: template filling, unroll factors, the emitted kernels' names,
// comments and constants.
#include "templates/emitter.hpp"
#include "templates/meta_code.hpp"
#include "recipes/recipe_db.hpp"

#include <catch2/catch.hpp>

using namespace wino;

TEST_CASE("the filler refuses a placeholder without a value and a value without a placeholder") {
    CHECK(fill_template("a %(x) b %(y)", {{"x", "1"}, {"y", "2"}}) == "a 1 b 2");
    CHECK_THROWS_WITH(fill_template("a %(x)", {}), Catch::Contains("%(x)"));
    CHECK_THROWS_WITH(fill_template("a", {{"x", "1"}}), Catch::Contains("'x'"));
}

TEST_CASE("the unroll factor is the closest divisor, else the full loop") {
    CHECK(effective_unroll(6, 4) == 3);
    CHECK(effective_unroll(6, 2) == 2);
    CHECK(effective_unroll(6, 0) == 6);
    CHECK(effective_unroll(8, 6) == 8);
    CHECK(effective_unroll(5, 2) == 5);
    CHECK(effective_unroll(5, 1) == 1);
    CHECK(effective_unroll(12, 5) == 6);
    CHECK(effective_unroll(3, 9) == 3);
}

TEST_CASE("emitted code names F(m,r), the points and the op counts, constants with their exact value") {
    const RecipeSet s = recipes_for(4, 3, default_points(6), {});
    const EmittedKernel k = emit_kernel(KernelKind::input_transform, ConvAlgorithm::square(s), KernelParams(), Backend::glsl);
    CHECK(k.source.find("F(4x4,3x3)") != std::string::npos);
    CHECK(k.source.find("points") != std::string::npos);
    CHECK(k.source.find("1D recipe ops") != std::string::npos);
    CHECK(k.source.find("1.4142135f /* sqrt(2) */") != std::string::npos);
    CHECK(k.source.find("/* -5/2 */") != std::string::npos);
    CHECK(k.name == "wino_f4_3_input_transform_ufull_wg64_tt4");
}
