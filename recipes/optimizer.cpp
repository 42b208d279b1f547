// Recipe optimizer. A linear map is compiled in two phases:
//  1. pair extraction: the (variable a, variable b, ratio) pair shared by the most
//     rows becomes a temporary c·(a + ratio·b), repeatedly (Hosangadi-style CSE);
//     for a ±p point pair this is exactly the even/odd split E ± O;
//  2. emission: temporaries then rows, each either from its terms or as an
//     already computed value plus a sparse residual (value reuse), whichever
//     costs fewer ops; a row's sum starts from a +1 term, factors a common
//     coefficient when that is cheaper, and fuses x·c + z into one FMA.
// Costs are measured by emitting into a counter, so the cost model and the
// emitted code cannot disagree.
#include "recipes/optimizer.hpp"

#include <wino/errors.hpp>
#include "generator/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>

namespace wino {
namespace {

using Form = std::vector<Exact>;  // a linear form over the recipe's inputs

struct Term {
    int value;
    Exact coef;
};
using Terms = std::vector<Term>;

struct OpCounter {
    int ops = 0;
    int push(const Op&) {
        ++ops;
        return -1;
    }
};

template <class Sink>
int emit_sum(Sink& sink, Terms terms, const OptimizerOptions& o);

int sum_cost(const Terms& terms, const OptimizerOptions& o) {
    OpCounter counter;
    emit_sum(counter, terms, o);
    return counter.ops;
}

// Start from a +1 term (free), else a scaled term (mul), else negate; then one
// add, sub or fma (mul + add without FMA) per remaining term.
template <class Sink>
int emit_plain_sum(Sink& sink, Terms terms, bool fma) {
    auto take = [&](auto predicate) {
        auto it = std::find_if(terms.begin(), terms.end(), predicate);
        if (it == terms.end()) return std::optional<Term>();
        Term t = *it;
        terms.erase(it);
        return std::optional<Term>(t);
    };
    int acc;
    if (auto unit = take([](const Term& t) { return t.coef == 1; }))
        acc = unit->value;
    else if (auto scaled = take([](const Term& t) { return t.coef != -1; }))
        acc = sink.push({Opcode::mul, scaled->value, -1, scaled->coef});
    else
        acc = sink.push({Opcode::neg, take([](const Term&) { return true; })->value, -1, 0});
    for (const Term& t : terms) {
        if (t.coef == 1)
            acc = sink.push({Opcode::add, acc, t.value, 0});
        else if (t.coef == -1)
            acc = sink.push({Opcode::sub, acc, t.value, 0});
        else if (fma)
            acc = sink.push({Opcode::fma, t.value, acc, t.coef});
        else
            acc = sink.push({Opcode::add, acc, sink.push({Opcode::mul, t.value, -1, t.coef}), 0});
    }
    return acc;
}

Exact most_common_coefficient(const Terms& terms) {
    std::map<Exact, int> seen;
    Exact best = terms.front().coef;
    for (const Term& t : terms)
        if (++seen[t.coef] > seen[best]) best = t.coef;
    return best;
}

Terms divided(Terms terms, const Exact& by) {
    for (Term& t : terms) t.coef = t.coef / by;
    return terms;
}

bool has_unit(const Terms& terms) {
    return std::any_of(terms.begin(), terms.end(), [](const Term& t) { return t.coef == 1; });
}

// Factoring c out of c·(Σ t/c) pays when the inner sum has unit terms the plain
// sum lacks, most of all without FMA: ½(g0+g1+g2) is 3 ops, ½g0+½g1+½g2 is 5.
template <class Sink>
int emit_sum(Sink& sink, Terms terms, const OptimizerOptions& o) {
    if (terms.empty()) throw std::logic_error("recipe row with no terms");
    if (o.factor && terms.size() >= 2 && !has_unit(terms)) {
        const Exact c = most_common_coefficient(terms);
        const Terms inner = divided(terms, c);
        if (c != -1 && sum_cost(inner, o) + 1 < sum_cost(terms, {o.cse, false, o.fma, o.scaling})) {
            const int v = emit_sum(sink, inner, o);
            return sink.push({Opcode::mul, v, -1, c});
        }
    }
    return emit_plain_sum(sink, std::move(terms), o.fma);
}

// Bits of the constants a sum multiplies by: among equally cheap choices the one
// with the plainest constants (4x0 − 5x2 + x4 rather than x0 − 5/4·x2 + 1/4·x4)
// is kept. Denominators weigh most: integers up to 2^24 are exact in fp32. An
// algebraic constant a + b√d weighs its two rational coordinates.
std::size_t constant_bits(const Terms& terms) {
    std::size_t bits = 0;
    for (const Term& t : terms)
        if (!is_unit(t.coef))
            for (const Rational& x : {t.coef.rational_part(), t.coef.radical_coefficient()})
                if (!cln::zerop(x))
                    bits += 64 * (cln::integer_length(cln::denominator(x)) - 1) +
                            cln::integer_length(cln::numerator(x));
    return bits;
}

// The value numbering of the recipe being built, with the linear form of each value.
class Program {
public:
    Program(int n_inputs, OptimizerOptions options) : options_(options) {
        recipe_.n_inputs = n_inputs;
        for (int i = 0; i < n_inputs; ++i) {
            Form e(static_cast<std::size_t>(n_inputs), Exact(0));
            e[i] = 1;
            forms_.push_back(std::move(e));
            depths_.push_back(0);
        }
    }

