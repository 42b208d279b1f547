// Recipe files: format, validation, database and cache lookup.
#include "recipes/recipe_db.hpp"

#include "generator/atomic_file.hpp"
#include "generator/checked.hpp"
#include <wino/errors.hpp>
#include "generator/install_paths.hpp"
#include "generator/json_text.hpp"
#include "recipes/recipe_format.hpp"
#include "generator/stable_hash.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace wino {
namespace {

constexpr const char* format_tag = "wino-gen-recipe/1";

using Json = nlohmann::ordered_json;

// "balanced" only when on: the files (and file-name hashes) of every earlier
// recipe stay what they were.
Json options_json(const OptimizerOptions& o) {
    Json j = {{"cse", o.cse}, {"factor", o.factor}, {"fma", o.fma}, {"scaling", o.scaling}};
    if (o.balanced) j["balanced"] = true;
    return j;
}

Json rationals_json(const std::vector<Exact>& v) {
    Json out = Json::array();
    for (const Exact& x : v) out.push_back(to_string(x));
    return out;
}

const Json& require(const Json& j, const char* key) {
    if (!j.is_object() || !j.contains(key)) throw InputError(fmt::format("missing field '{}'", key));
    return j.at(key);
}

int require_int(const Json& j, const char* key) {
    return static_cast<int>(json_integer(require(j, key), 0, max_alpha, fmt::format("field '{}'", key)));
}

std::vector<Exact> require_rationals(const Json& j, const char* key, std::size_t size) {
    const Json& v = require(j, key);
    if (!v.is_array() || v.size() != size) throw InputError(fmt::format("field '{}' needs {} entries", key, size));
    std::vector<Exact> out;
    for (const Json& x : v) {
        if (!x.is_string()) throw InputError(fmt::format("field '{}' holds a non-string", key));
        out.push_back(parse_exact(x.get<std::string>(), key));
        if (is_zero(out.back())) throw InputError(fmt::format("field '{}' holds a zero scale", key));
    }
    return out;
}

OptimizerOptions options_from(const Json& j) {
    OptimizerOptions o;
    for (auto [key, flag] : {std::pair{"cse", &o.cse}, {"factor", &o.factor}, {"fma", &o.fma}, {"scaling", &o.scaling}}) {
        const Json& v = require(j, key);
        if (!v.is_boolean()) throw InputError(fmt::format("option '{}' is not true/false", key));
        *flag = v.get<bool>();
    }
    if (j.contains("balanced")) {
        if (!j["balanced"].is_boolean()) throw InputError("option 'balanced' is not true/false");
        o.balanced = j["balanced"].get<bool>();
    }
    return o;
}

PointSet points_from(const Json& j, int alpha) {
    const Json& v = require(j, "points");
    if (!v.is_array() || v.empty() || v.back() != "inf") throw InputError("'points' must end with \"inf\"");
    std::vector<std::string> finite;
    for (std::size_t i = 0; i + 1 < v.size(); ++i) {
        if (!v[i].is_string()) throw InputError("'points' holds a non-string");
        finite.push_back(v[i].get<std::string>());
    }
    return parse_points(fmt::format("{}", fmt::join(finite, ",")), alpha);
}

std::string env_or_empty(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

bool is_standard(int m, int r, const PointSet& points, const OptimizerOptions& options) {
    return options == OptimizerOptions{} && points == default_points(m + r - 1);
}

}  // namespace

std::vector<std::pair<int, int>> standard_configs() {
    // F(1,1), the identity, is the axis of a 1×S or R×1 filter (and of a 1D layer).
    std::vector<std::pair<int, int>> configs = {{1, 1}};
    for (int r : {3, 5, 7})
        for (int m = 2; m <= 10; ++m) configs.push_back({m, r});
    return configs;
}

Json to_recipe_file(const RecipeSet& set) {
    const ToomCook1D& a = set.algorithm;
    return {{"format", format_tag},
            {"m", a.m},
            {"r", a.r},
            {"alpha", a.alpha},
            {"points", point_strings(a.points)},
            {"options", options_json(set.options)},
            {"scaling", {{"input", rationals_json(set.input_scale)}, {"output", rationals_json(set.output_scale)}}},
            {"input", to_json(set.input)},
            {"filter", to_json(set.filter)},
            {"output", to_json(set.output)}};
}

RecipeSet from_recipe_file(const Json& file) {
    if (require(file, "format") != format_tag) throw InputError(fmt::format("'format' is not {}", format_tag));
    const int m = require_int(file, "m"), r = require_int(file, "r");
    validate_tile(m, r);
    if (require_int(file, "alpha") != m + r - 1) throw InputError("'alpha' is not m + r - 1");
    const ToomCook1D canonical = build_toom_cook(m, r, points_from(file, m + r - 1));
    RecipeSet set;
    set.options = options_from(require(file, "options"));
    const std::size_t alpha = static_cast<std::size_t>(canonical.alpha);
    set.input_scale = require_rationals(require(file, "scaling"), "input", alpha);
    set.output_scale = require_rationals(require(file, "scaling"), "output", alpha);
    set.algorithm = apply_scaling(canonical, set.input_scale, set.output_scale);
    set.input = recipe_from_json(require(file, "input"));
    set.filter = recipe_from_json(require(file, "filter"));
    set.output = recipe_from_json(require(file, "output"));
    try {
        prove(set);
    } catch (const ProofError& e) {
        throw InputError(e.what());
    }
    return set;
}

RecipeSet load_recipe_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in || std::filesystem::is_directory(path)) throw InputError(fmt::format("recipe file {}: cannot read it", path.string()));
    try {
        return from_recipe_file(Json::parse(in));
    } catch (const Json::exception& e) {
        throw InputError(fmt::format("recipe file {}: not valid JSON ({})", path.string(), e.what()));
    } catch (const InputError& e) {
        throw InputError(fmt::format("recipe file {}: {}", path.string(), e.what()));
    }
}

