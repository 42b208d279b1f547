// `wino-gen recipe`: the optimized transform recipes of F(m,r) as text, JSON or C;
// --report compares them with the dense matrix product for the standard configs;
// --write-db regenerates the recipe database.
#include "atomic_file.hpp"
#include "command.hpp"
#include "shared_options.hpp"
#include <wino/errors.hpp>
#include "json_text.hpp"
#include "recipe_db.hpp"
#include "recipe_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>

namespace wino::cli {
namespace {

struct RecipeOptions {
    std::optional<int> m, r;
    std::string points, transform, format = "text";
    bool no_cse = false, no_factor = false, no_fma = false, no_scaling = false, report = false;
    std::optional<std::string> write_db;
    int threads = 2;
};

// The transforms --transform names (all three when it is not given).
std::vector<std::string> selected(const RecipeOptions& o) {
    std::vector<std::string> names;
    for (const char* name : {"input", "filter", "output"})
        if (o.transform.empty() || o.transform == name) names.push_back(name);
    if (names.empty()) throw InputError(fmt::format("--transform must be input, filter or output, not '{}'", o.transform));
    return names;
}

bool chosen(const TransformPart& part, const std::vector<std::string>& which) {
    return std::find(which.begin(), which.end(), part.name) != which.end();
}

OptimizerOptions optimizer_options(const RecipeOptions& o) {
    return {!o.no_cse, !o.no_factor, !o.no_fma, !o.no_scaling};
}

std::string counts_text(const OpCounts& c) {
    return fmt::format("{} ops (add {}, mul {}, fma {})", c.total(), c.add, c.mul, c.fma);
}

std::string text_of(const RecipeSet& s, const std::vector<std::string>& which) {
    const ToomCook1D& a = s.algorithm;
    std::string out = fmt::format("F({},{})  alpha = {}  points: {}\n", a.m, a.r, a.alpha,
                                  fmt::join(point_strings(a.points), ", "));
    for (const TransformPart& part : transform_parts(s)) {
        if (!chosen(part, which)) continue;
        out += fmt::format("\n{} transform {}: {}; dense product {}\n{}", part.name, part.formula,
                           counts_text(part.recipe.counts()), dense_counts(part.matrix.rows(), part.matrix.cols()).total(),
                           render_text(part.recipe));
    }
    return out + "\nproof: exact, each recipe computes its (scaled) matrix and the algorithm is correct\n";
}

nlohmann::ordered_json json_of(const RecipeSet& s, const std::vector<std::string>& which) {
    nlohmann::ordered_json j;
    for (const TransformPart& part : transform_parts(s))
        if (chosen(part, which)) j[part.name] = to_json(part.recipe);
    return which.size() == 1 ? j[which[0]] : j;
}

void print_progress(const std::string& line) { fmt::print(stderr, "wino-gen: {}\n", line); }

void print_recipes(const RecipeOptions& o) {
    if (!o.m || !o.r) throw InputError("recipe needs --m and --r (or --report, --write-db)");
    const std::vector<std::string> which = selected(o);
    if (o.format != "text" && o.format != "json" && o.format != "c")
        throw InputError(fmt::format("--format must be text, json or c, not '{}'", o.format));
    validate_tile(*o.m, *o.r);
    const int alpha = *o.m + *o.r - 1;
    const PointSet points = points_or_default(o.points, alpha);
    const RecipeSet s = recipes_for(*o.m, *o.r, points, optimizer_options(o), print_progress);
    if (o.format == "json")
        fmt::print("{}", to_readable_json(json_of(s, which)));
    else
        fmt::print("{}", o.format == "c" ? render_transform_header(s, which) : text_of(s, which));
}

std::string cells(const OpCounts& c) { return fmt::format("{:5} {:5} {:5} {:6}", c.add, c.mul, c.fma, c.total()); }

double reduction(const OpCounts& dense, const OpCounts& ours) {
    return 100.0 * (1.0 - static_cast<double>(ours.total()) / dense.total());
}

void print_report() {
    fmt::print("Transform cost: dense matrix product vs optimized recipe (standard configs, default points).\n");
    fmt::print("Columns: add mul fma total; 2D is per tile (1D recipe over columns, then rows).\n\n");
    fmt::print("{:<8} {:<6} | {:^23} | {:^23} | {:^23} | {:^23} | {:>6}\n", "config", "part", "1D dense", "1D recipe",
               "2D dense", "2D recipe", "saved");
    double best = 0;
    std::string best_config;
    for (auto [m, r] : standard_configs()) {
        const RecipeSet s = recipes_for(m, r, default_points(m + r - 1), {}, print_progress);
        OpCounts dense_total, ours_total;
        for (const TransformPart& part : transform_parts(s)) {
            const OpCounts dense = dense_counts(part.matrix.rows(), part.matrix.cols()), ours = part.recipe.counts();
            const int n = part.per_tile;
            dense_total += n * dense;
            ours_total += n * ours;
            fmt::print("{:<8} {:<6} | {} | {} | {} | {} | {:5.1f}%\n", fmt::format("F({},{})", m, r), part.name,
                       cells(dense), cells(ours), cells(n * dense), cells(n * ours), reduction(dense, ours));
        }
        const double saved = reduction(dense_total, ours_total);
        fmt::print("{:<8} {:<6} | {:23} | {:23} | {} | {} | {:5.1f}%\n", "", "total", "", "", cells(dense_total),
                   cells(ours_total), saved);
        if (saved > best) best = saved, best_config = fmt::format("F({},{})", m, r);
    }
    fmt::print("\nlargest 2D transform reduction: {:.1f}% at {}\n", best, best_config);
}

void write_database(const RecipeOptions& o) {
    const std::filesystem::path folder = o.write_db->empty() ? database_dir() : std::filesystem::path(*o.write_db);
    check_writable_folder(folder);  // before a minute of work
    write_standard_recipes(folder, o.threads, print_progress);
}

}  // namespace

Command add_recipe_command(CLI::App& app) {
    auto o = std::make_shared<RecipeOptions>();
    CLI::App* sub = app.add_subcommand("recipe", "Optimized transform recipes (CSE, factoring, FMA, scaling), proved exact");
    sub->add_option("--m", o->m, "output tile size m (>= 1)")->check(integer_range(1, max_alpha));
    sub->add_option("--r", o->r, "filter size r (>= 1)")->check(integer_range(1, max_alpha));
    sub->add_option("--points", o->points, "alpha-1 distinct finite points (default: best-known set)");
    sub->add_option("--transform", o->transform, "only this transform: input, filter or output");
    sub->add_flag("--no-cse", o->no_cse, "no common subexpressions or value reuse");
    sub->add_flag("--no-factor", o->no_factor, "no factoring of common coefficients");
    sub->add_flag("--no-fma", o->no_fma, "no fused multiply-add");
    sub->add_flag("--no-scaling", o->no_scaling, "keep the canonical scaling (fractions in G)");
    sub->add_option("--format", o->format, "text, json or c")->default_str("text");
    sub->add_flag("--report", o->report, "dense vs optimized op counts for every standard config");
    sub->add_option("--write-db", o->write_db, "regenerate the standard recipe files into DIR (default: the database)")
        ->expected(0, 1);
    sub->add_option("--threads", o->threads, "threads for --write-db, 1 to 256")->default_str("2")->check(integer_range(1, 256));
    return {sub, [o] {
                if (o->write_db) return write_database(*o);
                if (o->report) return print_report();
                print_recipes(*o);
            }};
}

}  // namespace wino::cli
