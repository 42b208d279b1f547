// `wino-gen tune`: tunes layers on a device into the tuning database, shows
// what it holds, and moves results between machines as JSON.
#include "generator/atomic_file.hpp"
#include "cli/command.hpp"
#include "cli/shared_options.hpp"
#include <wino/errors.hpp>
#include "generator/checked.hpp"
#include "generator/json_text.hpp"
#include "tuner/layer_list.hpp"
#include "tuner/model_layers.hpp"
#include "tuner/tuner.hpp"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <memory>
#include <optional>

#include <unistd.h>

namespace wino::cli {
namespace {

struct TuneCli {
    DeviceOptions where;
    LayerOptions layer;
    std::string layers, model, strategy = "guided", db, format = "text", export_file, import_file, points, precision = "fp32", pass = "forward",
        batches, max_error, write_layers;
    std::optional<int> batch;
    double budget = 0;
    int budget_candidates = 0;
    std::optional<int> compile_threads;
    bool show = false;
    Int8ClipOptions clips;
};

// The layers as given, and the model's Conv nodes that are not among them.
ModelLayers given_layers(const TuneCli& o) {
    if (!o.layers.empty() + !o.layer.input_shape.empty() + !o.model.empty() > 1)
        throw InputError("tune takes one of --layers, --input-shape and --model");
    if (o.batch && o.model.empty()) throw InputError("--batch is for --model (--batches tunes any layers at a list of batch sizes)");
    if (!o.layers.empty()) return {read_layer_list(o.layers), {}};
    if (!o.model.empty()) {
        ModelLayers model = read_model_layers(o.model, o.batch.value_or(1));
        if (model.layers.empty())
            throw InputError(fmt::format("{} has no convolution a Winograd kernel can run ({} Conv nodes skipped)", o.model,
                                         model.skipped.size()));
        return model;
    }
    if (o.layer.input_shape.empty())
        throw InputError("tune needs --layers FILE, --model FILE.onnx or --input-shape N,C,H,W --filters K");
    if (!o.layer.filters) throw InputError("tune --input-shape needs --filters K");
    const ConvShape s = layer_shape(parse_input_shape(o.layer.input_shape), *o.layer.filters, o.layer);
    return {{{fmt::format("{}x{}x{}x{}-k{}-r{}-p{}", s.N, s.C, s.H, s.W, s.K, filter_text(s), padding_text(s.pad)), s}}, {}};
}

// The layers to tune: as given, or with --batches each at every batch size
// listed (its N replaced, "-n<N>" after its name), in the list's order.
ModelLayers layers_of(const TuneCli& o) {
    ModelLayers given = given_layers(o);
    if (o.batches.empty()) return given;
    if (o.batch) throw InputError("give --batch or --batches, not both");
    const LayerField& n = layer_fields()[0];
    std::vector<long long> sizes;
    std::size_t from = 0;
    for (std::size_t comma; from <= o.batches.size(); from = comma + 1) {
        comma = std::min(o.batches.find(',', from), o.batches.size());
        const long long size = parse_integer(o.batches.substr(from, comma - from), n.min, n.max, "--batches");
        if (std::find(sizes.begin(), sizes.end(), size) != sizes.end())
            throw InputError(fmt::format("--batches lists {} twice", size));
        sizes.push_back(size);
    }
    ModelLayers out{{}, given.skipped};
    for (const NamedLayer& l : given.layers)
        for (long long size : sizes) {
            NamedLayer at = l;
            at.shape.N = static_cast<int>(size);
            at.name = fmt::format("{}-n{}", l.name, size);
            out.layers.push_back(at);
        }
    return out;
}

std::string config_text(const Candidate& c) {
    std::vector<std::string> parts = {c.m.square() ? fmt::format("{} m={}", to_string(c.variant), c.m.h)
                                                   : fmt::format("{} m={},{}", to_string(c.variant), c.m.h, c.m.w)};
    for (const ParamSpec& spec : param_table())
        if (std::any_of(spec_of(c.variant).kinds.begin(), spec_of(c.variant).kinds.end(),
                        [&](KernelKind k) { return applies_to(spec, k); }))
            parts.push_back(fmt::format("{} {}", spec.name, value_text(spec, c.params[spec.param])));
    return fmt::format("{}", fmt::join(parts, ", "));
}

// One line per layer, redrawn in place on a terminal; elsewhere (a log) a
// line where the strategy enters a new phase, and the last.
class ProgressLine {
public:
    ProgressLine(std::string name, int index, int count, bool exhaustive)
        : name_(std::move(name)), index_(index), count_(count), exhaustive_(exhaustive), terminal_(isatty(2)) {}
    void update(const TuneProgress& p) {
        const bool new_phase = p.phase != last_.phase;
        last_ = p;
        if (terminal_) fmt::print(stderr, "\r\033[K{}", text());
        else if (new_phase) fmt::print(stderr, "{}\n", text());
    }
    void finish() {
        if (terminal_) fmt::print(stderr, "\r\033[K");
        fmt::print(stderr, "{}\n", text());
    }

private:
    std::string text() const {
        std::string line = fmt::format("tune {} ({}/{}): {} candidates of {} ({} failed, {} over the error budget, {} stored), best ",
                                       name_, index_, count_, last_.measured, last_.space, last_.failed, last_.over_budget,
                                       last_.reused);
        line += last_.best_ms ? fmt::format("{:.3f} ms", last_.best_ms) : "-";
        line += fmt::format(", {:.0f} s", last_.seconds);
        if (!last_.phase.empty()) line += fmt::format(" [{}]", last_.phase);
        if (exhaustive_ && last_.measured > 0)
            line += fmt::format(", ~{:.0f} s left", last_.seconds / last_.measured * (last_.space - last_.measured));
        return line;
    }
    std::string name_;
    int index_, count_;
    bool exhaustive_, terminal_;
    TuneProgress last_;
};

// --write-layers: the model's eligible Conv nodes as a layer list, one line a
// node named by it (what `emit --layers` and `tune --layers` read); nothing is tuned.
void write_model_layers(const TuneCli& o) {
    if (o.model.empty()) throw InputError("--write-layers is for --model: it writes the model's layers as a list");
    if (!o.batches.empty()) throw InputError("--write-layers writes the model at one --batch, not --batches");
    const ModelLayers model = given_layers(o);
    write_file_atomically(o.write_layers,
                          layer_list_text(model.nodes, fmt::format("the Conv nodes of {} ({}) that wino-gen runs, at batch {}; {} skipped",
                                                                   model.file_name, model.hash, o.batch.value_or(1),
                                                                   model.skipped.size())));
    fmt::print("wrote {} layers of {} ({} distinct, {} Conv nodes skipped) to {}\n", model.nodes.size(), o.model, model.layers.size(),
               model.skipped.size(), o.write_layers);
}

void tune(const TuneCli& o) {
    if (!o.write_layers.empty()) return write_model_layers(o);
    if (o.format != "text" && o.format != "json") throw InputError(fmt::format("--format must be text or json, not '{}'", o.format));
    strategy_named(o.strategy, "--strategy");
    const Precision precision = parse_precision(o.precision, "--precision");
    check_int8_clip_options(o.clips, precision);
    const Pass pass = parse_pass(o.pass, "--pass");
    const std::optional<double> max_error = max_error_of(o.max_error, precision);
    const ModelLayers model = layers_of(o);
    const std::vector<NamedLayer>& layers = model.layers;
    TuningDb db(tuning_db_path(o.db));
    Device device = open_device(o.where);
    Executor* executor = &detail::DeviceState::executor_of(device);
    TuneOptions options{o.strategy, o.budget};
    options.points = o.points;
    options.precision = precision;
    options.pass = pass;
    options.max_error = max_error;
    options.int8_clips = [&o](const ConvShape& layer, const ConvConfig& config, const std::vector<float>& gate_input) {
        return int8_clips_for(o.clips, layer, config, gate_input, "the tuner's gate input");
    };
    options.max_candidates = o.budget_candidates;
    options.compile_threads = o.compile_threads;
    nlohmann::ordered_json out = {{"device", executor->identity().label}, {"db", db.path().string()},
                                  {"strategy", o.strategy}, {"pass", to_string(pass)},
                                  {"max_error", max_error ? nlohmann::ordered_json(*max_error) : nlohmann::ordered_json()},
                                  {"layers", nlohmann::ordered_json::array()}};
    if (!o.model.empty()) {
        out["skipped"] = nlohmann::ordered_json::array();
        for (const SkippedConv& s : model.skipped) {
            out["skipped"].push_back({{"node", s.node}, {"reason", s.reason}});
            if (o.format == "text") fmt::print("skipped {}: {}\n", s.node, s.reason);
        }
        if (o.format == "text")
            for (const NamedLayer& l : layers)
                fmt::print("layer {}: {}\n", l.name, layer_text(l.shape));
    }
    // A layer no candidate can run (a 1x1 filter, say) is skipped with its
    // reason, as --model lists its nodes, and the others go on; the run then
    // ends with exit 2.
    std::vector<std::pair<std::string, std::string>> refused;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const NamedLayer& l = layers[i];
        ProgressLine line(l.name, static_cast<int>(i + 1), static_cast<int>(layers.size()), o.strategy == "brute");
        std::optional<LayerTuning> tuned;
        try {
            tuned = tune_layer(*executor, db, l.shape, options, [&](const TuneProgress& p) { line.update(p); });
        } catch (const InputError& e) {
            if (layers.size() == 1) throw;
            refused.push_back({l.name, e.what()});
            if (o.format == "text") fmt::print("skipped {}: {}\n", l.name, e.what());
            continue;
        }
        line.finish();
        const LayerTuning& t = *tuned;
        const double speedup = t.untuned_ms > 0 ? t.untuned_ms / t.time_ms : 0;
        const ConvShape& s = l.shape;
        out["layers"].push_back({{"layer", l.name},
                                 {"shape", layer_json(s)},
                                 {"config", to_json(t.best)}, {"time_ms", t.time_ms},
                                 {"rel_err", t.rel_err ? nlohmann::ordered_json(*t.rel_err) : nlohmann::ordered_json()},
                                 {"clips", t.best.clips.empty() ? nlohmann::ordered_json() : to_json(t.best.clips)},
                                 {"untuned_ms", t.untuned_ms}, {"speedup", speedup}, {"candidates", t.candidates},
                                 {"failed", t.failed}, {"over_budget", t.over_budget}, {"pruned", t.pruned}, {"stored", t.reused},
                                 {"space", t.space}, {"seconds", t.seconds}});
        if (o.format == "text")
            fmt::print("{:<18} {:.3f} ms (untuned {:.3f} ms, {:.2f}x), rel_err {}: {}{}\n", l.name, t.time_ms, t.untuned_ms, speedup,
                       t.rel_err ? fmt::format("{:.1e}", *t.rel_err) : "-", config_text(t.best),
                       t.best.clips.empty() ? "" : fmt::format("; int8 clips: {}", t.best.clips.source));
    }
    if (!refused.empty() && !out.contains("skipped")) out["skipped"] = nlohmann::ordered_json::array();
    for (const auto& [name, reason] : refused) out["skipped"].push_back({{"layer", name}, {"reason", reason}});
    if (o.format == "json") fmt::print("{}", to_readable_json(out));
    if (!refused.empty())
        throw InputError(fmt::format("{} of the {} layers could not be tuned (skipped: {})", refused.size(), layers.size(),
                                     refused.front().first + (refused.size() > 1 ? ", ..." : "")));
}

void show(const TuneCli& o) {
    TuningDb db(tuning_db_path(o.db), true);
    struct Summary {
        int results = 0, failed = 0;
        std::optional<TuningResult> best;
    };
    std::map<std::string, Summary> per_layer;
    for (const TuningResult& r : db.all()) {
        const ConvShape& s = r.layer;
        Summary& sum = per_layer[fmt::format("{} [{} {:04x}:{:04x}, driver {}] {}", r.device.name,
                                             spec_of(r.device.backend).name, r.device.vendor_id, r.device.device_id,
                                             r.device.driver_version, layer_text(s))];
        ++sum.results;
        if (!r.time_ms) ++sum.failed;
        else if (!sum.best || *r.time_ms < *sum.best->time_ms) sum.best = r;
    }
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& [key, sum] : per_layer) {
        out.push_back({{"layer", key}, {"results", sum.results}, {"failed", sum.failed},
                       {"best_ms", sum.best ? nlohmann::ordered_json(*sum.best->time_ms) : nlohmann::ordered_json()},
                       {"config", sum.best ? to_json(sum.best->candidate) : nlohmann::ordered_json()}});
        if (sum.best && !sum.best->candidate.clips.empty()) out.back()["clips"] = to_json(sum.best->candidate.clips);
        if (o.format == "text")
            fmt::print("{}: {} results ({} failed), best {}\n", key, sum.results, sum.failed,
                       sum.best ? fmt::format("{:.3f} ms: {}{}", *sum.best->time_ms, config_text(sum.best->candidate),
                                              sum.best->candidate.clips.empty()
                                                  ? ""
                                                  : fmt::format("; int8 clips: {}", sum.best->candidate.clips.source))
                                : "-");
    }
    if (o.format == "json") fmt::print("{}", to_readable_json(out));
    else if (per_layer.empty()) fmt::print("{}: no results\n", db.path().string());
}

