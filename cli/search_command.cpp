// `wino-gen search`: find points with low fp32 error for a tile size; --compare
// measures the published sets and the default table side by side.
#include "cli/command.hpp"
#include "cli/shared_options.hpp"
#include <wino/errors.hpp>
#include "generator/install_paths.hpp"
#include "generator/json_text.hpp"
#include "runtime/layer_error.hpp"
#include "recipes/point_search.hpp"

#include <fmt/format.h>

#include <climits>
#include <fstream>
#include <memory>
#include <optional>

namespace wino::cli {
namespace {

using Json = nlohmann::ordered_json;

// The point tables: installed in share/wino-gen/points; in a build tree, a
// link to the source tree's generator/data, so --record updates the table
// that is embedded at the next build.
std::filesystem::path point_tables_dir() { return data_dir() / "points"; }
std::filesystem::path default_points_file() { return point_tables_dir() / "default-points.json"; }

struct SearchCli {
    std::optional<int> alpha;
    int r = 3, trials = 10000, screen_trials = 400, beam = 8, threads = 0;
    std::uint64_t seed = 1;
    double budget = 0;
    std::string format = "text", published = (point_tables_dir() / "published-points.json").string(), start;
    std::string objective = "tile", precision = "fp32";
    int channels = 64;
    std::vector<long> fields;
    bool compare = false, record = false;
};

// The published sets of one family for one alpha, or nothing.
std::optional<PointSet> published_set(const Json& family, int alpha) {
    const std::string key = std::to_string(alpha);
    if (!family.contains("sets") || !family["sets"].contains(key)) return std::nullopt;
    std::vector<std::string> points = family["sets"][key]["points"].get<std::vector<std::string>>();
    return parse_points(fmt::format("{}", fmt::join(points, ",")), alpha);
}

Json read_json_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(fmt::format("cannot read {}", path));
    try {
        return Json::parse(in);
    } catch (const Json::exception& e) {
        throw InputError(fmt::format("{} is not valid JSON ({})", path, e.what()));
    }
}

void progress(const std::string& line) { fmt::print(stderr, "wino-gen: {}\n", line); }

// Replaces the default table's entry for alpha when the found set measures lower
// with the same evaluator, seed and trials.
void record_in_table(const SearchCli& o, const SearchResult& found) {
    if (o.r != 3 || *o.alpha > 16) throw InputError("--record keeps the table of r = 3, alpha 4..16");
    const AccuracyOptions a{o.trials, o.seed, o.threads, EvaluationOrder::dense};
    const std::string how = fmt::format("wino-gen search: seed {}, {} trials (screen {}), beam {}, budget {} s; took {:.0f} s "
                                        "over {} candidates",
                                        o.seed, o.trials, o.screen_trials, o.beam, o.budget, found.seconds, found.candidates);
    const double current = record_default_points(default_points_file(), *o.alpha, found, a, how);
    if (found.error >= current)
        progress(fmt::format("kept the table's set for alpha {} (error {:.3e} <= {:.3e})", *o.alpha, current, found.error));
    else
        progress(fmt::format("recorded alpha {} in {}; rebuild and run `wino-gen recipe --write-db`", *o.alpha,
                             default_points_file().string()));
}

void run_search(const SearchCli& o) {
    if (!o.alpha) throw InputError("search needs --alpha (or --compare)");
    if (o.format != "text" && o.format != "json") throw InputError(fmt::format("--format must be text or json, not '{}'", o.format));
    if (o.objective != "tile" && o.objective != "layer")
        throw InputError(fmt::format("--objective must be tile or layer, not '{}'", o.objective));
    if (o.record && o.objective != "tile")
        throw InputError("--record keeps the table of the tile objective; pass --objective tile");
    SearchOptions s{*o.alpha, o.r, o.trials, o.screen_trials, o.beam, o.seed, o.threads, o.budget, {}, {}, o.fields, {},
                    progress};
    const Precision precision = parse_precision(o.precision, "--precision");
    if (precision != Precision::fp32 && o.objective != "layer")
        throw InputError("--precision is the layer objective's: pass --objective layer");
    if (o.objective == "layer") {
        const int channels = o.channels;
        s.objective = [channels, precision](const ToomCook1D& t) { return modelled_layer_error(t, channels, precision); };
    }
    s.start.finite = parse_point_list(o.start);
    s.seeds.push_back(default_points(*o.alpha));  // never worse than the default
    if (o.r == 3 && *o.alpha <= 16) {
        const Json published = read_json_file(o.published);
        for (const auto& [name, family] : published.items())
            if (family.is_object())
                if (auto set = published_set(family, *o.alpha)) s.seeds.push_back(*set);
    }
    const SearchResult res = search_points(s);
    Json out = {{"alpha", *o.alpha},
                      {"r", o.r},
                      {"points", point_strings(res.points)},
                      {"fractions_in", to_string(res.fractions_in)},
                      {"objective", o.objective},
                      {"error", res.error},
                      {"ops", res.ops},
                      {"candidates", res.candidates},
                      {"seconds", res.seconds},
                      {"seed", o.seed},
                      {"trials", o.trials},
                      {"screen_trials", o.screen_trials},
                      {"beam", o.beam}};
    if (o.objective == "layer") {
        out["channels"] = o.channels;
        out["precision"] = to_string(precision);
    }
    if (o.record) record_in_table(o, res);
    if (o.format == "json")
        fmt::print("{}", to_readable_json(out));
    else
        fmt::print("alpha {}: points {} (fractions in {}), {} error {:.3e}, recipe ops {}; {} candidates in {:.1f} s\n",
                   *o.alpha, fmt::join(point_strings(res.points), ", "), to_string(res.fractions_in),
                   o.objective == "layer" ? fmt::format("layer (C = {}, {})", o.channels, to_string(precision)) : std::string("tile"),
                   res.error,
                   res.ops, res.candidates, res.seconds);
}

void run_compare(const SearchCli& o) {
    const Json published = read_json_file(o.published);
    const AccuracyOptions a{o.trials, o.seed, o.threads, EvaluationOrder::dense};
    fmt::print("F(alpha-2, 3), dense order, best placement of denominators for every set, {} trials, seed {};\n"
               "ratio = ours / best published\n", o.trials, o.seed);
    fmt::print("{:>5} | {:<44} {:>10} | {:<44} {:>10} | {:<50} {:>10} | {:>6}\n", "alpha", "EuroSys'20 Table 3",
               "error", "Barabasz et al. (TVM)", "error", "ours (default table)", "error", "ratio");
    for (int alpha = 4; alpha <= 16; ++alpha) {
        auto error_of = [&](const PointSet& p) { return best_placement_error(alpha - 2, 3, p, a); };
        auto cell = [&](const std::optional<PointSet>& p) {
            return p ? std::make_pair(fmt::format("{}", fmt::join(point_strings(*p), ",")), error_of(*p))
                     : std::make_pair(std::string("-"), 0.0);
        };
        auto eurosys = cell(published_set(published["eurosys20_table3"], alpha));
        auto barabasz = cell(published_set(published["barabasz18_as_shipped_by_tvm"], alpha));
        auto ours = cell(default_points(alpha));
        double best = std::min(eurosys.second > 0 ? eurosys.second : 1e9, barabasz.second > 0 ? barabasz.second : 1e9);
        fmt::print("{:>5} | {:<44} {:>10.3e} | {:<44} {:>10.3e} | {:<50} {:>10.3e} | {:>6.3f}\n", alpha, eurosys.first,
                   eurosys.second, barabasz.first, barabasz.second, ours.first, ours.second, ours.second / best);
    }
}

}  // namespace

