// `wino-gen recipe`: the optimized transform recipes of F(m,r) as text, JSON or C;
// --report compares them with the dense matrix product for the standard configs
// and the non-square tiles the kernels run;
// --write-db regenerates the recipe database.
#include "generator/atomic_file.hpp"
#include "cli/command.hpp"
#include "cli/shared_options.hpp"
#include <wino/errors.hpp>
#include "generator/json_text.hpp"
#include "templates/kernel_kinds.hpp"
#include "recipes/recipe_db.hpp"
#include "recipes/recipe_format.hpp"

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

// A part's cost per 2D tile of F(m_h×m_w, R×S): the H recipe over each column
// of the block (as many as the W part has inputs), then the W recipe over each
// row of the result (as many as the H part has outputs).
OpCounts tile_counts(const TransformPart& h, const TransformPart& w, bool dense) {
    const int columns = static_cast<int>(w.matrix.cols()), rows = static_cast<int>(h.matrix.rows());
    const OpCounts along_h = dense ? dense_counts(h.matrix.rows(), h.matrix.cols()) : h.recipe.counts();
    const OpCounts along_w = dense ? dense_counts(w.matrix.rows(), w.matrix.cols()) : w.recipe.counts();
    OpCounts total = columns * along_h;
    total += rows * along_w;
    return total;
}

// The tiles of the non-square filters the kernels run: 1×S (and R×1, the
// same counts; a 1D layer is 1×S), whose untransformed axis is F(1,1), a copy;
// and R×S with both axes transformed, each by its own standard recipe.
void print_non_square_report() {
    fmt::print("\nNon-square tiles F(m_h x m_w, R x S), per 2D tile: each axis its standard recipe, F(1,1) a copy.\n\n");
    fmt::print("{:<13} {:<6} | {:^23} | {:^23} | {:>6}\n", "config", "part", "2D dense", "2D recipe", "saved");
    std::vector<std::pair<std::pair<int, int>, std::pair<int, int>>> configs;  // (m_h, R), (m_w, S)
    for (int s : {3, 5, 7})
        for (int m : {2, 4, 6}) configs.push_back({{1, 1}, {m, s}});
    for (const auto& [r, s] : {std::pair{3, 5}, {3, 7}, {5, 7}})
        for (int m : {2, 4, 6}) configs.push_back({{m, r}, {m, s}});
    for (const auto& [along_h, along_w] : configs) {
        const RecipeSet h = recipes_for(along_h.first, along_h.second, default_points(along_h.first + along_h.second - 1), {},
                                        print_progress);
        const RecipeSet w = recipes_for(along_w.first, along_w.second, default_points(along_w.first + along_w.second - 1), {},
                                        print_progress);
        const std::string label = algorithm_text({along_h.first, along_w.first}, along_h.second, along_w.second);
        OpCounts dense_total, ours_total;
        const auto parts_h = transform_parts(h), parts_w = transform_parts(w);
        for (std::size_t i = 0; i < parts_h.size(); ++i) {
            const OpCounts dense = tile_counts(parts_h[i], parts_w[i], true), ours = tile_counts(parts_h[i], parts_w[i], false);
            dense_total += dense;
            ours_total += ours;
            fmt::print("{:<13} {:<6} | {} | {} | {:5.1f}%\n", label, parts_h[i].name, cells(dense), cells(ours),
                       reduction(dense, ours));
        }
        fmt::print("{:<13} {:<6} | {} | {} | {:5.1f}%\n", "", "total", cells(dense_total), cells(ours_total),
                   reduction(dense_total, ours_total));
    }
}

void print_report() {
    fmt::print("Transform cost: dense matrix product vs optimized recipe (standard configs, default points).\n");
    fmt::print("Columns: add mul fma total; 2D is per tile (1D recipe over columns, then rows).\n\n");
    fmt::print("{:<8} {:<6} | {:^23} | {:^23} | {:^23} | {:^23} | {:>6}\n", "config", "part", "1D dense", "1D recipe",
               "2D dense", "2D recipe", "saved");
    double best = 0;
    std::string best_config;
    for (auto [m, r] : standard_configs()) {
        if (r == 1) continue;  // F(1,1), a copy: the untransformed axis of the non-square tiles below
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
    print_non_square_report();
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