    int push(const Op& op) {
        recipe_.ops.push_back(op);
        forms_.push_back(form_of(op, forms_));
        depths_.push_back(1 + std::max(depths_[op.a], op.b >= 0 ? depths_[op.b] : 0));
        return static_cast<int>(forms_.size()) - 1;
    }

    const Form& form(int value) const { return forms_[value]; }
    int depth(int value) const { return depths_[value]; }
    int value_count() const { return static_cast<int>(forms_.size()); }
    const OptimizerOptions& options() const { return options_; }

    void add_output(int value) {
        const bool taken = value < recipe_.n_inputs ||
                           std::find(recipe_.outputs.begin(), recipe_.outputs.end(), value) != recipe_.outputs.end();
        recipe_.outputs.push_back(taken ? push({Opcode::copy, value, -1, 0}) : value);
    }

    Recipe take() { return std::move(recipe_); }

private:
    OptimizerOptions options_;
    Recipe recipe_;
    std::vector<Form> forms_;
    std::vector<int> depths_;
};

// Ops first; then the depth of the dependency chain (shorter chains round less
// and schedule better); then the plainest constants.
using Cost = std::tuple<int, int, std::size_t>;

struct Choice {
    Terms terms;
    Exact scale = 1;  // the emitted value is target / scale
    Cost cost;
};

// The sum is emitted as one chain, so its depth is at most the deepest term plus
// one op per further term.
int chain_depth(const Program& p, const Terms& terms) {
    int deepest = 0;
    for (const Term& t : terms) deepest = std::max(deepest, p.depth(t.value));
    return deepest + static_cast<int>(terms.size()) - 1;
}

void consider(Choice& best, const Program& p, Terms terms, const Exact& scale) {
    const Cost cost{sum_cost(terms, p.options()), chain_depth(p, terms), constant_bits(terms)};
    if (best.terms.empty() || cost < best.cost) best = {std::move(terms), scale, cost};
}

// target / scale = sign·value + residual over the inputs; nothing when that
// takes more than max_terms terms (most values are far from the target).
std::optional<Terms> reuse_terms(int value, const Exact& sign, const Form& target, const Form& of_value,
                                 const Exact& scale, std::size_t max_terms) {
    Terms terms{{value, sign}};
    for (std::size_t j = 0; j < target.size(); ++j) {
        if (is_zero(target[j]) && is_zero(of_value[j])) continue;
        const Exact r = target[j] / scale - sign * of_value[j];
        if (is_zero(r)) continue;
        if (terms.size() == max_terms) return std::nullopt;
        terms.push_back({static_cast<int>(j), r});
    }
    return terms;
}

// Scales s with target ≈ s·value on at least two entries: only those can leave a
// residual shorter than the target itself.
std::vector<Exact> shared_scales(const Form& target, const Form& of_value) {
    std::vector<Exact> ratios, shared;
    for (std::size_t j = 0; j < target.size(); ++j)
        if (!is_zero(target[j]) && !is_zero(of_value[j])) ratios.push_back(target[j] / of_value[j]);
    for (std::size_t i = 0; i < ratios.size(); ++i)
        for (std::size_t k = i + 1; k < ratios.size(); ++k)
            if (ratios[i] == ratios[k] && std::find(shared.begin(), shared.end(), ratios[i]) == shared.end())
                shared.push_back(ratios[i]);
    return shared;
}

// The cheapest way to compute `target` (or, when free, a multiple of it): its own
// terms, or an existing value (negated where the scale is fixed) plus a sparse
// residual.
Choice choose(const Program& p, const Form& target, const Terms& own, bool free) {
    const OptimizerOptions& o = p.options();
    Choice best;
    if (free)
        for (const Term& t : own) consider(best, p, divided(own, t.coef), t.coef);
    else
        consider(best, p, own, 1);
    if (!o.cse) return best;
    for (int v = 0; v < p.value_count(); ++v) {
        const Form& f = p.form(v);
        std::vector<std::pair<Exact, Exact>> sign_and_scale;
        if (free)
            for (const Exact& s : shared_scales(target, f)) sign_and_scale.push_back({1, s});
        else
            sign_and_scale = {{1, 1}, {-1, 1}};
        for (const auto& [sign, scale] : sign_and_scale)
            if (auto terms = reuse_terms(v, sign, target, f, scale, own.size())) consider(best, p, std::move(*terms), scale);
    }
    return best;
}

// A row or temporary during pair extraction: variable → coefficient. Variables
// are the inputs, then the temporaries in order of creation.
using Sparse = std::map<int, Exact>;

struct Temporary {
    int a, b;
    Exact coef_a, coef_b;
};

struct PairKey {
    int a, b;
    Exact ratio;
    bool operator==(const PairKey& o) const { return a == o.a && b == o.b && ratio == o.ratio; }
    bool operator<(const PairKey& o) const { return std::tie(a, b) < std::tie(o.a, o.b) || (a == o.a && b == o.b && ratio < o.ratio); }
};

struct PairKeyHash {
    std::size_t operator()(const PairKey& k) const {
        return (static_cast<std::size_t>(k.a) * 1000003u + static_cast<std::size_t>(k.b)) * 31u +
               k.ratio.hash();
    }
};

using PairMap = std::unordered_map<PairKey, std::vector<std::size_t>, PairKeyHash>;

PairMap pair_occurrences(const std::vector<Sparse>& rows) {
    PairMap found;
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (auto x = rows[i].begin(); x != rows[i].end(); ++x)
            for (auto y = std::next(x); y != rows[i].end(); ++y)
                found[{x->first, y->first, y->second / x->second}].push_back(i);
    return found;
}

Terms as_terms(const Sparse& s) {
    Terms t;
    for (const auto& [var, coef] : s) t.push_back({var, coef});
    return t;
}

// The temporary's scale c in c·(a + ratio·b): cheap to compute, and leaving the
// rows a +1 term where their scale is fixed.
Exact temporary_scale(const std::vector<Sparse>& rows, const std::vector<std::size_t>& where, const PairKey& key,
                         bool rows_free, const OptimizerOptions& o) {
    std::vector<Exact> candidates;
    for (std::size_t i : where) candidates.push_back(rows[i].at(key.a));
    candidates.push_back(1);
    candidates.push_back(1 / key.ratio);
    Exact best = candidates.front();
    std::pair<int, std::size_t> best_score{-1, 0};
    for (const Exact& c : candidates) {
        const Terms definition{{key.a, c}, {key.b, c * key.ratio}};
        std::pair<int, std::size_t> score{sum_cost(definition, o), constant_bits(definition)};
        if (!rows_free)
            for (std::size_t i : where) {
                Sparse after = rows[i];
                after.erase(key.a);
                after.erase(key.b);
                after[-1] = rows[i].at(key.a) / c;
                score.first += has_unit(as_terms(after)) ? 0 : 1;
            }
        if (best_score.first < 0 || score < best_score) best = c, best_score = score;
    }
    return best;
}

// Replaces the most shared pair by a temporary until no pair is shared.
std::vector<Temporary> extract_pairs(std::vector<Sparse>& rows, int n_inputs, bool rows_free,
                                     const OptimizerOptions& o) {
    std::vector<Temporary> temps;
    while (true) {
        auto found = pair_occurrences(rows);
        auto best = found.end();
        for (auto it = found.begin(); it != found.end(); ++it) {
            if (it->second.size() < 2) continue;
            // Deterministic despite the hash order: ties go to the smallest key.
            auto rank = [](const auto& entry) {
                return std::make_tuple(entry.second.size(), is_unit(entry.first.ratio));
            };
            if (best == found.end() || rank(*it) > rank(*best) || (rank(*it) == rank(*best) && it->first < best->first))
                best = it;
        }
        if (best == found.end()) return temps;
        const PairKey key = best->first;
        const Exact c = temporary_scale(rows, best->second, key, rows_free, o);
        const int var = n_inputs + static_cast<int>(temps.size());
        temps.push_back({key.a, key.b, c, c * key.ratio});
        for (std::size_t i : best->second) {
            const Exact coef = rows[i].at(key.a) / c;
            rows[i].erase(key.a);
            rows[i].erase(key.b);
            rows[i][var] = coef;
        }
    }
}

Form form_of(const Terms& terms, const Program& p) {
    Form f(p.form(0).size(), Exact(0));
    for (const Term& t : terms)
        for (std::size_t j = 0; j < f.size(); ++j) f[j] = f[j] + t.coef * p.form(t.value)[j];
    return f;
}

Terms on_values(Terms terms, const std::vector<int>& value_of_var) {
    for (Term& t : terms) t.value = value_of_var[t.value];
    return terms;
}

// Emits target (or a multiple when free); returns the value and the scale.
std::pair<int, Exact> emit_target(Program& p, const Terms& own_on_values, bool free) {
    Choice c = choose(p, form_of(own_on_values, p), own_on_values, free);
    return {emit_sum(p, c.terms, p.options()), c.scale};
}

}  // namespace

Recipe compile_linear_map(const ExactMatrix& m, bool rows_free, const OptimizerOptions& o,
                          ExactMatrix* realized) {
    const int n = static_cast<int>(m.cols());
    std::vector<Sparse> rows(m.rows());
    for (std::size_t i = 0; i < m.rows(); ++i)
        for (std::size_t j = 0; j < m.cols(); ++j)
            if (!is_zero(m(i, j))) rows[i][static_cast<int>(j)] = m(i, j);
    const bool free = rows_free && o.scaling;
    std::vector<Temporary> temps = o.cse ? extract_pairs(rows, n, free, o) : std::vector<Temporary>{};

    Program p(n, o);
    std::vector<int> value_of_var(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) value_of_var[i] = i;
    for (const Temporary& t : temps)
        value_of_var.push_back(
            emit_target(p, on_values({{t.a, t.coef_a}, {t.b, t.coef_b}}, value_of_var), false).first);
    if (realized) *realized = ExactMatrix(m.rows(), m.cols());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto [value, scale] = emit_target(p, on_values(as_terms(rows[i]), value_of_var), free);
        p.add_output(value);
        if (realized)
            for (std::size_t j = 0; j < m.cols(); ++j) (*realized)(i, j) = m(i, j) / scale;
    }
    return p.take();
}