void write_recipe_file(const std::filesystem::path& path, const RecipeSet& set) {
    write_file_atomically(path, to_readable_json(to_recipe_file(set)));
}

std::filesystem::path database_dir() {
    const std::string from_env = env_or_empty("WINO_GEN_RECIPES");
    return from_env.empty() ? data_dir() / "recipes" : std::filesystem::path(from_env);
}

std::filesystem::path cache_dir() {
    const std::string xdg = env_or_empty("XDG_CACHE_HOME");
    if (!xdg.empty()) return std::filesystem::path(xdg) / "wino-gen";
    const std::string home = env_or_empty("HOME");
    return std::filesystem::path(home.empty() ? "/tmp" : home) / ".cache" / "wino-gen";
}

std::string recipe_file_name(int m, int r, const PointSet& points, const OptimizerOptions& options) {
    if (is_standard(m, r, points, options)) return fmt::format("F{}_{}.json", m, r);
    const std::string key = fmt::format("{}|{}", fmt::join(point_strings(points), ","), options_json(options).dump());
    return fmt::format("F{}_{}-{}.json", m, r, stable_hash(key));
}

RecipeSet recipes_for(int m, int r, const PointSet& points, const OptimizerOptions& options,
                      const std::function<void(const std::string&)>& progress) {
    const std::string name = recipe_file_name(m, r, points, options);
    const auto matches = [&](const RecipeSet& s) {
        return s.options == options && s.algorithm.points == points &&
               s.algorithm.m == m && s.algorithm.r == r;
    };
    const std::filesystem::path in_database = database_dir() / name;
    if (is_standard(m, r, points, options) && std::filesystem::exists(in_database)) {
        RecipeSet set = load_recipe_file(in_database);
        if (!matches(set)) throw InputError(fmt::format("recipe file {}: holds another config", in_database.string()));
        return set;
    }
    const std::filesystem::path cached = cache_dir() / name;
    if (std::filesystem::exists(cached)) {
        try {
            RecipeSet set = load_recipe_file(cached);
            if (matches(set)) return set;
        } catch (const InputError& e) {
            if (progress) progress(fmt::format("ignoring a bad cached recipe ({}); regenerating", e.what()));
        }
    }
    if (progress) progress(fmt::format("generating recipes for F({},{}) into {}", m, r, cached.string()));
    RecipeSet set = optimize_recipes(build_toom_cook(m, r, points), options);
    try {
        write_recipe_file(cached, set);
    } catch (const std::runtime_error& e) {
        if (progress) progress(fmt::format("cannot cache the recipe: {}", e.what()));
    }
    return set;
}

void write_standard_recipes(const std::filesystem::path& dir, int threads,
                            const std::function<void(const std::string&)>& progress) {
    const auto configs = standard_configs();
    std::atomic<std::size_t> next{0};
    std::mutex report;
    std::exception_ptr failure;
    auto worker = [&] {
        for (std::size_t i; (i = next++) < configs.size();) {
            auto [m, r] = configs[i];
            const auto start = std::chrono::steady_clock::now();
            try {
                RecipeSet s = optimize_recipes(build_toom_cook(m, r, default_points(m + r - 1)));
                write_recipe_file(dir / recipe_file_name(m, r, s.algorithm.points, s.options), s);
                std::lock_guard lock(report);
                progress(fmt::format("F({},{}) written, {:.1f} s ({}/{})", m, r,
                                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                                     i + 1, configs.size()));
            } catch (...) {
                std::lock_guard lock(report);
                failure = std::current_exception();
            }
        }
    };
    {
        std::vector<std::jthread> pool;  // joined however this scope ends (a thread that fails to start)
        for (int t = 0; t < std::max(1, threads); ++t) pool.emplace_back(worker);
    }
    if (failure) std::rethrow_exception(failure);
}

}  // namespace wino
