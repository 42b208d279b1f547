// fp32 tile evaluation (dense or recipe order), fp64 reference, median error.
#include "recipes/accuracy.hpp"

#include "recipes/recipe_run.hpp"

#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

namespace wino {
namespace {

struct FloatMatrix {
    std::size_t rows = 0, cols = 0;
    std::vector<float> v;
    float operator()(std::size_t i, std::size_t j) const { return v[i * cols + j]; }
};

FloatMatrix to_floats(const ExactMatrix& m) {
    FloatMatrix f{m.rows(), m.cols(), std::vector<float>(m.rows() * m.cols())};
    for (std::size_t i = 0; i < m.rows(); ++i)
        for (std::size_t j = 0; j < m.cols(); ++j) f.v[i * m.cols() + j] = to_float(m(i, j));
    return f;
}

// How one tile is computed in fp32: Y (m×m) from d (α×α) and g (r×r).
class TileEvaluator {
public:
    virtual ~TileEvaluator() = default;
    virtual void evaluate(const std::vector<float>& d, const std::vector<float>& g, std::vector<float>& y) = 0;
};

// out (a.rows × n) = a · in (a.cols × n).
void product(const FloatMatrix& a, const float* in, std::size_t n, float* out) {
    for (std::size_t i = 0; i < a.rows; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            float s = 0.0f;
            for (std::size_t k = 0; k < a.cols; ++k) s += a(i, k) * in[k * n + j];
            out[i * n + j] = s;
        }
}

// out (rows × a.rows) = in (rows × a.cols) · aᵀ.
void product_transposed(const float* in, std::size_t rows, const FloatMatrix& a, float* out) {
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < a.rows; ++j) {
            float s = 0.0f;
            for (std::size_t k = 0; k < a.cols; ++k) s += in[i * a.cols + k] * a(j, k);
            out[i * a.rows + j] = s;
        }
}

class DenseTile : public TileEvaluator {
public:
    explicit DenseTile(const ToomCook1D& t) : at_(to_floats(t.AT)), g_(to_floats(t.G)), bt_(to_floats(t.BT)) {}
    void evaluate(const std::vector<float>& d, const std::vector<float>& g, std::vector<float>& y) override {
        const std::size_t a = bt_.rows, r = g_.cols, m = at_.rows;
        t1_.resize(a * a), t2_.resize(a * a), u_.resize(a * a);
        product(g_, g.data(), r, t1_.data());             // G g        (α×r)
        product_transposed(t1_.data(), a, g_, u_.data());  // (G g) Gᵀ  (α×α)
        product(bt_, d.data(), a, t1_.data());             // BT d
        product_transposed(t1_.data(), a, bt_, t2_.data()); // BT d B
        for (std::size_t i = 0; i < a * a; ++i) t2_[i] *= u_[i];
        product(at_, t2_.data(), a, t1_.data());            // AT M   (m×α)
        y.resize(m * m);
        product_transposed(t1_.data(), m, at_, y.data());   // AT M A
    }

private:
    FloatMatrix at_, g_, bt_;
    std::vector<float> t1_, t2_, u_;
};

class RecipeTile : public TileEvaluator {
public:
    explicit RecipeTile(const RecipeSet& s)
        : input_(s.input), filter_(s.filter), output_(s.output), alpha_(s.algorithm.alpha), m_(s.algorithm.m) {}
    void evaluate(const std::vector<float>& d, const std::vector<float>& g, std::vector<float>& y) override {
        u_.resize(alpha_ * alpha_), v_.resize(alpha_ * alpha_), y.resize(m_ * m_);
        run_2d(filter_, filter_, g.data(), u_.data(), scratch_, values_);
        run_2d(input_, input_, d.data(), v_.data(), scratch_, values_);
        for (std::size_t i = 0; i < u_.size(); ++i) v_[i] *= u_[i];
        run_2d(output_, output_, v_.data(), y.data(), scratch_, values_);
    }

private:
    RecipeRun<float> input_, filter_, output_;
    std::size_t alpha_, m_;
    std::vector<float> u_, v_, scratch_, values_;
};

double relative_error(const std::vector<float>& d, const std::vector<float>& g, const std::vector<float>& y,
                      std::size_t m, std::size_t r) {
    const std::size_t alpha = m + r - 1;
    double worst_diff = 0, worst_ref = 0;
    std::vector<double> diff_col(m, 0.0), ref_col(m, 0.0);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < m; ++j) {
            double exact = 0;
            for (std::size_t k = 0; k < r; ++k)
                for (std::size_t l = 0; l < r; ++l)
                    exact += static_cast<double>(d[(i + k) * alpha + j + l]) * static_cast<double>(g[k * r + l]);
            diff_col[j] += std::abs(static_cast<double>(y[i * m + j]) - exact);
            ref_col[j] += std::abs(exact);
        }
    for (std::size_t j = 0; j < m; ++j) worst_diff = std::max(worst_diff, diff_col[j]), worst_ref = std::max(worst_ref, ref_col[j]);
    return worst_diff / worst_ref;
}

