// `wino-gen run`: one convolution layer on a device, from .npy files or seeded
// random tensors; --check compares with the fp64 host reference, --bench times
// it (median of repeats after warm-up) against the direct kernel.
#include "cli/command.hpp"
#include "templates/epilogue.hpp"
#include "cli/shared_options.hpp"
#include <wino/errors.hpp>
#include "generator/json_text.hpp"
#include "cli/kernel_options.hpp"
#include "runtime/layer_run.hpp"
#include "runtime/layer_error.hpp"
#include "runtime/npy.hpp"
#include "tuner/tuned_configs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <map>
#include <memory>
#include <optional>

namespace wino::cli {
namespace {

// Precision int8-io's coding of the input and output (QLinearConv's): what
// is not given comes from the data (data_scale), zero points 0.
// An int8 --weights file's codes are dequantized on the host at weight_scale
// (QLinearConv's w_scale, one or one a filter; zero point 0): int8-io's
// filters are fp32.
struct CodingOptions {
    std::optional<float> input_scale, output_scale;
    int input_zero_point = 0, output_zero_point = 0;
    std::string weight_scale;
    bool given() const { return input_scale || output_scale || input_zero_point || output_zero_point || !weight_scale.empty(); }
};

struct RunCli {
    DeviceOptions where;
    LayerOptions layer;
    std::string format = "text", baseline, db;
    std::string input, grad_output, weights, output, points, precision = "fp32", pass = "forward", bias, activation = "none",
        m, max_error;
    Int8ClipOptions clips;
    CodingOptions coding;
    int warmup = 2, repeats = 5;
    KernelOptions kernel;
    std::uint64_t seed = 1;
    bool check = false, bench = false, no_tuning_db = false;
};

// The file run reads a layer tensor from: --input x, --weights w, --grad-output dy.
const std::string& file_of(const RunCli& o, LayerTensor tensor) {
    switch (tensor) {
        case LayerTensor::x: return o.input;
        case LayerTensor::w: return o.weights;
        case LayerTensor::y: return o.grad_output;
    }
    throw std::logic_error("unknown tensor");
}

using TensorFiles = std::map<LayerTensor, NpyArray>;

// The layer's shape from the flags and the files the pass reads (its images
// and filters, PassSpec), which must agree. A rank-3 input (N,C,W) is a 1D
// layer. The layer is the forward one: from --input-shape, or x's file where
// the pass reads x; K from --filters, or w's first or dy's second dimension.
ConvShape resolve_shape(const RunCli& o, Pass pass, TensorFiles& files) {
    const PassSpec& spec = spec_of(pass);
    for (const LayerTensor tensor : {LayerTensor::x, LayerTensor::w, LayerTensor::y}) {
        const std::string& path = file_of(o, tensor);
        if (path.empty()) continue;
        if (tensor != spec.images && tensor != spec.filters)
            throw InputError(fmt::format("--pass {} reads --{} and --{}, not --{}", spec.name, spec_of(spec.images).read_flag,
                                         spec_of(spec.filters).read_flag, spec_of(tensor).read_flag));
        NpyArray array = read_npy(path);
        if (!spec_of(parse_precision(o.precision, "--precision")).int8_io || tensor == LayerTensor::y) require_real_values(array, path);
        files.emplace(tensor, std::move(array));
    }
    std::vector<long long> in;
    if (!o.layer.input_shape.empty()) in = parse_input_shape(o.layer.input_shape);
    if (const auto x = files.find(LayerTensor::x); x != files.end()) {
        if (x->second.shape.size() != 4 && x->second.shape.size() != 3)
            throw InputError(fmt::format("{} has shape {}, not N,C,H,W (or N,C,W)", o.input, dims_text(x->second.shape)));
        if (!in.empty() && in != x->second.shape)
            throw InputError(fmt::format("--input-shape {} does not match {} ({})", dims_text(in), o.input, dims_text(x->second.shape)));
        in = x->second.shape;
    }
    const bool reads_x = spec.images == LayerTensor::x || spec.filters == LayerTensor::x;
    if (in.empty())
        throw InputError(reads_x ? std::string("run needs --input-shape N,C,H,W (or N,C,W) or --input x.npy")
                                 : fmt::format("--pass {} needs the forward layer: --input-shape N,C,H,W (or N,C,W)", spec.name));
    long long filters = o.layer.filters.value_or(0);
    if (!o.layer.filters) {
        const auto w = files.find(LayerTensor::w), dy = files.find(LayerTensor::y);
        if (w != files.end() && !w->second.shape.empty()) filters = w->second.shape[0];
        else if (dy != files.end() && dy->second.shape.size() > 1) filters = dy->second.shape[1];
        else throw InputError(fmt::format("run needs --filters K or --{} {}.npy", spec_of(spec.filters).read_flag, spec_of(spec.filters).name));
    }
    const ConvShape shape = layer_shape(in, filters, o.layer);
    const bool one_dimensional = in.size() == 3;
    for (const auto& [tensor, array] : files) check_tensor_dims(array, file_of(o, tensor), shape, tensor, one_dimensional);
    return shape;
}

// Whether the layer was given as 1D (N,C,W): by --input-shape, else by x's file (resolve_shape needs one).
bool is_one_dimensional(const RunCli& o, const TensorFiles& files) {
    return (o.layer.input_shape.empty() ? files.at(LayerTensor::x).shape.size() : parse_input_shape(o.layer.input_shape).size()) == 3;
}

Epilogue epilogue_of(const RunCli& o) {
    Epilogue epilogue;
    epilogue.bias = !o.bias.empty();
    parse_activation(o.activation, epilogue, "--activation");
    return epilogue;
}

// --bias: K values from the file, or seeded like the tensors.
std::vector<float> bias_of(const RunCli& o, const ConvShape& shape) {
    if (o.bias == "random") return random_tensor(static_cast<std::size_t>(shape.K), o.seed + 2);
    const NpyArray b = read_npy(o.bias);
    require_real_values(b, o.bias);
    if (b.shape != std::vector<long long>{shape.K})
        throw InputError(fmt::format("{} has shape {}, the bias needs K = {} values", o.bias, dims_text(b.shape), shape.K));
    return b.data;
}

// int8-io's filters: an int8 --weights file's codes times --weight-scale (one
// scale, or one a filter), as fp32.
std::vector<float> dequantized_weights(const RunCli& o, const TensorFiles& files, const ConvShape& shape, std::vector<float> w) {
    const auto file = files.find(LayerTensor::w);
    const bool codes = file != files.end() && file->second.type == ElementType::int8;
    if (codes != !o.coding.weight_scale.empty())
        throw InputError(codes ? fmt::format("{} holds int8 codes: give the scale they are at, --weight-scale", o.weights)
                               : std::string("--weight-scale is for an int8 --weights file"));
    if (!codes) return w;
    const std::optional<std::vector<double>> scales = number_list(o.coding.weight_scale);
    const bool per_filter = scales && static_cast<long long>(scales->size()) == shape.K;
    if (!scales || (scales->size() != 1 && !per_filter) ||
        std::any_of(scales->begin(), scales->end(), [](double scale) { return !(scale > 0 && std::isfinite(float(scale))); }))
        throw InputError(fmt::format("--weight-scale must be one positive finite scale or K = {} of them, not '{}'", shape.K,
                                     o.coding.weight_scale));
    const std::size_t per_k = w.size() / static_cast<std::size_t>(shape.K);
    for (std::size_t i = 0; i < w.size(); ++i) w[i] *= static_cast<float>((*scales)[per_filter ? i / per_k : 0]);
    return w;
}

// The configuration to run: the tuning database's choice for this device and
// layer (unless --no-tuning-db, or --variant or --m name another), else
// suggested_params with the tuning flags given over them, fitted to the
// device around those; a tuning result takes the flags as they are.
std::pair<ConvConfig, TunedConfig> choose_config(const RunCli& o, const ConvShape& shape, const Executor& executor) {
    const DeviceClass device_class = executor.limits().device_class;
    const Pass pass = parse_pass(o.pass, "--pass");
    std::pair<ConvConfig, TunedConfig> chosen{untuned_config(shape, device_class, pass), {}};
    const std::filesystem::path db_path = default_tuning_db(o.db);
    const Precision precision = parse_precision(o.precision, "--precision");
    chosen.first.precision = precision;
    const bool named = !o.m.empty() || o.kernel.variant || !o.points.empty();
    if (!o.no_tuning_db && !named && !db_path.empty() && std::filesystem::exists(db_path)) {
        const TunedConfig found =
            tuned_lookup(db_path, executor.identity())(shape, precision, pass, max_error_of(o.max_error, precision));
        if (found.config) chosen = {*found.config, found};
    }
    ConvConfig& config = chosen.first;
    if (named) {
        if (!o.m.empty()) config.m = parse_tile(o.m, shape, pass);
        config.variant = parse_variant(o.kernel.variant.value_or(to_string(config.variant)), "--variant");
        config.params = suggested_params(shape, config.m, device_class, pass);
        config.points = canonical_points(o.points, config.m, shape.R, shape.S);
        config.precision = precision;
    }
    const std::vector<Param> given = apply_kernel_options(o.kernel, config.params);
    if (!chosen.second.config || named) config = fit_to_device(config, executor.identity().backend, executor.limits(), given);
    config.epilogue = epilogue_of(o);
    return chosen;
}

nlohmann::ordered_json report_json(const LayerJob& job, const DeviceIdentity& device,
                                   const TunedConfig& tuning, const LayerReport& r) {
    const ConvShape& s = job.shape;
    const ConvConfig& c = job.config;
    nlohmann::ordered_json out = {{"device", device.label}, {"backend", spec_of(device.backend).api},
                                  {"variant", to_string(c.variant)}, {"m", tile_json(c.m)}, {"r", tile_json({s.R, s.S})},
                                  {"pad", padding_text(s.pad)},
                                  {"points", spec_of(c.variant).winograd
                                                 ? point_strings(points_of(c, s.R > 1 ? c.m.h : c.m.w, s.R > 1 ? s.R : s.S))
                                                 : std::vector<std::string>{}},
                                  {"tuning", tuning.batch ? std::string("nearest-batch") : tuning.match},
                                  {"config", to_json(c)},
                                  {"precision", to_string(c.precision)},
                                  {"pass", to_string(c.pass)},
                                  {"kernel_set", kernel_set_name(c.variant, c.m, s.R, s.S, c.params, c.precision, c.points,
                                                                 c.epilogue, c.pass)},
                                  {"time_ms", r.time_ms}};
    if (tuning.match != "none")  // the error budget the tuned choice was taken under (null: none)
        out["max_error"] = tuning.max_error ? nlohmann::ordered_json(*tuning.max_error) : nlohmann::ordered_json();
    if (tuning.batch) {
        // The same layer's result at another batch size, found as the match says.
        out["tuned_batch"] = *tuning.batch;
        out["tuning_match"] = tuning.match;
    }
    if (!c.clips.empty())
        out["clips"] = to_json(c.clips);
    if (spec_of(c.precision).int8_io)
        out["quantization"] = {{"input_scale", job.quantization.input_scale}, {"input_zero_point", job.quantization.input_zero_point},
                               {"output_scale", job.quantization.output_scale},
                               {"output_zero_point", job.quantization.output_zero_point}};
    if (job.config.epilogue != Epilogue{})
        out["epilogue"] = {{"bias", job.config.epilogue.bias}, {"activation", activation_text(job.config.epilogue)}};
    if (job.bench) {
        out["gflops"] = job.shape.flops() / (r.time_ms * 1e6);
        nlohmann::ordered_json kernels;
        for (const auto& [name, ms] : r.kernels) kernels[name] = ms;
        out["kernels_ms"] = kernels;
    }
    if (r.baseline_ms) {
        out["baseline_ms"] = *r.baseline_ms;
        out["speedup"] = *r.baseline_ms / r.time_ms;
    }
    if (r.errors) {
        out["rel_err"] = r.errors->relative;
        out["max_abs_err"] = r.errors->max_abs;
        out["max_rel_err"] = r.errors->max_relative;
        out["bound"] = r.errors->bound;
        out["check"] = r.errors->passed() ? "pass" : "fail";
    }
    return out;
}

// "F(4,3)", "F(1x4,1x7)" for a Winograd run.
std::string config_algorithm(const ConvConfig& c, const ConvShape& layer) {
    return spec_of(c.variant).winograd ? algorithm_text(layer, c) : "the direct kernel";
}

void print_result(const RunCli& o, const LayerJob& job, const nlohmann::ordered_json& out) {
    const ConvShape& shape = job.shape;
    if (o.format == "json") {
        fmt::print("{}", to_readable_json(out));
        return;
    }
    const std::string kernels = spec_of(job.config.variant).winograd
                                    ? fmt::format("{} {}", to_string(job.config.variant), config_algorithm(job.config, shape))
                                    : std::string("direct");
    const std::string pass = job.config.pass == Pass::forward ? "" : fmt::format("{} of ", to_string(job.config.pass));
    fmt::print("{}: {} on {}{}x{}x{}x{} -> {} {} filters, pad {}: {:.3f} ms", out["device"].get<std::string>(), kernels, pass,
               shape.N, shape.C, shape.H, shape.W, shape.K, filter_text(shape), padding_text(shape.pad), out["time_ms"].get<double>());
    if (out.contains("gflops")) fmt::print(" ({:.2f} GFLOP/s)", out["gflops"].get<double>());
    if (out.contains("baseline_ms"))
        fmt::print("; direct {:.3f} ms, speedup {:.2f}x", out["baseline_ms"].get<double>(), out["speedup"].get<double>());
    if (out.contains("rel_err"))
        fmt::print("; rel_err {:.3e}, max_abs_err {:.3e}", out["rel_err"].get<double>(), out["max_abs_err"].get<double>());
    if (out.contains("clips")) fmt::print("; int8 clips: {}", out["clips"]["source"].get<std::string>());
    if (out.contains("quantization")) {
        const nlohmann::ordered_json& q = out["quantization"];
        fmt::print("; int8 input scale {:.4g} zero point {}, output scale {:.4g} zero point {}", q["input_scale"].get<double>(),
                   q["input_zero_point"].get<int>(), q["output_scale"].get<double>(), q["output_zero_point"].get<int>());
    }
    const std::string tuning = out["tuning"].get<std::string>();
    if (tuning == "none") {
        fmt::print("; untuned\n");
        return;
    }
    const std::string budget = out["max_error"].is_null() ? "no error budget"
                                                          : fmt::format("error budget {:.1e}", out["max_error"].get<double>());
    if (out.contains("tuned_batch"))
        fmt::print("; tuned at the nearest tuned batch, N={} ({} match, {})\n", out["tuned_batch"].get<long long>(),
                   out["tuning_match"].get<std::string>(), budget);
    else
        fmt::print("; tuned ({} match, {})\n", tuning, budget);
}

void run(const RunCli& o) {
    TensorFiles files;
    LayerJob job;
    const Pass pass = parse_pass(o.pass, "--pass");
    const PassSpec& spec = spec_of(pass);
    job.shape = resolve_shape(o, pass, files);
    if (!o.baseline.empty() && o.baseline != "direct") throw InputError(fmt::format("--baseline must be direct, not '{}'", o.baseline));
    if (o.format != "text" && o.format != "json") throw InputError(fmt::format("--format must be text or json, not '{}'", o.format));
    // Flags are checked before the device opens: a bad one is exit 2 wherever it runs.
    const Backend backend = parse_backend(o.where.backend, "--backend");
    const TileSize m = o.m.empty() ? untuned_config(job.shape, spec_of(backend).usual_device, pass).m : parse_tile(o.m, job.shape, pass);
    max_error_of(o.max_error, parse_precision(o.precision, "--precision"));
    ConvConfig flags_only{parse_variant(o.kernel.variant.value_or(default_variant), "--variant"),
                          m,
                          suggested_params(job.shape, m, spec_of(backend).usual_device, pass),
                          o.points,
                          parse_precision(o.precision, "--precision"),
                          epilogue_of(o),
                          pass};
    if (flags_only.epilogue.bias) job.bias = bias_of(o, job.shape);
    apply_kernel_options(o.kernel, flags_only.params);
    const bool int8 = spec_of(flags_only.precision).quantized(), coded = spec_of(flags_only.precision).int8_io;
    check_int8_clip_options(o.clips, flags_only.precision);
    if (o.coding.given() && !coded)
        throw InputError(fmt::format("--input-scale, --output-scale, --weight-scale and the zero points are for --precision {}",
                                     coded_precision_names()));
    // Seeded as forward's are: the images slot from --seed, the filters slot from --seed + 1.
    auto tensor = [&](LayerTensor t, std::uint64_t seed) {
        const auto file = files.find(t);
        return file != files.end() ? file->second.data : random_tensor(tensor_size(job.shape, t), seed);
    };
    job.input = tensor(spec.images, o.seed);
    job.filters = tensor(spec.filters, o.seed + 1);
    if (coded) job.filters = dequantized_weights(o, files, job.shape, job.filters);
    if (int8) check_precision(flags_only.variant, flags_only.precision, flags_only.pass);
    // int8-io runs on codes: an int8 file's, or the real input's at its scale.
    // Its clips and scales are those of the real values the codes stand for.
    std::vector<float> real_input = job.input;
    if (coded) {
        const auto file = files.find(LayerTensor::x);
        const bool codes = file != files.end() && file->second.type == ElementType::int8;
        if (codes && !o.coding.input_scale)
            throw InputError(fmt::format("{} holds int8 codes: give the scale they are at, --input-scale", o.input));
        TensorQuantization& q = job.quantization;
        q.input_zero_point = o.coding.input_zero_point;
        q.output_zero_point = o.coding.output_zero_point;
        q.input_scale = o.coding.input_scale.value_or(data_scale({job.input.begin(), job.input.end()}));
        q.output_scale = o.coding.output_scale.value_or(1);
        check_quantization(q);
        if (!codes) job.input = quantized({job.input.begin(), job.input.end()}, q.input_scale, q.input_zero_point);
        real_input = dequantized(job.input, q.input_scale, q.input_zero_point);
        if (!o.coding.output_scale) q.output_scale = data_scale(reference_output(job.shape, flags_only.epilogue, real_input, job.filters, job.bias));
    }
    if (int8) flags_only.clips = int8_clips_for(o.clips, job.shape, flags_only, real_input, "the input run");
    validate_shape(job.shape, flags_only, ParamNaming::flag);
    Device device = open_device(o.where);
    const Executor& executor = detail::DeviceState::executor_of(device);
    auto [config, tuning] = choose_config(o, job.shape, executor);
    // The tuning database's choice carries the clips it was tuned with;
    // clip flags replace them, for its own recipes (another tile or points
    // than the flags' has other taps).
    if (int8 && (o.clips.given() || config.clips.empty()))
        config.clips = config.m == flags_only.m && config.points == flags_only.points
                           ? flags_only.clips
                           : int8_clips_for(o.clips, job.shape, config, real_input, "the input run");
    job.config = config;
    job.check = o.check;
    job.bench = o.bench;
    job.baseline_direct = o.baseline == "direct";
    job.warmup = o.warmup;
    job.repeats = o.repeats;
    const LayerReport report = run_layer(device, job);
    if (!o.output.empty())
        write_npy(o.output, {tensor_dims(job.shape, spec.result, is_one_dimensional(o, files)), report.output, tensor_type(config.precision)});
    print_result(o, job, report_json(job, executor.identity(), tuning, report));
    if (report.errors && !report.errors->passed())
        throw std::runtime_error(fmt::format("check failed: rel_err {:.3e} is past the bound {:.3e} of {}", report.errors->relative,
                                             report.errors->bound, config_algorithm(job.config, job.shape)));
}

}  // namespace

Command add_run_command(CLI::App& app) {
    auto o = std::make_shared<RunCli>();
    CLI::App* sub = app.add_subcommand("run", "Run a convolution layer on a device; check it and time it");
    add_device_options(sub, o->where);
    add_layer_options(sub, o->layer);
    add_tile_option(sub, o->m, "Winograd output tile (default: the tuning database's, else 4)");
    add_kernel_options(sub, o->kernel);
    add_points_option(sub, o->points, "; like --m, it names a configuration: the tuning database is not read");
    add_precision_option(sub, o->precision, ". The tuning database's result at this precision is taken");
    add_pass_option(sub, o->pass, ". The layer is always the forward one (--input-shape, --filters, the filter, --pad)");
    sub->add_option("--input", o->input,
                    "input tensor x (forward, backward-filter), float32 or float16 .npy N,C,H,W (or N,C,W: a 1D layer); "
                    "at --precision " + coded_precision_names() + " also int8 codes, with --input-scale");
    sub->add_option("--grad-output", o->grad_output,
                    "the output's gradient dy (backward-data, backward-filter), float32 or float16 .npy N,K,H',W' (N,K,W' "
                    "for a 1D layer)");
    sub->add_option("--weights", o->weights,
                    "filters w (forward, backward-data), float32 or float16 .npy K,C,R,S (K,C,S for a 1D layer); at "
                    "--precision " + coded_precision_names() + " also int8 codes, with --weight-scale");
    sub->add_option("--bias", o->bias,
                    "add a bias to each output value in the kernel that writes it: a float32 or float16 .npy of K "
                    "values, or 'random' (seeded uniform [-1, 1), as the tensors are without --input and --weights)");
    add_activation_option(sub, o->activation);
    sub->add_option("--output", o->output,
                    "write the output here (.npy N,K,H',W', or N,K,W' for a 1D layer; backward-data: dx, N,C,H,W or "
                    "N,C,W; backward-filter: dw, K,C,R,S or K,C,S: float16 at the fp16 _io precisions, int8 codes at " +
                        coded_precision_names() + ", else float32)");
    sub->add_option("--seed", o->seed, "seed of the random tensors")->default_str("1")->check(integer_range(0, LLONG_MAX));
    sub->add_flag("--check", o->check,
                  "compare with the fp64 host reference (rel_err, max_abs_err); exit 1 when rel_err passes the bound "
                  "of F(m,r) (100x the median tile error, of the worse axis) or the output is not finite");
    sub->add_flag("--bench", o->bench, "time: median of repeats after warm-up");
    sub->add_option("--baseline", o->baseline, "with --bench: also time the direct kernel");
    sub->add_option("--warmup", o->warmup, "warm-up runs for --bench")->default_str("2")->check(integer_range(0, 1000));
    sub->add_option("--repeats", o->repeats, "timed runs for --bench")->default_str("5")->check(integer_range(1, 10000));
    sub->add_option("--db", o->db, "tuning database (default: $WINO_TUNING_DB, else $XDG_DATA_HOME/wino-gen/tuning.db)");
    sub->add_flag("--no-tuning-db", o->no_tuning_db, "ignore the tuning database: start from suggested parameters");
    sub->add_option("--format", o->format, "text or json")->default_str("text");
    add_max_error_option(sub, o->max_error, "the tuning database's result");
    add_int8_clip_options(sub, o->clips, "the input run");
    sub->add_option("--input-scale", o->coding.input_scale,
                    "precision " + coded_precision_names() + ": the scale of the input's codes, real = (code - zero point) * scale (ONNX "
                    "QLinearConv's x_scale; default: a real input's largest |x| / 127)");
    sub->add_option("--input-zero-point", o->coding.input_zero_point, "precision " + coded_precision_names() + ": the input's zero point, an int8")
        ->default_str("0");
    sub->add_option("--output-scale", o->coding.output_scale,
                    "precision " + coded_precision_names() + ": the scale the output is coded at (y_scale; default: the largest |y| of the fp64 "
                    "reference on this input, with the epilogue, / 127)");
    sub->add_option("--output-zero-point", o->coding.output_zero_point, "precision " + coded_precision_names() + ": the output's zero point, an int8")
        ->default_str("0");
    sub->add_option("--weight-scale", o->coding.weight_scale,
                    "precision " + coded_precision_names() + ": the scale of an int8 --weights file's codes, one or K comma-separated (ONNX "
                    "QLinearConv's w_scale, zero point 0); the filters are dequantized to fp32 once, on the host");
    return {sub, [o] { run(*o); }};
}

}  // namespace wino::cli
