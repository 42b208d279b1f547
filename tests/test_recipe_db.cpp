// The recipe database: every standard file loads and is proved; edited or
// corrupt files are refused; other configs are generated into the cache once.
#include <wino/errors.hpp>
#include "generator/json_text.hpp"
#include "recipes/recipe_db.hpp"
#include "tests/test_support.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

using namespace wino;
using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

fs::path scratch_dir(const char* name) {
    fs::path dir = fs::temp_directory_path() / fmt::format("wino-db-{}-{}", name, ::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

Json read_json(const fs::path& p) { return Json::parse(test::slurp(p.string())); }

void write_json(const fs::path& p, const Json& j) { std::ofstream(p) << j.dump(); }

fs::path standard_file(int m, int r) { return database_dir() / fmt::format("F{}_{}.json", m, r); }

}  // namespace

TEST_CASE("every standard config is in the database and proves exact on load") {
    for (auto [m, r] : standard_configs()) {
        INFO(standard_file(m, r));
        REQUIRE(fs::exists(standard_file(m, r)));
        RecipeSet s = load_recipe_file(standard_file(m, r));
        CHECK(s.algorithm.m == m);
        CHECK(s.algorithm.r == r);
        CHECK(s.options == OptimizerOptions{});
    }
}

TEST_CASE("the small database files are what the optimizer produces today") {
    for (auto [m, r] : standard_configs()) {
        if (m + r - 1 > 8) continue;
        INFO("F(" << m << "," << r << ")");
        const RecipeSet fresh = optimize_recipes(build_toom_cook(m, r, default_points(m + r - 1)));
        CHECK(read_json(standard_file(m, r)) == to_recipe_file(fresh));
    }
}

TEST_CASE("every database file is what the optimizer produces today", "[.][long]") {
    for (auto [m, r] : standard_configs()) {
        INFO("F(" << m << "," << r << ")");
        const RecipeSet fresh = optimize_recipes(build_toom_cook(m, r, default_points(m + r - 1)));
        CHECK(read_json(standard_file(m, r)) == to_recipe_file(fresh));
    }
}

TEST_CASE("an edited or corrupt recipe file is refused with its path and reason") {
    const fs::path dir = scratch_dir("corrupt");
    const Json good = read_json(standard_file(4, 3));
    const fs::path file = dir / "F4_3.json";
    auto refused = [&](const Json& j, const std::string& reason) {
        write_json(file, j);
        INFO(reason);
        CHECK_THROWS_WITH(load_recipe_file(file), Catch::Contains(file.string()) && Catch::Contains(reason));
    };
    Json changed_constant = good;
    for (Json& op : changed_constant["input"]["ops"])
        if (op["op"] == "fma") {
            op["args"][1] = "-3";
            break;
        }
    refused(changed_constant, "does not compute its matrix");
    Json changed_point = good;
    changed_point["points"][4] = "3";
    refused(changed_point, "does not compute");
    Json changed_scale = good;
    changed_scale["scaling"]["output"][0] = "7";
    refused(changed_scale, "does not compute");
    Json no_filter = good;
    no_filter.erase("filter");
    refused(no_filter, "missing field 'filter'");
    Json wrong_format = good;
    wrong_format["format"] = "something else";
    refused(wrong_format, "'format'");
    Json wrapping_m = good;
    wrapping_m["m"] = 4294967298LL;  // 2 when narrowed to 32 bits
    refused(wrapping_m, "field 'm' must be an integer from 0 to 32, not 4294967298");
    Json past_64_bits = good;
    past_64_bits["r"] = 18446744073709551615ULL;
    refused(past_64_bits, "field 'r' must be an integer");
    CHECK_THROWS_WITH(load_recipe_file(dir), Catch::Contains("cannot read it"));  // a folder where a file should be
    std::ofstream(file) << "{ \"format\": ";
    CHECK_THROWS_WITH(load_recipe_file(file), Catch::Contains("not valid JSON"));
    fs::remove_all(dir);
}

TEST_CASE("other configs are generated once into the cache, atomically") {
    const fs::path cache = scratch_dir("cache");
    ::setenv("XDG_CACHE_HOME", cache.c_str(), 1);
    const PointSet points = parse_points("0,1,-1,1/3", 5);
    std::vector<std::string> said;
    auto progress = [&](const std::string& line) { said.push_back(line); };
    RecipeSet first = recipes_for(3, 3, points, {}, progress);
    REQUIRE(said.size() == 1);
    CHECK(said[0].find("generating") != std::string::npos);
    const fs::path file = cache_dir() / recipe_file_name(3, 3, points, {});
    CHECK(fs::exists(file));
    CHECK(file.parent_path() == cache / "wino-gen");
    for (const auto& entry : fs::directory_iterator(file.parent_path()))
        CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
    RecipeSet again = recipes_for(3, 3, points, {}, progress);
    CHECK(said.size() == 1);
    CHECK(matrix_of(again.input) == matrix_of(first.input));
    std::ofstream(file) << "garbage";
    recipes_for(3, 3, points, {}, progress);
    CHECK(said.size() == 3);
    CHECK(said[1].find("ignoring a bad cached recipe") != std::string::npos);
    CHECK(load_recipe_file(file).algorithm.m == 3);
    ::unsetenv("XDG_CACHE_HOME");
    fs::remove_all(cache);
}

TEST_CASE("file names: standard configs by name, others with a hash of points and options") {
    CHECK(recipe_file_name(4, 3, default_points(6), {}) == "F4_3.json");
    const std::string custom = recipe_file_name(4, 3, parse_points("0,1,-1,2,-2", 6), {});
    CHECK(custom.rfind("F4_3-", 0) == 0);
    CHECK(custom != recipe_file_name(4, 3, parse_points("0,1,-1,2,-2", 6), {true, true, false, true}));
}