Command add_search_command(CLI::App& app) {
    auto o = std::make_shared<SearchCli>();
    CLI::App* sub = app.add_subcommand("search", "Search interpolation points with low fp32 error (beam search)");
    sub->add_option("--alpha", o->alpha, "tile size alpha = m + r - 1 (4..32)")->check(integer_range(1, max_alpha));
    sub->add_option("--r", o->r, "filter size")->default_str("3")->check(integer_range(1, max_alpha));
    sub->add_option("--trials", o->trials, "trials of the final re-rank")->default_str("10000")->check(integer_range(1, 10000000));
    sub->add_option("--screen-trials", o->screen_trials, "trials per candidate during the beam")->default_str("400")->check(
        integer_range(1, 10000000));
    sub->add_option("--beam", o->beam, "beam width")->default_str("8")->check(integer_range(1, 1024));
    sub->add_option("--start", o->start, "points the search starts from: 0 and more from the domain (default 0,1,-1)");
    sub->add_option("--fields", o->fields, "also points c*sqrt(d) of the fields Q(sqrt d), e.g. 2,3,5 (one field a set)")
        ->delimiter(',')
        ->check(integer_range(2, 1000));
    sub->add_option("--objective", o->objective,
                    "tile: fp32 error of one tile (dense order); layer: the layer error model (accuracy --layer) of a "
                    "small layer with --channels inputs, in the kernels' order")
        ->default_str("tile");
    sub->add_option("--channels", o->channels, "input channels C of --objective layer")->default_str("64")->check(
        integer_range(1, 4096));
    sub->add_option("--precision", o->precision,
                    fmt::format("the precision --objective layer models the nonfused kernels at: {}", precision_names()))
        ->default_str("fp32");
    sub->add_option("--seed", o->seed, "random seed")->default_str("1")->check(integer_range(0, LLONG_MAX));
    sub->add_option("--threads", o->threads, "threads, 1 to 256 (default: all cores)")->check(integer_range(1, 256));
    sub->add_option("--budget-seconds", o->budget, "past 80% of it the beam narrows to one (0: no budget)")->check(seconds_range());
    sub->add_option("--format", o->format, "text or json")->default_str("text");
    sub->add_flag("--record", o->record, "put the found set into the default table when it measures lower");
    sub->add_flag("--compare", o->compare, "published sets vs the default table, alpha 4..16, side by side");
    sub->add_option("--published", o->published, "the published point sets (JSON)");
    return {sub, [o] { o->compare ? run_compare(*o) : run_search(*o); }};
}

}  // namespace wino::cli
