// Measure, check, record, resume.
#include "tuner/tuner.hpp"

#include "tuner/compile_pool.hpp"

#include <wino/errors.hpp>
#include "runtime/layer_run.hpp"
#include "runtime/host_reference.hpp"
#include "runtime/layer_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>
#include <deque>
#include <set>
#include <thread>

namespace wino {

int default_compile_threads(DeviceClass device_class) {
    return device_class == DeviceClass::gpu ? std::max(1, static_cast<int>(std::thread::hardware_concurrency())) : 0;
}

namespace {

// The candidates the layer is tuned over: the search space, narrowed to the
// alpha of options.points (every candidate at those points) and to Winograd
// candidates at a 16-bit precision. Throws InputError when none is left.
std::vector<Candidate> layer_space(const Executor& executor, const ConvShape& layer, const TuneOptions& options) {
    const Backend backend = executor.identity().backend;
    std::vector<Candidate> space = search_space(layer, backend, executor.limits(), options.precision, options.pass);
    // A layer no candidate runs at any precision says why of its untuned one (at
    // fp32); one that only this precision leaves empty is told below.
    if (space.empty() && (options.precision == Precision::fp32 ||
                          search_space(layer, backend, executor.limits(), Precision::fp32, options.pass).empty()))
        throw InputError(fmt::format("{} cannot be tuned: {}", layer_text(layer),
                                     refusal(layer, untuned_config(layer, executor.limits().device_class, options.pass),
                                             backend, executor.limits())));
    if (options.precision != Precision::fp32) {
        std::erase_if(space, [](const Candidate& c) { return !spec_of(c.variant).winograd; });
        if (space.empty())
            throw InputError(fmt::format("{} cannot be tuned at {}: the space holds no Winograd candidate", layer_text(layer),
                                         to_string(options.precision)));
    }
    if (!options.points.empty()) {
        // The points fix alpha on the transformed axes: the candidates of that alpha.
        const int alpha = static_cast<int>(parse_point_list(options.points).size()) + 1;
        // The alphas of what the pass's kernels compute (backward-filter's: F(S, w) along W).
        std::erase_if(space, [&](const Candidate& c) {
            if (!spec_of(c.variant).winograd) return true;
            const ConvShape s = pass_shape(layer, c.pass, c.m);
            const TileSize m = pass_tile(layer, c.pass, c.m);
            return (s.R > 1 && m.h + s.R - 1 != alpha) || (s.S > 1 && m.w + s.S - 1 != alpha);
        });
        if (space.empty())
            throw InputError(fmt::format("the points {} are for alpha {}, which no tile of the space has for a {} filter",
                                         options.points, alpha, filter_text(layer)));
        const Candidate& first = space.front();
        const ConvShape s = pass_shape(layer, first.pass, first.m);
        const std::string points = canonical_points(options.points, pass_tile(layer, first.pass, first.m), s.R, s.S);
        for (Candidate& c : space) c.points = points;
    }
    return space;
}

// How far past the error budget the error model may predict a (variant, m)
// group before the tuner leaves it out unmeasured: the model's small layer
// and seeded tensors are not the gate's, so a group near the budget is
// measured and judged on its own output.
constexpr double prune_margin = 2.0;

// Leaves out of `space` each Winograd (variant, m) group whose modelled error
// (modelled_config_error) is past prune_margin × the budget, all but the
// untuned candidate (the first, measured for the comparison whatever it errs).
// Returns how many candidates it left out.
int prune_by_error_model(std::vector<Candidate>& space, const ConvShape& layer, double max_error) {
    std::map<std::pair<Variant, std::pair<int, int>>, bool> past;  // (variant, m) → predicted past the margin
    // The model differs between variants only in the 16-bit buffers each keeps
    // (at fp32 not at all): one model per tile and set of roundings.
    std::map<std::tuple<int, int, bool, bool, bool, bool, ProductOperands>, bool> modelled;
    for (const Candidate& c : space) {
        if (!spec_of(c.variant).winograd) continue;
        const auto group = std::pair{c.variant, std::pair{c.m.h, c.m.w}};
        if (past.count(group)) continue;
        const Roundings r = roundings(c.variant, c.precision);
        const auto model = std::tuple{c.m.h, c.m.w, r.u, r.v, r.product, r.tensors, r.operands};
        if (!modelled.count(model)) modelled[model] = modelled_config_error(layer, c) > prune_margin * max_error;
        past[group] = modelled.at(model);
    }
    const std::size_t before = space.size();
    const Candidate untuned = space.front();
    std::erase_if(space, [&](const Candidate& c) {
        return spec_of(c.variant).winograd && past.at({c.variant, {c.m.h, c.m.w}}) && !(c == untuned);
    });
    return static_cast<int>(before - space.size());
}

// The gate's input: seeded uniform values, at int8-io those its int8 codes
// stand for (at the values' own scale), so the layer's codes carry it exactly.
std::vector<float> gate_input(const ConvShape& layer, const TuneOptions& options) {
    const std::vector<float> x = random_tensor(tensor_size(layer, spec_of(options.pass).images), 1);
    if (!spec_of(options.precision).int8_io) return x;
    const std::vector<double> values(x.begin(), x.end());
    const float scale = data_scale(values);
    return dequantized(quantized(values, scale, 0), scale, 0);
}

// At int8-io, how the gate's tensors are coded: as run codes them without scales given.
std::optional<TensorQuantization> gate_coding(const ConvShape& layer, const TuneOptions& options, const std::vector<float>& input,
                                              const std::vector<float>& filters) {
    if (!spec_of(options.precision).int8_io) return std::nullopt;
    return data_quantization(layer, {}, input, filters, {});
}

// One layer's run: its tensors and their fp64 reference, made once, and every
// candidate measured so far, by candidate_key.
class LayerTuner {
public:
    LayerTuner(Executor& executor, TuningDb& db, const ConvShape& layer, const TuneOptions& options,
               const std::function<void(const TuneProgress&)>& progress, std::size_t space,
               std::chrono::steady_clock::time_point start)
        : executor_(executor), db_(db), layer_(layer), options_(options), progress_(progress), start_(start),
          input_(gate_input(layer, options)),
          filters_(random_tensor(tensor_size(layer, spec_of(options.pass).filters), 2)),
          reference_(reference_pass(layer, options.pass, input_, filters_)), coding_(gate_coding(layer, options, input_, filters_)),
          layer_input_(coding_ ? wino::quantized({input_.begin(), input_.end()}, coding_->input_scale, 0) : input_), pool_(executor, options.compile_threads.value_or(default_compile_threads(executor.limits().device_class))) {
        state_.space = space;
    }

