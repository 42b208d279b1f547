// The strategy table.
#include "tuner/strategy.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

namespace wino {

void brute_search(SearchContext& context);   // strategies/brute.cpp
void guided_search(SearchContext& context);  // strategies/guided.cpp

const std::vector<StrategySpec>& strategies() {
    static const std::vector<StrategySpec> table = {
        {"guided",
         "every (variant, m) at its suggested parameters, then rounds of coordinate descent over the parameter table, "
         "halving the (variant, m) groups each round until two are left, which both descend to the end",
         guided_search},
        {"brute", "every candidate of the space", brute_search},
    };
    return table;
}

const StrategySpec& strategy_named(const std::string& name, std::string_view what) {
    std::vector<std::string> names;
    for (const StrategySpec& s : strategies()) {
        if (name == s.name) return s;
        names.push_back(s.name);
    }
    throw InputError(fmt::format("{} must be {}, not '{}'", what, fmt::join(names, " or "), name));
}

}  // namespace wino
