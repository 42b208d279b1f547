// Recipe JSON round trip and refusal of malformed recipes; the C rendering
// compiles and agrees with exact evaluation.
#include <wino/errors.hpp>
#include "recipes/optimizer.hpp"
#include "recipes/recipe_format.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <cstdio>

using namespace wino;
using Json = nlohmann::ordered_json;

namespace {

RecipeSet f43(const char* points = "0,1,-1,2,-2") { return optimize_recipes(build_toom_cook(4, 3, parse_points(points, 6))); }
constexpr const char* root2_points = "0,sqrt2,-sqrt2,sqrt2/2,-sqrt2/2";

}  // namespace

TEST_CASE("recipe JSON has inputs, outputs, ops and counts, and reads back") {
    const Recipe r = f43().input;
    Json j = to_json(r);
    CHECK(j["inputs"].size() == 6);
    CHECK(j["outputs"].size() == 6);
    CHECK(j["counts"]["total"] == r.counts().total());
    CHECK(j["counts"]["add"] == r.counts().add);
    for (const Json& op : j["ops"]) {
        CHECK(op.contains("dst"));
        CHECK(std::string("add sub neg mul fma copy").find(op["op"].get<std::string>()) != std::string::npos);
    }
    const Recipe back = recipe_from_json(j);
    CHECK(matrix_of(back) == matrix_of(r));
    CHECK(back.counts() == r.counts());
}

TEST_CASE("algebraic constants are written exactly as text and read back to the same field elements") {
    for (const Recipe& r : {f43(root2_points).input, f43(root2_points).filter, f43(root2_points).output}) {
        const Json j = to_json(r);
        CHECK(j.dump().find("sqrt(2)") != std::string::npos);
        const Recipe back = recipe_from_json(Json::parse(j.dump()));
        CHECK(matrix_of(back) == matrix_of(r));
    }
}

TEST_CASE("malformed recipe JSON is refused with the reason") {
    const Json good = to_json(f43().input);
    auto edited = [&](auto change) {
        Json j = good;
        change(j);
        return j;
    };
    CHECK_THROWS_WITH(recipe_from_json(edited([](Json& j) { j.erase("ops"); })), Catch::Contains("'ops'"));
    CHECK_THROWS_WITH(recipe_from_json(edited([](Json& j) { j["ops"][0]["op"] = "div"; })),
                      Catch::Contains("unknown recipe op 'div'"));
    CHECK_THROWS_WITH(recipe_from_json(edited([](Json& j) { j["ops"][0]["args"][0] = "nowhere"; })),
                      Catch::Contains("before defining"));
    CHECK_THROWS_WITH(recipe_from_json(edited([](Json& j) { j["counts"]["total"] = 1; })),
                      Catch::Contains("counts"));
    CHECK_THROWS_AS(recipe_from_json(edited([](Json& j) {
                        for (Json& op : j["ops"])
                            if (op["op"] == "fma") op["args"][1] = "1/0";
                    })),
                    InputError);
}

TEST_CASE("the C rendering compiles and matches exact evaluation") {
    const RecipeSet s = GENERATE(as<const char*>{}, "0,1,-1,2,-2", root2_points) == std::string(root2_points)
                            ? f43(root2_points)
                            : f43();
    const std::string dir = "/tmp/wino-c-" + std::to_string(::getpid());
    std::system(("mkdir -p " + dir).c_str());
    std::vector<std::string> inputs;
    for (int j = 0; j < 6; ++j) inputs.push_back("x[" + std::to_string(j) + "]");
    {
        std::ofstream c(dir + "/input.c");
        c << "#include <math.h>\n#include <stdio.h>\nint main(void) {\n  const float x[6] = {0.5f, -1.25f, 2.0f, "
             "0.75f, -3.0f, 1.5f};\n";
        c << render_statements(s.input, Dialect{}, inputs, "  ");
        const auto names = s.input.value_names();
        for (int out : s.input.outputs) c << "  printf(\"%.9g\\n\", (double)" << names[out] << ");\n";
        c << "  return 0;\n}\n";
    }
    REQUIRE(std::system(("cc -std=c99 -Wall -Werror " + dir + "/input.c -lm -o " + dir + "/input").c_str()) == 0);
    FILE* pipe = popen((dir + "/input").c_str(), "r");
    const std::vector<Exact> x = {Exact(1) / 2, Exact(-5) / 4, 2, Exact(3) / 4, -3, Exact(3) / 2};
    const ExactMatrix bt = s.algorithm.BT;
    for (std::size_t i = 0; i < 6; ++i) {
        double got = 0;
        REQUIRE(std::fscanf(pipe, "%lf", &got) == 1);
        Exact exact = 0;
        for (std::size_t j = 0; j < 6; ++j) exact = exact + bt(i, j) * x[j];
        CHECK(got == Approx(to_double(exact)).margin(1e-6));
    }
    pclose(pipe);
    std::system(("rm -rf " + dir).c_str());
}