    // The candidates the strategy measures next: their kernels are emitted
    // here (the recipes' exact algebra stays on this thread) and compiled by
    // the pool, a few candidates ahead of the one measured.
    void ahead(const std::vector<Candidate>& next) {
        if (!pool_.threads()) return;
        upcoming_.assign(next.begin(), next.end());
        // Plans of an earlier hint the strategy did not follow make room (their kernels stay compiled).
        std::set<std::string> wanted;
        for (const Candidate& c : next) wanted.insert(candidate_key(c));
        std::erase_if(planned_, [&](const auto& entry) { return !wanted.count(entry.first); });
        top_up();
    }

    // The candidate's time, from the database where it holds these kernels'
    // result with its error, else checked and timed here and recorded; none
    // when it failed, or erred past the budget (then recorded, for a run
    // with another budget, but not a choice here).
    std::optional<double> measure(const Candidate& given) {
        const Candidate c = clipped(given);
        const std::string key = candidate_key(c);
        if (auto hit = seen_.find(key); hit != seen_.end()) return within_budget(hit->second);
        const DeviceIdentity& device = executor_.identity();
        ConvPlan plan = planned(c);  // emitted once: hashed, then loaded
        TuningResult result{device, layer_, kernels_hash(plan), WINO_GEN_VERSION, c, {}, "", {}};
        std::map<KernelKind, double> kind_ms;
        // A stored success of unknown error (schema 2), or of other clips, is measured again.
        if (std::optional<TuningResult> stored = db_.find(device, layer_, result.kernels_hash, c);
            stored && (!stored->time_ms || stored->rel_err) && stored->candidate.clips == c.clips) {
            result = *stored;
            ++state_.reused;
        } else {
            check_and_time(std::move(plan), result, kind_ms);
            db_.record(result);
        }
        ++state_.measured;
        const Measured& m = seen_[key] = {c, result.time_ms, result.rel_err, false, kind_ms};
        top_up();  // after it is seen: it is not planned again
        const std::optional<double> time = within_budget(m);
        if (!result.time_ms) ++state_.failed;
        else if (!time) ++state_.over_budget;
        if (time && (!state_.best_ms || *time < state_.best_ms)) {
            state_.best_ms = *time;
            best_ = c;
        }
        state_.seconds = seconds();
        if (progress_) progress_(state_);
        return time;
    }