void move_results(const TuneCli& o) {
    if (!o.export_file.empty()) {
        TuningDb db(tuning_db_path(o.db), true);
        write_file_atomically(o.export_file, db.export_json().dump(1) + "\n");
        fmt::print("exported {} to {}\n", db.path().string(), o.export_file);
        return;
    }
    std::ifstream in(o.import_file);
    if (!in || std::filesystem::is_directory(o.import_file)) throw InputError(fmt::format("cannot read {}", o.import_file));
    nlohmann::json file;
    try {
        file = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("{} is not valid JSON ({})", o.import_file, e.what()));
    }
    TuningDb db(tuning_db_path(o.db));
    const int taken = db.import_json(file);
    fmt::print("imported {} results of {} into {}\n", taken, o.import_file, db.path().string());
}

}  // namespace

Command add_tune_command(CLI::App& app) {
    auto o = std::make_shared<TuneCli>();
    CLI::App* sub = app.add_subcommand("tune", tune_description);
    add_device_options(sub, o->where);
    sub->add_option("--layers", o->layers, "layer list: 'name N C H W K R pad' per line (examples/layers/*.txt)");
    sub->add_option("--model", o->model,
                    "ONNX model: every Conv a Winograd kernel runs (stride 1, dilation 1, group 1, a filter whose sizes "
                    "have recipes, 2D or 1D) is a layer, each distinct shape tuned once; the others are listed as skipped");
    sub->add_option("--batch", o->batch, "with --model: the batch size a dynamic batch dimension stands for")->default_str("1")->check(
        integer_range(layer_fields()[0].min, layer_fields()[0].max));
    sub->add_option("--write-layers", o->write_layers,
                    "with --model: write its Conv nodes that wino-gen runs as a layer list ('name N C H W K RxS pad' a "
                    "line, named by node, for --layers and emit --layers) to this file, and tune nothing");
    sub->add_option("--batches", o->batches,
                    "tune each layer at each of these batch sizes, its N replaced ('1,8,32'); `run` at an untuned N takes "
                    "the nearest tuned one's result");
    add_layer_options(sub, o->layer);
    std::vector<std::string> names;
    for (const StrategySpec& s : strategies()) names.push_back(fmt::format("{} ({})", s.name, s.help));
    sub->add_option("--strategy", o->strategy, fmt::format("{}", fmt::join(names, "; ")))->default_str("guided");
    add_points_option(sub, o->points, "; every candidate takes them, so they fix m = count + 2 - r");
    add_precision_option(sub, o->precision, ". Tunes at this precision; `run --precision` then takes the result");
    add_pass_option(sub, o->pass, ". Tunes this pass of each layer; `run --pass` then takes the result");
    add_max_error_option(sub, o->max_error, "the candidates the search keeps and the choice (every result is stored with its error)");
    add_int8_clip_options(sub, o->clips, "the tuner's gate input; each tile's clips are stored with its results");
    sub->add_option("--budget-seconds", o->budget,
                    "per layer, for the search (0: none); the fastest found are then timed again at length")
        ->check(seconds_range());
    sub->add_option("--budget-candidates", o->budget_candidates, "per layer, the most candidates the search measures (0: no limit)")
        ->default_str("0")
        ->check(integer_range(0, 100000000));
    sub->add_option("--compile-threads", o->compile_threads,
                    "threads that compile the next candidates while one is measured (0: none; they pause while a CPU "
                    "device times one)")
        ->default_str(fmt::format("{} on a GPU, 0 on a CPU device", default_compile_threads(DeviceClass::gpu)))
        ->check(integer_range(0, 256));
    sub->add_option("--db", o->db, "tuning database (default: $WINO_TUNING_DB, else $XDG_DATA_HOME/wino-gen/tuning.db)");
    sub->add_option("--format", o->format, "text or json")->default_str("text");
    sub->add_flag("--show", o->show, "list what the database holds, per device and layer");
    sub->add_option("--export", o->export_file, "write every result to this JSON file");
    sub->add_option("--import", o->import_file, "merge a JSON export, keeping the faster result per key");
    return {sub, [o] {
                if (o->show) return show(*o);
                if (!o->export_file.empty() || !o->import_file.empty()) return move_results(*o);
                tune(*o);
            }};
}

}  // namespace wino::cli
