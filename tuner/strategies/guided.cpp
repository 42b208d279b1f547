// Guided search, coarse to fine. Coarse: every (variant, m) of the space once,
// at its suggested parameters (the rule `run` uses untuned), which finds the
// variant and tile size, where most of the time goes. Fine: from the best two,
// coordinate descent over the parameter table: one parameter at a time, each
// of its candidate values with the others held, keeping the best, until a pass
// over all parameters improves nothing (at most three passes). The parameters
// mostly shape different kernels, whose times add up, so one at a time finds
// what the full product would at a small fraction of its cost.
#include "strategy.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace wino {

namespace {

struct Start {
    Candidate candidate;
    double time_ms;
};

}  // namespace

void guided_search(SearchContext& context) {
    std::set<std::string> in_space;
    for (const Candidate& c : context.space) in_space.insert(candidate_key(c));

    // Coarse: the first candidate of each (variant, m) group is its suggested one
    // when the device can run it (search_space builds the product from it).
    std::map<std::pair<Variant, int>, const Candidate*> groups;
    for (const Candidate& c : context.space) groups.try_emplace({c.variant, c.m}, &c);
    std::vector<Start> starts;
    for (const auto& [group, c] : groups) {
        if (context.out_of_budget()) return;
        if (auto t = context.measure(*c)) starts.push_back({*c, *t});
    }
    std::stable_sort(starts.begin(), starts.end(), [](const Start& a, const Start& b) { return a.time_ms < b.time_ms; });
    if (starts.size() > 2) starts.resize(2);

    // Fine: coordinate descent from each start.
    for (Start best : starts)
        for (int pass = 0; pass < 3; ++pass) {
            bool improved = false;
            for (const ParamSpec& spec : param_table())
                for (const ParamValue& value : spec.candidates) {
                    Candidate next = best.candidate;
                    next.params[spec.name] = value;
                    if (next == best.candidate || !in_space.count(candidate_key(next))) continue;
                    if (context.out_of_budget()) return;
                    if (auto t = context.measure(next); t && *t < best.time_ms) {
                        best = {next, *t};
                        improved = true;
                    }
                }
            if (!improved) break;
        }
}

}  // namespace wino
