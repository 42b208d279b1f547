// Measure, check, record, resume.
#include "tuner/tuner.hpp"

#include <wino/errors.hpp>
#include "runtime/layer_run.hpp"
#include "runtime/host_reference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace wino {

LayerTuning tune_layer(Executor& executor, TuningDb& db, const ConvShape& layer, const TuneOptions& options,
                       const std::function<void(const TuneProgress&)>& progress) {
    const StrategySpec& strategy = strategy_named(options.strategy);
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    const DeviceIdentity& device = executor.identity();
    std::vector<Candidate> space = search_space(layer, device.backend, executor.limits());
    if (space.empty())  // the untuned candidate is refused too: its reason is the layer's
        throw InputError(fmt::format("{} cannot be tuned: {}", layer_text(layer),
                                     refusal(layer, untuned_config(layer, device.backend), executor.limits())));
    if (!options.points.empty()) {
        // The points fix alpha on the transformed axes: the candidates of that alpha.
        const int alpha = static_cast<int>(parse_point_list(options.points).size()) + 1;
        std::erase_if(space, [&](const Candidate& c) {
            return !spec_of(c.variant).winograd || (layer.R > 1 && c.m.h + layer.R - 1 != alpha) ||
                   (layer.S > 1 && c.m.w + layer.S - 1 != alpha);
        });
        if (space.empty())
            throw InputError(fmt::format("--points {} are for alpha {}, which no tile of the space has for a {} filter",
                                         options.points, alpha, filter_text(layer)));
        const std::string points = canonical_points(options.points, space.front().m, layer.R, layer.S);
        for (Candidate& c : space) c.points = points;
    }
    if (options.precision != Precision::fp32) {
        std::erase_if(space, [](const Candidate& c) { return !spec_of(c.variant).winograd; });
        if (space.empty())
            throw InputError(fmt::format("{} cannot be tuned at {}: the space holds no Winograd candidate", layer_text(layer),
                                         to_string(options.precision)));
        for (Candidate& c : space) c.precision = options.precision;
    }
    const std::vector<float> input = random_tensor(layer.input_size(), 1), filters = random_tensor(layer.filter_size(), 2);
    const std::vector<double> reference = reference_conv2d(layer, input, filters);

    LayerTuning out{layer, space.front(), space.front(), 0, 0, space.size(), 0, 0, 0, 0};
    TuneProgress state{0, 0, 0, space.size(), 0, 0};
    std::map<std::string, std::optional<double>> seen;
    auto measure = [&](const Candidate& c) -> std::optional<double> {
        const std::string key = candidate_key(c);
        if (auto hit = seen.find(key); hit != seen.end()) return hit->second;
        ConvPlan plan = make_plan(layer, c, device.backend);  // emitted once: hashed, then loaded
        TuningResult result{device, layer, kernels_hash(plan), WINO_GEN_VERSION, c, {}, ""};
        if (std::optional<TuningResult> stored = db.find(device, layer, result.kernels_hash, c)) {
            result = *stored;
            ++state.reused;
        } else {
            try {
                const std::unique_ptr<LoadedLayer> loaded = executor.load(std::move(plan));
                loaded->set_filters(filters);
                std::vector<float> output;
                loaded->run(input, output);
                LayerErrors errors = compare_with_reference(output, reference);
                errors.bound = check_bound(c, layer);  // what `run --check` holds it to
                if (errors.passed())
                    result.time_ms = total_ms(loaded->median_run(input, options.warmup, options.repeats));
                else
                    result.failure = fmt::format("wrong output: rel_err {:.3e} > bound {:.3e}", errors.relative, errors.bound);
            } catch (const std::exception& e) {  // compile failures, device limits, driver errors
                result.failure = e.what();
            }
            db.record(result);
        }
        ++state.measured;
        if (!result.time_ms) ++state.failed;
        if (result.time_ms && (!state.best_ms || *result.time_ms < state.best_ms)) {
            state.best_ms = *result.time_ms;
            out.best = c;
        }
        state.seconds = elapsed();
        if (progress) progress(state);
        return seen[key] = result.time_ms;
    };
    // The budget is the search's, as --budget-seconds says: it starts once the
    // space and the reference are made (seconds of their own on a slow or
    // busy machine), so a resumed run always gets to its stored candidates.
    const auto search_start = std::chrono::steady_clock::now();
    auto searching = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - search_start).count(); };
    measure(space.front());
    SearchContext context{space, measure,
                          [&] { return options.budget_seconds > 0 && searching() > options.budget_seconds; }};
    strategy.search(context);
    if (!state.best_ms) throw DeviceError(fmt::format("no candidate of the {} tried ran correctly", state.measured));

    // The finalists timed again at length, their new times replacing the old;
    // again while a candidate not yet re-timed is faster than the best re-timed.
    // Rounds go round the batch (A B C A B C ...), so a slow spell of the
    // machine hits every candidate, and each keeps its best round.
    std::set<std::string> retimed;
    auto retime = [&](const std::vector<std::string>& keys) {
        std::vector<std::unique_ptr<LoadedLayer>> loaded;
        for (const std::string& key : keys) {
            loaded.push_back(executor.load(layer, config_from_json(nlohmann::json::parse(key), device.backend)));
            loaded.back()->set_filters(filters);
        }
        std::vector<double> best(keys.size(), 0);
        for (int round = 0; round < options.final_rounds; ++round)
            for (std::size_t i = 0; i < keys.size(); ++i) {
                const double t = total_ms(loaded[i]->median_run(input, options.warmup, options.final_repeats));
                if (!best[i] || t < best[i]) best[i] = t;
            }
        for (std::size_t i = 0; i < keys.size(); ++i) {
            db.record({device, layer, kernels_hash(loaded[i]->plan()), WINO_GEN_VERSION, loaded[i]->plan().config, best[i], ""});
            seen[keys[i]] = best[i];
            retimed.insert(keys[i]);
        }
    };
    const std::string untuned = candidate_key(space.front());
    for (double best_retimed = 0;;) {
        std::vector<std::pair<double, std::string>> next;
        for (const auto& [key, t] : seen)
            if (t && !retimed.count(key) && key != untuned && (!best_retimed || *t < best_retimed)) next.push_back({*t, key});
        if (next.empty()) break;
        std::sort(next.begin(), next.end());
        if (next.size() > static_cast<std::size_t>(options.finalists)) next.resize(options.finalists);
        std::vector<std::string> batch;
        for (const auto& [t, key] : next) batch.push_back(key);
        if (seen[untuned] && !retimed.count(untuned)) batch.push_back(untuned);  // the baseline, side by side
        retime(batch);
        for (const std::string& key : retimed)
            if (!best_retimed || *seen[key] < best_retimed) best_retimed = *seen[key];
    }
    // What `run` will take: the database's fastest current result.
    const TuningChoice choice = db.best_current(device, layer, options.precision);
    out.best = choice.candidate.value_or(out.best);
    state.best_ms = choice.time_ms;
    out.untuned_ms = seen[untuned].value_or(0);
    out.time_ms = state.best_ms;
    out.candidates = state.measured;
    out.failed = state.failed;
    out.reused = state.reused;
    out.seconds = elapsed();
    return out;
}

}  // namespace wino