namespace {

// G' row l = G row l / (output scale l · input scale l), keeping AT'·G'·BT' exact.
ExactMatrix compensated_filter(const ExactMatrix& g, const std::vector<Exact>& out_scale,
                                  const std::vector<Exact>& in_scale) {
    ExactMatrix scaled = g;
    for (std::size_t l = 0; l < g.rows(); ++l)
        for (std::size_t k = 0; k < g.cols(); ++k) scaled(l, k) = g(l, k) / (out_scale[l] * in_scale[l]);
    return scaled;
}

ExactMatrix scaled_columns(const ExactMatrix& a, const std::vector<Exact>& scale) {
    ExactMatrix scaled = a;
    for (std::size_t i = 0; i < a.rows(); ++i)
        for (std::size_t l = 0; l < a.cols(); ++l) scaled(i, l) = a(i, l) * scale[l];
    return scaled;
}

// Cost of the output transform, then of the filter transform, for column scales;
// the filter is not compiled when the output alone is already worse than `bound`.
std::pair<int, int> output_choice_cost(const ToomCook1D& c, const std::vector<Exact>& out_scale,
                                       const std::vector<Exact>& in_scale, const OptimizerOptions& o,
                                       std::pair<int, int> bound = {1 << 30, 0}) {
    const int out = compile_linear_map(scaled_columns(c.AT, out_scale), false, o).counts().total();
    if (out > bound.first) return {out, 0};
    const int filter = compile_linear_map(compensated_filter(c.G, out_scale, in_scale), false, o).counts().total();
    return {out, filter};
}

// Scales for AT column l worth trying: each makes one entry of AT column l or of
// G row l equal to ±1.
std::vector<Exact> output_scale_candidates(const ToomCook1D& c, std::size_t l, const Exact& in_scale) {
    std::vector<Exact> candidates;
    auto add = [&](const Exact& s) {
        for (const Exact& signed_s : {s, Exact(-s)})
            if (std::find(candidates.begin(), candidates.end(), signed_s) == candidates.end())
                candidates.push_back(signed_s);
    };
    for (std::size_t i = 0; i < c.AT.rows(); ++i)
        if (!is_zero(c.AT(i, l))) add(1 / c.AT(i, l));
    for (std::size_t k = 0; k < c.G.cols(); ++k)
        if (!is_zero(c.G(l, k))) add(c.G(l, k) / in_scale);
    return candidates;
}

// The column of the point −p for the column of p, where the set has both: such
// columns share their pair temporaries, so their scales move together.
std::vector<std::size_t> mirror_columns(const ToomCook1D& c) {
    const auto& p = c.points.finite;
    std::vector<std::size_t> mirror(static_cast<std::size_t>(c.alpha));
    for (std::size_t l = 0; l < mirror.size(); ++l) {
        mirror[l] = l;
        for (std::size_t k = 0; k < p.size() && l < p.size(); ++k)
            if (k != l && p[k] == -p[l]) mirror[l] = k;
    }
    return mirror;
}

// Descends from `scale`: moves rescale one column, or a column and its mirror by
// the same factor, while the (output, filter) cost drops.
std::vector<Exact> descend(const ToomCook1D& c, std::vector<Exact> scale, const std::vector<Exact>& in_scale,
                              const OptimizerOptions& o, std::pair<int, int>& best) {
    const std::vector<std::size_t> mirror = mirror_columns(c);
    best = output_choice_cost(c, scale, in_scale, o);
    for (bool improved = true; improved;) {
        improved = false;
        for (std::size_t l = 0; l < scale.size(); ++l)
            for (const Exact& s : output_scale_candidates(c, l, in_scale[l]))
                for (bool with_mirror : {false, true}) {
                    if (s == scale[l] || (with_mirror && mirror[l] == l)) continue;
                    std::vector<Exact> trial = scale;
                    trial[l] = s;
                    if (with_mirror) trial[mirror[l]] = scale[mirror[l]] * s / scale[l];
                    auto cost = output_choice_cost(c, trial, in_scale, o, best);
                    if (cost < best) best = cost, scale = std::move(trial), improved = true;
                }
    }
    return scale;
}

// AT column scales minimizing the output transform (run per tile), then the
// filter transform (run per weight). Two starts: the canonical scaling, and the
// one that leaves G the plain evaluation matrix (rows 1, p, p², …), whose even
// parts g0 + p²g2 + … reuse one another.
std::vector<Exact> choose_output_scales(const ToomCook1D& c, const std::vector<Exact>& in_scale,
                                           const OptimizerOptions& o) {
    std::vector<Exact> ones(static_cast<std::size_t>(c.alpha), Exact(1));
    if (!o.scaling) return ones;
    std::vector<Exact> evaluation(ones.size());
    for (std::size_t l = 0; l < ones.size(); ++l) {
        std::vector<Exact> row;
        for (std::size_t k = 0; k < c.G.cols(); ++k) row.push_back(c.G(l, k) / in_scale[l]);
        evaluation[l] = content(row) * (is_negative(row[row[0] == 0 ? row.size() - 1 : 0]) ? -1 : 1);
    }
    std::pair<int, int> cost_a, cost_b;
    std::vector<Exact> a = descend(c, ones, in_scale, o, cost_a);
    std::vector<Exact> b = descend(c, evaluation, in_scale, o, cost_b);
    return cost_b < cost_a ? b : a;
}

double l1_norm(const ExactMatrix& m, std::size_t row) {
    double sum = 0;
    for (std::size_t j = 0; j < m.cols(); ++j) sum += std::abs(to_double(m(row, j)));
    return sum;
}

// The power of two nearest x > 0 on a log scale, exactly.
Exact power_of_two_near(double x) {
    const int e = static_cast<int>(std::lround(std::log2(x)));
    return e >= 0 ? Exact(cln::ash(1, e)) : Exact(1) / Exact(cln::ash(1, -e));
}

}  // namespace

