// `wino-gen recipe`: the optimized transform recipes of F(m,r) as text, JSON or C;
// --report compares them with the dense matrix product for the standard configs;
// --write-db regenerates the recipe database.
#include "command.hpp"
#include "errors.hpp"
#include "json_text.hpp"
#include "recipe_db.hpp"
#include "recipe_format.hpp"

#include <fmt/format.h>

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

enum class Transform { input, filter, output };
constexpr Transform all_transforms[] = {Transform::input, Transform::filter, Transform::output};

const char* name_of(Transform t) {
    switch (t) {
        case Transform::input: return "input";
        case Transform::filter: return "filter";
        case Transform::output: return "output";
    }
    return "?";
}

// Transform is the index of its part in transform_parts().
const Recipe& recipe_of(const RecipeSet& s, Transform t) { return transform_parts(s)[static_cast<int>(t)].recipe; }

const RationalMatrix& matrix_of(const RecipeSet& s, Transform t) {
    return transform_parts(s)[static_cast<int>(t)].matrix;
}

// How many 1D applications one 2D tile needs: columns, then rows of the result.
int applications_per_tile(const ToomCook1D& a, Transform t) {
    switch (t) {
        case Transform::input: return 2 * a.alpha;   // BT d B
        case Transform::filter: return a.r + a.alpha;  // G g Gᵀ
        case Transform::output: return a.alpha + a.m;  // AT M A
    }
    return 0;
}

const char* formula(Transform t) {
    return t == Transform::input ? "V = BT d" : t == Transform::filter ? "U = G g" : "Y = AT M";
}

std::vector<std::string> names_of(const std::vector<Transform>& which) {
    std::vector<std::string> names;
    for (Transform t : which) names.push_back(name_of(t));
    return names;
}

std::vector<Transform> selected(const RecipeOptions& o) {
    if (o.transform.empty()) return {std::begin(all_transforms), std::end(all_transforms)};
    for (Transform t : all_transforms)
        if (o.transform == name_of(t)) return {t};
    throw InputError(fmt::format("--transform must be input, filter or output, not '{}'", o.transform));
}

OptimizerOptions optimizer_options(const RecipeOptions& o) {
    return {!o.no_cse, !o.no_factor, !o.no_fma, !o.no_scaling};
}

std::string counts_text(const OpCounts& c) {
    return fmt::format("{} ops (add {}, mul {}, fma {})", c.total(), c.add, c.mul, c.fma);
}

std::string text_of(const RecipeSet& s, const std::vector<Transform>& which) {
    const ToomCook1D& a = s.algorithm;
    std::string out = fmt::format("F({},{})  alpha = {}  points: {}\n", a.m, a.r, a.alpha,
                                  fmt::join(point_strings(a.points), ", "));
    for (Transform t : which) {
        const RationalMatrix& m = matrix_of(s, t);
        out += fmt::format("\n{} transform {}: {}; dense product {}\n{}", name_of(t), formula(t),
                           counts_text(recipe_of(s, t).counts()), dense_counts(m.rows(), m.cols()).total(),
                           render_text(recipe_of(s, t)));
    }
    return out + "\nproof: exact, each recipe computes its (scaled) matrix and the algorithm is correct\n";
}

nlohmann::ordered_json json_of(const RecipeSet& s, const std::vector<Transform>& which) {
    if (which.size() == 1) return to_json(recipe_of(s, which[0]));
    nlohmann::ordered_json j;
    for (Transform t : which) j[name_of(t)] = to_json(recipe_of(s, t));
    return j;
}

void print_progress(const std::string& line) { fmt::print(stderr, "wino-gen: {}\n", line); }

void print_recipes(const RecipeOptions& o) {
    if (!o.m || !o.r) throw InputError("recipe needs --m and --r (or --report, --write-db)");
    const std::vector<Transform> which = selected(o);
    if (o.format != "text" && o.format != "json" && o.format != "c")
        throw InputError(fmt::format("--format must be text, json or c, not '{}'", o.format));
    validate_tile(*o.m, *o.r);
    const int alpha = *o.m + *o.r - 1;
    const PointSet points = o.points.empty() ? default_points(alpha) : parse_points(o.points, alpha);
    const RecipeSet s = recipes_for(*o.m, *o.r, points, optimizer_options(o), print_progress);
    if (o.format == "json")
        fmt::print("{}", to_readable_json(json_of(s, which)));
    else
        fmt::print("{}", o.format == "c" ? render_transform_header(s, names_of(which)) : text_of(s, which));
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
        for (Transform t : all_transforms) {
            const RationalMatrix& mat = matrix_of(s, t);
            const OpCounts dense = dense_counts(mat.rows(), mat.cols()), ours = recipe_of(s, t).counts();
            const int n = applications_per_tile(s.algorithm, t);
            dense_total += n * dense;
            ours_total += n * ours;
            fmt::print("{:<8} {:<6} | {} | {} | {} | {} | {:5.1f}%\n", fmt::format("F({},{})", m, r), name_of(t),
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
    write_standard_recipes(o.write_db->empty() ? database_dir() : std::filesystem::path(*o.write_db), o.threads,
                           print_progress);
}

}  // namespace

Command add_recipe_command(CLI::App& app) {
    auto o = std::make_shared<RecipeOptions>();
    CLI::App* sub = app.add_subcommand("recipe", "Optimized transform recipes (CSE, factoring, FMA, scaling), proved exact");
    sub->add_option("--m", o->m, "output tile size m (>= 1)");
    sub->add_option("--r", o->r, "filter size r (>= 1)");
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
    sub->add_option("--threads", o->threads, "threads for --write-db")->default_str("2");
    return {sub, [o] {
                if (o->write_db) return write_database(*o);
                if (o->report) return print_report();
                print_recipes(*o);
            }};
}

}  // namespace wino::cli