    // The leaders timed again at length, their new times replacing the old in
    // the database; again while a candidate not yet re-timed is faster than
    // the best re-timed. The untuned candidate is re-timed beside the first
    // batch, as the baseline.
    void retime_leaders(const Candidate& untuned) {
        const std::string untuned_key = candidate_key(untuned);
        for (double best_retimed = 0;;) {
            std::vector<std::pair<double, const Measured*>> next;
            for (const auto& [key, m] : seen_)
                if (within_budget(m) && !m.retimed && key != untuned_key && (!best_retimed || *m.time_ms < best_retimed))
                    next.push_back({*m.time_ms, &m});
            if (next.empty()) return;
            std::sort(next.begin(), next.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
            if (next.size() > static_cast<std::size_t>(options_.finalists)) next.resize(options_.finalists);
            std::vector<Candidate> batch;
            for (const auto& [t, m] : next) batch.push_back(m->candidate);
            if (const Measured& base = seen_[untuned_key]; base.time_ms && !base.retimed) batch.push_back(untuned);
            for (const Measured* m : retime(batch))
                if (!best_retimed || *m->time_ms < best_retimed) best_retimed = *m->time_ms;
        }
    }

    const TuneProgress& state() const { return state_; }
    // The parameters by the time share of the kernels each shapes in c's timing (strategy.hpp).
    std::vector<const ParamSpec*> parameter_order(const Candidate& c) const {
        std::vector<std::pair<double, const ParamSpec*>> scored;
        const auto hit = seen_.find(candidate_key(c));
        for (const ParamSpec& spec : param_table()) {
            double ms = 0;
            if (hit != seen_.end())
                for (const KernelKind kind : spec.kinds)
                    if (const auto t = hit->second.kind_ms.find(kind); t != hit->second.kind_ms.end()) ms += t->second;
            scored.push_back({ms, &spec});
        }
        std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        std::vector<const ParamSpec*> order;
        for (const auto& [ms, spec] : scored) order.push_back(spec);
        return order;
    }

    void phase(const std::string& text) {
        state_.phase = text;
        state_.seconds = seconds();
        if (progress_) progress_(state_);
    }
    // The fastest candidate measured in the search; none until one passed.
    const std::optional<Candidate>& best() const { return best_; }
    std::optional<double> time_of(const Candidate& c) const {
        const auto hit = seen_.find(candidate_key(c));
        return hit == seen_.end() ? std::nullopt : hit->second.time_ms;
    }
    double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

private:
    struct Measured {
        Candidate candidate;
        std::optional<double> time_ms, rel_err;
        bool retimed = false;
        std::map<KernelKind, double> kind_ms = {};  // where it was timed here: each kernel kind's share of time_ms
    };

    // An int8 tile's clips, and the gate's bound for them (the host model's
    // error on the gate's tensors), made once per tile and points.
    struct Quantized {
        Int8Clips clips;
        std::optional<double> bound = std::nullopt;
    };
    Quantized& quantized(const Candidate& c) {
        const std::pair key{tile_json(c.m).dump(), c.points};
        auto hit = quantized_.find(key);
        if (hit == quantized_.end())
            hit = quantized_.emplace(key, Quantized{options_.int8_clips ? options_.int8_clips(layer_, c, input_)
                                                                        : calibrate_int8(layer_, c, {input_}, default_calibration(c.precision))})
                      .first;
        return hit->second;
    }

    // The candidate as it runs: at int8, with its tile's clips.
    Candidate clipped(Candidate c) {
        if (spec_of(c.precision).quantized()) c.clips = quantized(c).clips;
        return c;
    }

    // What the gate holds a candidate (clipped) to: run --check's bound.
    double gate_bound(const Candidate& c) {
        if (!spec_of(c.precision).quantized()) return check_bound(c, layer_);
        std::optional<double>& bound = quantized(c).bound;
        if (!bound) bound = coding_ ? int8_check_bound(layer_, c, input_, filters_, {}, &*coding_) : check_bound(c, layer_, input_, filters_, {});
        return *bound;
    }

    // The layer's filters set, and at int8-io its coding.
    std::unique_ptr<LoadedLayer> loaded(ConvPlan plan) {
        std::unique_ptr<LoadedLayer> layer = executor_.load(std::move(plan));
        layer->set_filters(filters_);
        if (coding_) layer->set_quantization(*coding_);
        return layer;
    }

    // The candidate's plan (c clipped): the one made ahead, else made now.
    ConvPlan planned(const Candidate& c) {
        if (auto ready = planned_.extract(candidate_key(c))) return std::move(ready.mapped());
        return make_plan(layer_, c, executor_.identity().backend);
    }

    // Plans the next upcoming candidates and hands their kernels to the pool
    // while its threads want more (CompilePool::wants_more).
    void top_up() {
        while (!upcoming_.empty() && pool_.wants_more() && planned_.size() < pool_.plan_limit()) {
            const Candidate c = upcoming_.front();
            upcoming_.pop_front();
            const std::string key = candidate_key(c);
            if (seen_.count(key) || planned_.count(key)) continue;
            try {
                ConvPlan plan = make_plan(layer_, clipped(c), executor_.identity().backend);
                pool_.add(plan.kernels);
                planned_.emplace(key, std::move(plan));
            } catch (const InputError&) {  // refused: its measure records why
            }
        }
    }

    // On a CPU device the pool stops while kernels are timed.
    std::optional<CompilePool::Pause> quiet() {
        if (executor_.limits().device_class == DeviceClass::cpu) return std::optional<CompilePool::Pause>(std::in_place, pool_);
        return std::nullopt;
    }

    // Its time where it passed the gate within the error budget.
    std::optional<double> within_budget(const Measured& m) const {
        if (!m.time_ms || (options_.max_error && (!m.rel_err || *m.rel_err > *options_.max_error))) return std::nullopt;
        return m.time_ms;
    }

    // The correctness gate (what `run --check` holds the output to), then the
    // median timing; a failure's reason in `result` instead.
    void check_and_time(ConvPlan plan, TuningResult& result, std::map<KernelKind, double>& kind_ms) {
        try {
            const std::unique_ptr<LoadedLayer> layer = loaded(std::move(plan));
            std::vector<float> output;
            layer->run(layer_input_, output);
            if (coding_) output = dequantized(output, coding_->output_scale, coding_->output_zero_point);
            LayerErrors errors = compare_with_reference(output, reference_);
            errors.bound = gate_bound(result.candidate);
            if (errors.passed()) {
                const auto paused = quiet();
                const KernelTimes times = layer->median_run(layer_input_, options_.warmup, options_.timing).median;
                result.time_ms = total_ms(times);
                for (const auto& [name, ms] : times)
                    for (const EmittedKernel& k : layer->plan().kernels)
                        if (k.name == name) kind_ms[k.kind] += ms;
                result.rel_err = errors.relative;
            } else
                result.failure = fmt::format("wrong output: rel_err {:.3e} > bound {:.3e}", errors.relative, errors.bound);
        } catch (const std::exception& e) {  // compile failures, device limits, driver errors
            result.failure = e.what();
        }
    }

    // Rounds go round the batch (A B C A B C ...), so a slow or fast spell of
    // the machine hits every candidate, and each keeps its median round. Not
    // its best: on lavapipe spells go both ways (a small layer's rounds from
    // 0.27 ms where it runs 0.38 ms typically), and the best round would
    // favour the candidate whose times spread the most.
    std::vector<const Measured*> retime(const std::vector<Candidate>& batch) {
        std::vector<std::unique_ptr<LoadedLayer>> layers;
        for (const Candidate& c : batch) layers.push_back(loaded(make_plan(layer_, clipped(c), executor_.identity().backend)));
        std::vector<std::vector<double>> rounds(batch.size());
        const auto paused = quiet();
        for (int round = 0; round < options_.final_rounds; ++round)
            for (std::size_t i = 0; i < batch.size(); ++i)
                rounds[i].push_back(total_ms(layers[i]->median_run(layer_input_, options_.warmup, options_.final_repeats)));
        std::vector<const Measured*> retimed;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            std::vector<double>& times = rounds[i];
            std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2), times.end());
            const double median = times[times.size() / 2];
            const ConvPlan& plan = layers[i]->plan();
            Measured& m = seen_[candidate_key(batch[i])];
            db_.record({executor_.identity(), layer_, kernels_hash(plan), WINO_GEN_VERSION, plan.config, median, "", m.rel_err});
            m = {batch[i], median, m.rel_err, true, m.kind_ms};
            retimed.push_back(&m);
        }
        return retimed;
    }

