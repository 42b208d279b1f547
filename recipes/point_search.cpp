// Beam search over point sets, screened on few trials, re-ranked on many.
#include "recipes/point_search.hpp"

#include "generator/atomic_file.hpp"
#include <wino/errors.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

namespace wino {
namespace {

struct Candidate {
    std::vector<Exact> points;
    double error = 0;
};

std::string key_of(const std::vector<Exact>& points) {
    std::vector<Exact> sorted = points;
    std::sort(sorted.begin(), sorted.end());
    std::string key;
    for (const Exact& p : sorted) key += to_string(p) + ",";
    return key;
}

bool contains(const std::vector<Exact>& points, const Exact& p) {
    return std::find(points.begin(), points.end(), p) != points.end();
}

// A partial set of s finite points is judged as the largest algorithm it
// supports: alpha' = s + 1, r' = min(r, s), m' = alpha' − r' + 1.
double screen_error(const std::string& points, const SearchOptions& o) {
    const int alpha = static_cast<int>(std::count(points.begin(), points.end(), ',')) + 2;
    const int r_eval = std::min(o.r, alpha - 1);
    const ToomCook1D t = build_toom_cook(alpha - r_eval + 1, r_eval, parse_points(points, alpha));
    return o.objective ? o.objective(t) : measure_accuracy(t, {o.screen_trials, o.seed, 1, EvaluationOrder::dense}).error;
}

// Evaluates every candidate on the worker threads; deterministic per candidate.
// Workers get the points as text (which parse_exact reads without GiNaC): CLN
// values must not be shared across threads (their reference counts are not
// atomic), and GiNaC is not thread-safe at all.
void evaluate_all(std::vector<Candidate>& candidates, const SearchOptions& o, int threads) {
    std::vector<std::string> texts;
    for (const Candidate& c : candidates) texts.push_back(finite_points_text(PointSet{c.points}));
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i; (i = next++) < candidates.size();) candidates[i].error = screen_error(texts[i], o);
    };
    std::vector<std::jthread> pool;  // joined however this scope ends (a thread that fails to start)
    for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
    worker();
}

// The field of a set: the radicand of its algebraic points, 1 when it has none.
long field_of(const std::vector<Exact>& points) {
    for (const Exact& p : points)
        if (!p.is_rational()) return p.radicand();
    return 1;
}

std::vector<std::vector<Exact>> extensions(const std::vector<Exact>& points, int room,
                                              const std::vector<Exact>& domain) {
    std::vector<std::vector<Exact>> out;
    const long field = field_of(points);
    for (const Exact& p : domain) {
        if (contains(points, p) || (field != 1 && !p.is_rational() && p.radicand() != field)) continue;
        std::vector<Exact> one = points;
        one.push_back(p);
        out.push_back(one);
        if (room >= 2 && is_positive(p) && !contains(points, -p)) {
            one.push_back(-p);
            out.push_back(std::move(one));
        }
    }
    return out;
}

void keep_best(std::vector<Candidate>& pool, std::size_t width) {
    std::sort(pool.begin(), pool.end(), [](const Candidate& a, const Candidate& b) {
        return a.error != b.error ? a.error < b.error : key_of(a.points) < key_of(b.points);
    });
    if (pool.size() > width) pool.resize(width);
}

int recipe_ops(const ToomCook1D& t) {
    const RecipeSet s = optimize_recipes(t);
    return s.input.counts().total() + s.filter.counts().total() + s.output.counts().total();
}

// The root of the beam: {0, 1, −1}, or the start set: 0 and points of the domain.
std::vector<Exact> start_points(const PointSet& start, int alpha, const std::vector<Exact>& domain) {
    const std::vector<Exact> base = {Exact(0), Exact(1), Exact(-1)};
    if (start.finite.empty()) return base;
    for (std::size_t i = 0; i < start.finite.size(); ++i) {
        const Exact& p = start.finite[i];
        if (!contains(base, p) && !contains(domain, p))
            throw InputError(fmt::format("start point {} is outside the search domain (a/b, |a| <= 9, 1 <= b <= 9, and "
                                         "c*sqrt(d), c = +-a/b, a, b <= 4, for the fields asked for)",
                                         to_string(p)));
        if (std::find(start.finite.begin(), start.finite.begin() + i, p) != start.finite.begin() + i)
            throw InputError(fmt::format("start point {} appears twice", to_string(p)));
    }
    common_radicand(start.finite, "the start points");
    if (!contains(start.finite, Exact(0))) throw InputError("the start points must include 0");
    if (static_cast<int>(start.finite.size()) >= alpha - 1)
        throw InputError(fmt::format("the start set has {} points; alpha = {} leaves nothing to search",
                                     start.finite.size(), alpha));
    return start.finite;
}

}  // namespace

double best_placement_error(int m, int r, const PointSet& points, const AccuracyOptions& options,
                            FractionsIn* where) {
    double best = 0;
    for (FractionsIn placement : {FractionsIn::G, FractionsIn::A, FractionsIn::B}) {
        const double error = measure_accuracy(build_toom_cook(m, r, points, placement), options).error;
        if (placement == FractionsIn::G || error < best) {
            best = error;
            if (where) *where = placement;
        }
    }
    return best;
}

std::vector<Exact> search_domain(const std::vector<long>& radicands) {
    std::set<Exact> values;
    for (int a = -9; a <= 9; ++a)
        for (int b = 1; b <= 9; ++b) values.insert(Exact(a) / b);
    for (int skip : {0, 1, -1}) values.erase(Exact(skip));
    for (long d : radicands) {
        for (int a = -4; a <= 4; ++a)
            for (int b = 1; b <= 4 && a != 0; ++b) values.insert(Exact(a) / b * Exact(0, 1, d));
    }
    return {values.begin(), values.end()};
}

