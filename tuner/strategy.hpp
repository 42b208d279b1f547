// Search strategies (Kernel Tuner's plug-ins): a strategy decides which
// candidates of the space to measure and in what order; the tuner measures,
// checks, records and keeps the best. A strategy is one file in strategies/
// and one line in the table of strategy.cpp.
#pragma once

#include "tuner/search_space.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wino {

struct SearchContext {
    const std::vector<Candidate>& space;  // space.front() is the untuned candidate
    // The candidate's time in ms, or nothing when it failed (compile, limits,
    // wrong output) or the budget is spent. Measuring one twice is free.
    std::function<std::optional<double>(const Candidate&)> measure;
    std::function<bool()> out_of_budget;
    // The candidates it will measure next, in order (replacing those it said
    // before): the tuner compiles them ahead on other threads. A hint: what
    // it measures may differ.
    std::function<void(const std::vector<Candidate>&)> ahead = [](const std::vector<Candidate>&) {};
    // The table's parameters in the order a descent from this measured
    // candidate should try them: those shaping the kernels that took the most
    // of its time first (its kernels' times where it was timed here), the
    // table's order among equals and where its times are not known.
    std::function<std::vector<const ParamSpec*>(const Candidate&)> parameter_order = [](const Candidate&) {
        std::vector<const ParamSpec*> order;
        for (const ParamSpec& spec : param_table()) order.push_back(&spec);
        return order;
    };
    // Where the search is, for the progress line: "coarse", "round 2 of 4 groups".
    std::function<void(const std::string&)> phase = [](const std::string&) {};
};

struct StrategySpec {
    const char* name;
    const char* help;
    void (*search)(SearchContext& context);
};

const std::vector<StrategySpec>& strategies();
// Throws InputError listing the strategies.
// `what` names the text in the message ("--strategy").
const StrategySpec& strategy_named(const std::string& name, std::string_view what);

}  // namespace wino