    Executor& executor_;
    TuningDb& db_;
    const ConvShape& layer_;
    const TuneOptions& options_;
    const std::function<void(const TuneProgress&)>& progress_;
    const std::chrono::steady_clock::time_point start_;  // the layer's, before its space was made
    const std::vector<float> input_, filters_;
    const std::vector<double> reference_;
    const std::optional<TensorQuantization> coding_;
    const std::vector<float> layer_input_;  // what the layer runs on: input_, at int8-io its codes
    std::map<std::string, Measured> seen_;
    std::map<std::pair<std::string, std::string>, Quantized> quantized_;  // by tile and points
    TuneProgress state_;
    std::optional<Candidate> best_;
    std::deque<Candidate> upcoming_;           // the strategy's next candidates, not yet planned
    std::map<std::string, ConvPlan> planned_;  // planned, their kernels with the pool
    CompilePool pool_;  // last: its threads stop before the rest goes
};

}  // namespace

LayerTuning tune_layer(Executor& executor, TuningDb& db, const ConvShape& layer, const TuneOptions& options,
                       const std::function<void(const TuneProgress&)>& progress) {
    const StrategySpec& strategy = strategy_named(options.strategy, "the strategy");
    const auto start = std::chrono::steady_clock::now();
    std::vector<Candidate> space = layer_space(executor, layer, options);
    const int pruned = options.max_error ? prune_by_error_model(space, layer, *options.max_error) : 0;
    LayerTuner tuner(executor, db, layer, options, progress, space.size(), start);
    // The budget is the search's, as --budget-seconds says: it starts once the
    // space and the reference are made (seconds of their own on a slow or
    // busy machine), so a resumed run always gets to its stored candidates.
    const auto search_start = std::chrono::steady_clock::now();
    auto over_budget = [&] {
        return (options.budget_seconds > 0 &&
                std::chrono::duration<double>(std::chrono::steady_clock::now() - search_start).count() > options.budget_seconds) ||
               (options.max_candidates > 0 && tuner.state().measured >= options.max_candidates);
    };
    const Candidate& untuned = space.front();
    tuner.measure(untuned);
    SearchContext context{space, [&](const Candidate& c) { return tuner.measure(c); }, over_budget,
                          [&](const std::vector<Candidate>& next) { tuner.ahead(next); },
                          [&](const Candidate& c) { return tuner.parameter_order(c); },
                          [&](const std::string& text) { tuner.phase(text); }};
    strategy.search(context);
    // Nothing within the error budget when the search's budget ran out (the
    // untuned F(4,7) errs past fp32's, say): the first candidate of each
    // (variant, m) group, the smallest tiles (the most accurate) first, the
    // direct kernel last, until one keeps it.
    if (!tuner.best() && options.max_error) {
        std::vector<const Candidate*> firsts;
        for (const Candidate& c : space)
            if (std::none_of(firsts.begin(), firsts.end(),
                             [&](const Candidate* f) { return f->variant == c.variant && f->m == c.m; }))
                firsts.push_back(&c);
        const auto order = [](const Candidate* c) {
            return std::pair{!spec_of(c->variant).winograd, c->m.h * c->m.w};
        };
        std::stable_sort(firsts.begin(), firsts.end(), [&](const Candidate* a, const Candidate* b) { return order(a) < order(b); });
        context.phase("the smallest tiles, for a candidate within the error budget");
        for (const Candidate* c : firsts)
            if (tuner.measure(*c) || tuner.best()) break;
    }
    if (!tuner.best())
        throw DeviceError(fmt::format("no candidate of the {} tried ran correctly{}", tuner.state().measured,
                                      options.max_error ? fmt::format(" within the error budget {:.1e}", *options.max_error) : ""));
    tuner.retime_leaders(untuned);
    // What `run` will take under the same budget: the database's fastest current result.
    const TuningChoice choice = db.best_current(executor.identity(), layer, options.precision, options.pass, options.max_error);
    const TuneProgress& state = tuner.state();
    return {layer, choice.candidate.value_or(*tuner.best()), untuned, choice.time_ms, tuner.time_of(untuned).value_or(0),
            choice.rel_err, space.size(), state.measured, state.failed, state.reused, state.over_budget, pruned, tuner.seconds()};
}

}  // namespace wino
