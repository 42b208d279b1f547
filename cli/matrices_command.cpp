// `wino-gen matrices`: build, prove and print the exact Toom-Cook matrices; with
// --sweep, time building and proving the standard configs.
#include "cli/command.hpp"
#include "cli/shared_options.hpp"
#include <wino/errors.hpp>
#include "generator/matrix_format.hpp"
#include "generator/verify.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <optional>

namespace wino::cli {
namespace {

struct MatricesOptions {
    std::optional<int> m, r, m2, r2;
    std::string points, points2, fractions_in = "G", format = "text";
    bool sweep = false;
};

PointSet points_for(int m, int r, const std::string& list) {
    validate_tile(m, r);
    const int alpha = m + r - 1;
    return points_or_default(list, alpha);
}

void sweep_standard_configs(const MatricesOptions& o) {
    using clock = std::chrono::steady_clock;
    const FractionsIn where = parse_fractions_in(o.fractions_in, "--fractions-in");
    const auto start = clock::now();
    int proved = 0;
    for (int r : {3, 5, 7})
        for (int m = 2; m <= 10; ++m) {
            const auto one = clock::now();
            prove(build_toom_cook(m, r, default_points(m + r - 1), where));
            ++proved;
            fmt::print("F({},{})  alpha {:2}  built and proved in {:8.3f} ms\n", m, r, m + r - 1,
                       std::chrono::duration<double, std::milli>(clock::now() - one).count());
        }
    fmt::print("{} configs (m 2..10, r 3/5/7) built and proved in {:.3f} ms\n", proved,
               std::chrono::duration<double, std::milli>(clock::now() - start).count());
}

void print_matrices(const MatricesOptions& o) {
    const MatrixFormat format = parse_matrix_format(o.format, "--format");
    const FractionsIn where = parse_fractions_in(o.fractions_in, "--fractions-in");
    if (o.m2.has_value() != o.r2.has_value()) throw InputError("--m2 and --r2 go together: give both or neither");
    ToomCook1D h = build_toom_cook(*o.m, *o.r, points_for(*o.m, *o.r, o.points), where);
    if (!o.m2) {
        if (!o.points2.empty()) throw InputError("--points2 needs --m2 and --r2");
        prove(h);
        fmt::print("{}", render(h, format));
        return;
    }
    // The width reuses --points when its alpha is the same and --points2 is absent.
    const bool same_alpha = *o.m2 + *o.r2 == *o.m + *o.r;
    const std::string& list2 = !o.points2.empty() ? o.points2 : (same_alpha ? o.points : o.points2);
    ToomCook2D t{std::move(h), build_toom_cook(*o.m2, *o.r2, points_for(*o.m2, *o.r2, list2), where)};
    prove(t.h);
    prove(t.w);
    prove(t);
    fmt::print("{}", render(t, format));
}

}  // namespace

Command add_matrices_command(CLI::App& app) {
    auto o = std::make_shared<MatricesOptions>();
    CLI::App* sub = app.add_subcommand("matrices", "Exact Winograd matrices AT, G, BT for F(m,r), proved before printing");
    sub->add_option("--m", o->m, "output tile size m (>= 1)")->check(integer_range(1, max_alpha));
    sub->add_option("--r", o->r, "filter size r (>= 1)")->check(integer_range(1, max_alpha));
    sub->add_option("--points", o->points,
                    "alpha-1 distinct finite points, comma separated (0,1,-1,1/2); infinity is added; "
                    "default: best-known set");
    sub->add_option("--m2", o->m2, "2D: output tile size along the width")->check(integer_range(1, max_alpha));
    sub->add_option("--r2", o->r2, "2D: filter size along the width")->check(integer_range(1, max_alpha));
    sub->add_option("--points2", o->points2, "2D: points along the width (default: --points when alpha matches)");
    sub->add_option("--fractions-in", o->fractions_in, "matrix that takes the denominators: G, A or B")
        ->default_str("G");
    sub->add_option("--format", o->format, "text, json, latex or cpp")->default_str("text");
    sub->add_flag("--sweep", o->sweep, "time building and proving F(m,r) for m 2..10, r 3/5/7");
    return {sub, [o] {
                if (o->sweep) return sweep_standard_configs(*o);
                if (!o->m || !o->r) throw InputError("matrices needs --m and --r (or --sweep)");
                print_matrices(*o);
            }};
}

}  // namespace wino::cli
