// The fp32 accuracy of a Winograd algorithm, by the metric of EuroSys'20 §4.1:
// one 2D tile F(m×m, r×r), input and filter uniform in (−1, 1), transforms in
// fp32, compared with direct correlation in fp64; relative error
// ‖Ŷ − Y‖₁ / ‖Y‖₁ (‖X‖₁ the largest column sum); the median over the trials.
// Trial t draws from a generator seeded by (seed, t), so a result does not
// depend on the thread count.
#pragma once

#include "recipes/optimizer.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace wino {

// dense: the plain matrix products of the paper; recipe: the order our kernels
// compute (the 1D recipes over columns, then rows, with FMA).
enum class EvaluationOrder { dense, recipe };

// `what` names the text in the message ("--order").
EvaluationOrder parse_evaluation_order(const std::string& name, std::string_view what);

struct AccuracyOptions {
    int trials = 10000;
    std::uint64_t seed = 1;
    int threads = 0;  // 0: all cores
    EvaluationOrder order = EvaluationOrder::dense;
};

struct AccuracyResult {
    double error;    // median relative error
    int trials;
    double seconds;
};

// Dense order evaluates `recipes.algorithm`'s canonical matrices when given a
// plain algorithm; recipe order needs the recipe set.
AccuracyResult measure_accuracy(const ToomCook1D& algorithm, const AccuracyOptions& options);
AccuracyResult measure_accuracy(const RecipeSet& recipes, const AccuracyOptions& options);

// One trial's relative error, exposed for tests: d is α×α, g is r×r, row-major,
// already fp32 values.
double tile_relative_error(const ToomCook1D& algorithm, const std::vector<float>& d, const std::vector<float>& g);

}  // namespace wino
