// Brute force: every candidate of the space, in order.
#include "tuner/strategy.hpp"

namespace wino {

void brute_search(SearchContext& context) {
    context.ahead(context.space);
    for (const Candidate& c : context.space) {
        if (context.out_of_budget()) return;
        context.measure(c);
    }
}

}  // namespace wino