ToomCook1D apply_scaling(const ToomCook1D& canonical, const std::vector<Exact>& input_scale,
                         const std::vector<Exact>& output_scale) {
    ToomCook1D scaled = canonical;
    scaled.AT = scaled_columns(canonical.AT, output_scale);
    scaled.G = compensated_filter(canonical.G, output_scale, input_scale);
    for (std::size_t l = 0; l < canonical.BT.rows(); ++l)
        for (std::size_t j = 0; j < canonical.BT.cols(); ++j) scaled.BT(l, j) = canonical.BT(l, j) * input_scale[l];
    return scaled;
}

RecipeSet optimize_recipes(const ToomCook1D& canonical, const OptimizerOptions& o) {
    if (o.balanced) {
        std::vector<Exact> in_scale, out_scale;
        for (std::size_t l = 0; l < static_cast<std::size_t>(canonical.alpha); ++l) {
            in_scale.push_back(power_of_two_near(1 / l1_norm(canonical.BT, l)));
            // G' row = G row / (in · out) has L1 near 1 when out ≈ L1(G row) / in.
            out_scale.push_back(power_of_two_near(l1_norm(canonical.G, l) / to_double(in_scale.back())));
        }
        RecipeSet set{apply_scaling(canonical, in_scale, out_scale), o, in_scale, out_scale, {}, {}, {}};
        set.input = compile_linear_map(set.algorithm.BT, false, o);
        set.output = compile_linear_map(set.algorithm.AT, false, o);
        set.filter = compile_linear_map(set.algorithm.G, false, o);
        prove(set);
        return set;
    }
    RecipeSet set{canonical, o, {}, {}, {}, {}, {}};
    ExactMatrix bt;
    set.input = compile_linear_map(canonical.BT, true, o, &bt);
    set.input_scale.resize(static_cast<std::size_t>(canonical.alpha));
    for (std::size_t l = 0; l < set.input_scale.size(); ++l)
        for (std::size_t j = 0; j < bt.cols(); ++j)
            if (!is_zero(bt(l, j))) set.input_scale[l] = bt(l, j) / canonical.BT(l, j);
    set.output_scale = choose_output_scales(canonical, set.input_scale, o);
    set.algorithm = apply_scaling(canonical, set.input_scale, set.output_scale);
    set.output = compile_linear_map(set.algorithm.AT, false, o);
    set.filter = compile_linear_map(set.algorithm.G, false, o);
    prove(set);
    return set;
}

std::array<TransformPart, 3> transform_parts(const RecipeSet& set) {
    const ToomCook1D& a = set.algorithm;
    return {{{"input", "V = BT d", set.input, a.BT, 2 * a.alpha},
             {"filter", "U = G g", set.filter, a.G, a.r + a.alpha},
             {"output", "Y = AT M", set.output, a.AT, a.alpha + a.m}}};
}

void prove(const RecipeSet& set) {
    for (const TransformPart& part : transform_parts(set))
        if (!(matrix_of(part.recipe) == part.matrix))
            throw ProofError(fmt::format("proof failed: the F({},{}) {} recipe does not compute its matrix",
                                         set.algorithm.m, set.algorithm.r, part.name));
    prove(set.algorithm);
}

}  // namespace wino
