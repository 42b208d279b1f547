// Guided search, coarse to fine, by successive halving. Coarse: every
// (variant, m) of the space once, at its suggested parameters (what `run`
// uses untuned); groups over 3x the best are dropped (lavapipe's fused
// kernels). Fine: each surviving group takes one pass of coordinate descent
// over the parameter table (one parameter at a time, each of its candidate
// values with the others held, keeping the best), then the better half of the
// groups goes on, until two are left; each descends until a pass improves
// nothing. A group's suggested parameters can rank it wrongly (m 7 was 5th of
// 9 at them and first after tuning on a 14x14 layer), so no group is judged
// before it has been tuned once. The parameters mostly shape different
// kernels, whose times add up, so one at a time finds what the full product
// would, at a few percent of its cost; a descent takes first the parameters
// of the kernels that took the most of its best's time (the GEMM's on a GPU
// at N = 32, the transforms' on lavapipe), so a budget that ends it part way
// has spent itself where it counts.
#include "tuner/strategy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <set>

namespace wino {

namespace {

struct Group {
    Candidate best;
    double time_ms;
    const Candidate* start;  // the group's suggested candidate
};

}  // namespace

// Groups whose best times lie within a median's noise of each other cannot be
// ranked by one: the last two descend to the end, and the tuner's side-by-side
// re-timing of the fastest decides.
constexpr std::size_t finalists = 2;

void guided_search(SearchContext& context) {
    std::set<std::string> in_space;
    for (const Candidate& c : context.space) in_space.insert(candidate_key(c));

    // Coarse: the first candidate of each (variant, m) group is its suggested one
    // when the device can run it (search_space builds the product from it).
    std::map<std::tuple<Variant, int, int>, const Candidate*> firsts;
    for (const Candidate& c : context.space) firsts.try_emplace({c.variant, c.m.h, c.m.w}, &c);
    std::vector<Group> groups;
    std::vector<Candidate> coarse;
    for (const auto& [key, c] : firsts) coarse.push_back(*c);
    context.phase(fmt::format("coarse: {} (variant, m) groups", coarse.size()));
    context.ahead(coarse);
    for (const auto& [key, c] : firsts) {
        if (context.out_of_budget()) return;
        if (auto t = context.measure(*c)) groups.push_back({*c, *t, c});
    }
    auto by_time = [](const Group& a, const Group& b) { return a.time_ms < b.time_ms; };
    std::stable_sort(groups.begin(), groups.end(), by_time);
    if (groups.empty()) return;
    const double cutoff = 3 * groups.front().time_ms;
    groups.erase(std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.time_ms > cutoff; }), groups.end());

    // One pass of coordinate descent on a group; true when it improved. A
    // parameter's values are tried from the best before it, so they are
    // known (and compiled ahead) before the first is measured: a better one
    // differs from that best in this parameter only.
    auto descend = [&](Group& g) {
        bool improved = false;
        for (const ParamSpec* spec : context.parameter_order(g.best)) {
            std::vector<Candidate> values;
            for (const ParamValue& value : spec->candidates) {
                Candidate next = g.best;
                next.params[spec->param] = value;
                next = without_inert(next, g.start->params);
                if (next != g.best && in_space.count(candidate_key(next))) values.push_back(next);
            }
            context.ahead(values);
            for (const Candidate& next : values) {
                if (context.out_of_budget()) return false;
                if (auto t = context.measure(next); t && *t < g.time_ms) {
                    g = {next, *t, g.start};
                    improved = true;
                }
            }
        }
        return improved;
    };
    for (int round = 1; groups.size() > finalists; ++round) {
        context.phase(fmt::format("round {}: descent of {} groups", round, groups.size()));
        for (Group& g : groups) descend(g);
        if (context.out_of_budget()) return;
        std::stable_sort(groups.begin(), groups.end(), by_time);
        groups.resize(std::max(finalists, (groups.size() + 1) / 2));
    }
    context.phase(fmt::format("final descent of {} groups", groups.size()));
    for (Group& g : groups)
        for (int pass = 0; pass < 3 && descend(g); ++pass) {
        }
}

}  // namespace wino