void draw(std::mt19937_64& rng, std::vector<float>& out, std::size_t n) {
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    out.resize(n);
    for (float& x : out) x = static_cast<float>(uniform(rng));
}

template <class MakeEvaluator>
AccuracyResult run_trials(int m, int r, const AccuracyOptions& o, MakeEvaluator make) {
    if (o.trials < 1) throw InputError(fmt::format("the trial count must be at least 1, not {}", o.trials));
    const auto start = std::chrono::steady_clock::now();
    const int threads = std::max(1, std::min(o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency()), o.trials));
    const std::size_t alpha = static_cast<std::size_t>(m + r - 1);
    std::vector<double> errors(static_cast<std::size_t>(o.trials));
    // CLN's reference counts are not atomic: every exact value is turned into
    // floats here, on this thread, before the workers start.
    std::vector<std::unique_ptr<TileEvaluator>> evaluators;
    for (int i = 0; i < threads; ++i) evaluators.push_back(make());
    auto worker = [&](int first) {
        TileEvaluator* evaluator = evaluators[first].get();
        std::vector<float> d, g, y;
        for (int t = first; t < o.trials; t += threads) {
            std::mt19937_64 rng(o.seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(t));
            draw(rng, d, alpha * alpha);
            draw(rng, g, static_cast<std::size_t>(r * r));
            evaluator->evaluate(d, g, y);
            errors[t] = relative_error(d, g, y, static_cast<std::size_t>(m), static_cast<std::size_t>(r));
        }
    };
    {
        std::vector<std::jthread> pool;  // joined however this scope ends (a thread that fails to start)
        for (int i = 1; i < threads; ++i) pool.emplace_back(worker, i);
        worker(0);
    }
    auto middle = errors.begin() + errors.size() / 2;
    std::nth_element(errors.begin(), middle, errors.end());
    return {*middle, o.trials, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

}  // namespace

EvaluationOrder parse_evaluation_order(const std::string& name, std::string_view what) {
    if (name == "dense") return EvaluationOrder::dense;
    if (name == "recipe") return EvaluationOrder::recipe;
    throw InputError(fmt::format("{} must be dense or recipe, not '{}'", what, name));
}

AccuracyResult measure_accuracy(const ToomCook1D& t, const AccuracyOptions& o) {
    if (o.order == EvaluationOrder::recipe) return measure_accuracy(optimize_recipes(t), o);
    return run_trials(t.m, t.r, o, [&] { return std::make_unique<DenseTile>(t); });
}

AccuracyResult measure_accuracy(const RecipeSet& s, const AccuracyOptions& o) {
    if (o.order == EvaluationOrder::dense) return run_trials(s.algorithm.m, s.algorithm.r, o, [&] { return std::make_unique<DenseTile>(s.algorithm); });
    return run_trials(s.algorithm.m, s.algorithm.r, o, [&] { return std::make_unique<RecipeTile>(s); });
}

double tile_relative_error(const ToomCook1D& t, const std::vector<float>& d, const std::vector<float>& g) {
    DenseTile tile(t);
    std::vector<float> y;
    tile.evaluate(d, g, y);
    return relative_error(d, g, y, static_cast<std::size_t>(t.m), static_cast<std::size_t>(t.r));
}

}  // namespace wino