SearchResult search_points(const SearchOptions& o) {
    if (o.alpha < 4 || o.alpha > max_alpha)
        throw InputError(fmt::format("alpha must be in 4..{}, not {}", max_alpha, o.alpha));
    if (o.r < 1 || o.r >= o.alpha) throw InputError(fmt::format("r must be in 1..{}, not {}", o.alpha - 1, o.r));
    if (o.trials < 1 || o.screen_trials < 1 || o.beam < 1)
        throw InputError("the trials, the screening trials and the beam width must be positive");
    for (long d : o.radicands) {
        bool square_free = d >= 2 && d <= 1000;
        for (long f = 2; square_free && f * f <= d; ++f) square_free = d % (f * f) != 0;
        if (!square_free) throw InputError(fmt::format("field sqrt({}): the radicand must be square-free, 2..1000", d));
    }
    for (const PointSet& s : o.seeds) validate_points(s, o.alpha);
    const std::vector<Exact> domain = search_domain(o.radicands);
    const std::vector<Exact> root = start_points(o.start, o.alpha, domain);
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    const int threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
    const std::size_t target = static_cast<std::size_t>(o.alpha - 1);

    // beams[s]: the best sets of s finite points found so far.
    std::map<std::size_t, std::vector<Candidate>> beams;
    beams[root.size()] = {Candidate{root, 0}};
    SearchResult result;
    for (std::size_t size = root.size(); size < target; ++size) {
        const bool narrow = o.budget_seconds > 0 && elapsed() > 0.8 * o.budget_seconds;
        const std::size_t width = narrow ? 1 : static_cast<std::size_t>(o.beam);
        keep_best(beams[size], width);
        std::vector<Candidate> grown;
        std::set<std::string> seen;
        for (const Candidate& c : beams[size])
            for (auto& points : extensions(c.points, static_cast<int>(target - size), domain))
                if (seen.insert(key_of(points)).second) grown.push_back({std::move(points), 0});
        evaluate_all(grown, o, threads);
        result.candidates += static_cast<int>(grown.size());
        for (Candidate& c : grown) beams[c.points.size()].push_back(std::move(c));
        for (auto& [s, pool] : beams)
            if (s > size) keep_best(pool, width);
        if (o.progress)
            o.progress(fmt::format("{} points: {} candidates, best screened error {:.3g}, {:.1f} s", size + 1,
                                   grown.size(), beams[size + 1].empty() ? 0.0 : beams[size + 1][0].error, elapsed()));
    }

    // Re-rank the final beam and the seeds: the tile error on the full trial
    // count, with every placement of the denominators; a given objective as is
    // (the kernels' recipes do not depend on the placement).
    std::vector<Candidate> finalists = beams[target];
    for (const PointSet& s : o.seeds) finalists.push_back({s.finite, 0});
    struct Ranked {
        PointSet points;
        FractionsIn where;
        double error;
    };
    std::vector<Ranked> ranked;
    std::vector<PointSet> seen;
    const int m = o.alpha - o.r + 1;
    for (const Candidate& c : finalists) {
        // Order matters here: the same set in another order sums differently.
        if (std::find(seen.begin(), seen.end(), PointSet{c.points}) != seen.end()) continue;
        seen.push_back(PointSet{c.points});
        Ranked entry{PointSet{c.points}, FractionsIn::G, 0};
        entry.error = o.objective ? o.objective(build_toom_cook(m, o.r, entry.points))
                                  : best_placement_error(m, o.r, entry.points,
                                                         {o.trials, o.seed, threads, EvaluationOrder::dense}, &entry.where);
        ranked.push_back(std::move(entry));
        ++result.candidates;
    }
    std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
        return a.error != b.error ? a.error < b.error : key_of(a.points.finite) < key_of(b.points.finite);
    });
    if (o.progress)
        o.progress(o.objective ? fmt::format("re-ranked {} finalists, {:.1f} s", ranked.size(), elapsed())
                               : fmt::format("re-ranked {} finalists on {} trials, {:.1f} s", ranked.size(), o.trials, elapsed()));
    // Near ties (within 1%) go to the cheaper recipe; at most three are compiled.
    std::size_t best = 0;
    int best_ops = recipe_ops(build_toom_cook(m, o.r, ranked[0].points));
    for (std::size_t i = 1; i < ranked.size() && i < 3 && ranked[i].error <= ranked[0].error * 1.01; ++i) {
        const int ops = recipe_ops(build_toom_cook(m, o.r, ranked[i].points));
        if (ops < best_ops) best = i, best_ops = ops;
    }
    result.points = ranked[best].points;
    result.fractions_in = ranked[best].where;
    result.error = ranked[best].error;
    result.ops = best_ops;
    result.seconds = elapsed();
    return result;
}

double record_default_points(const std::filesystem::path& table_file, int alpha, const SearchResult& found,
                             const AccuracyOptions& options, const std::string& how) {
    const double current = best_placement_error(alpha - 2, 3, default_points(alpha), options);
    if (found.error >= current) return current;
    std::ifstream in(table_file);
    if (!in) throw InputError(fmt::format("cannot read {}", table_file.string()));
    nlohmann::ordered_json table;
    try {
        table = nlohmann::ordered_json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("{} is not valid JSON ({})", table_file.string(), e.what()));
    }
    std::vector<std::string> finite = point_strings(found.points);
    finite.pop_back();  // "inf" is implied in the table
    table["sets"][std::to_string(alpha)] = {
        {"points", finite},
        {"source", fmt::format("{}; error {:.3e} (fractions in {}) vs {:.3e} before", how, found.error,
                               to_string(found.fractions_in), current)}};
    write_file_atomically(table_file, table.dump(2) + "\n");
    return current;
}

}  // namespace wino
