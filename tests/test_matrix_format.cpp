// Renderings: JSON shape and exact strings, the C++ arrays compile and hold the
// nearest floats, text and LaTeX carry the proof statement.
#include "generator/matrix_format.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <cstdio>

using namespace wino;

namespace {

ToomCook1D f23() { return build_toom_cook(2, 3, parse_points("0,1,-1", 4)); }

}  // namespace

TEST_CASE("JSON holds m, r, alpha, points and exact matrices") {
    auto j = nlohmann::ordered_json::parse(render(f23(), MatrixFormat::json));
    CHECK(j["m"] == 2);
    CHECK(j["r"] == 3);
    CHECK(j["alpha"] == 4);
    CHECK(j["points"] == nlohmann::ordered_json({"0", "1", "-1", "inf"}));
    CHECK(j["G"][1] == nlohmann::ordered_json({"1/2", "1/2", "1/2"}));
    CHECK(j["BT"][3] == nlohmann::ordered_json({"0", "-1", "0", "1"}));
    CHECK(j["AT"].size() == 2);
}

TEST_CASE("2D JSON nests the height and width algorithms") {
    ToomCook2D t{f23(), build_toom_cook(4, 5, default_points(8))};
    auto j = nlohmann::ordered_json::parse(render(t, MatrixFormat::json));
    CHECK(j["h"]["m"] == 2);
    CHECK(j["w"]["r"] == 5);
    CHECK(j["w"]["BT"].size() == 8);
}

TEST_CASE("the C++ rendering compiles and holds the nearest floats") {
    ToomCook1D t = build_toom_cook(6, 3, parse_points("0,1,-1,2,-2,1/3,-3", 8));
    const std::string dir = "/tmp/wino-cpp-" + std::to_string(::getpid());
    std::system(("mkdir -p " + dir).c_str());
    {
        std::ofstream header(dir + "/m.hpp");
        header << render(t, MatrixFormat::cpp);
        std::ofstream probe(dir + "/probe.cpp");
        probe << "#include \"m.hpp\"\n#include <cstdio>\nint main() { std::printf(\"%a %a\", F6_3_G[6][1], "
                 "F6_3_BT[7][0]); }\n";
    }
    REQUIRE(std::system(("c++ -std=c++17 -Wall -Werror " + dir + "/probe.cpp -o " + dir + "/probe").c_str()) == 0);
    FILE* pipe = popen((dir + "/probe").c_str(), "r");
    char buffer[128] = {};
    REQUIRE(std::fgets(buffer, sizeof buffer, pipe));
    pclose(pipe);
    char expected[128];
    std::snprintf(expected, sizeof expected, "%a %a", static_cast<double>(to_float(t.G(6, 1))),
                  static_cast<double>(to_float(t.BT(7, 0))));
    CHECK(std::string(buffer) == expected);
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("text and LaTeX show the points and the proof") {
    std::string text = render(f23(), MatrixFormat::text);
    CHECK(text.find("points: 0, 1, -1, inf") != std::string::npos);
    CHECK(text.find("proof: exact") != std::string::npos);
    CHECK(text.find("[   1    0   0 ]") != std::string::npos);
    std::string latex = render(f23(), MatrixFormat::latex);
    CHECK(latex.find("\\frac{1}{2} & -\\frac{1}{2} & \\frac{1}{2}") != std::string::npos);
    CHECK(latex.find("\\begin{bmatrix}") != std::string::npos);
}
