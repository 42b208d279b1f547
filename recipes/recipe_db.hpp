// The recipe database: recipe files for the standard configs (m 2..10, r 3/5/7,
// and F(1,1), the untransformed axis of 1×S and R×1 filters; default points,
// all passes) in recipes/db, and every other config generated
// on demand into the user cache. Every file is validated and proved exact when
// it is loaded; a corrupt or edited file is refused.
#pragma once

#include "recipes/optimizer.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace wino {

std::vector<std::pair<int, int>> standard_configs();

nlohmann::ordered_json to_recipe_file(const RecipeSet& set);
// Throws InputError naming what is wrong; proves the recipes before returning.
RecipeSet from_recipe_file(const nlohmann::ordered_json& file);
RecipeSet load_recipe_file(const std::filesystem::path& path);
void write_recipe_file(const std::filesystem::path& path, const RecipeSet& set);

// $WINO_GEN_RECIPES, else data_dir()/recipes (in a build tree, a link to
// the source tree's recipes/db, so `recipe --write-db` updates it).
std::filesystem::path database_dir();
// $XDG_CACHE_HOME/wino-gen, else ~/.cache/wino-gen.
std::filesystem::path cache_dir();

// "F4_3.json" for the standard form of a config; other points or options add a
// hash of them.
std::string recipe_file_name(int m, int r, const PointSet& points, const OptimizerOptions& options);

// Regenerates the recipe file of every standard config into `dir` on `threads`
// threads; `progress` gets one line per file written.
void write_standard_recipes(const std::filesystem::path& dir, int threads,
                            const std::function<void(const std::string&)>& progress);

// Database, then cache, then generate (into the cache). `progress` gets one line
// before a generation, which can take seconds for large alpha.
RecipeSet recipes_for(int m, int r, const PointSet& points, const OptimizerOptions& options,
                      const std::function<void(const std::string&)>& progress = {});

}  // namespace wino
