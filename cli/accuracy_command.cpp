// `wino-gen accuracy`: the fp32 error of F(m,r) by the EuroSys'20 metric;
// --growth prints the error against alpha for the default points (Figure 4);
// --layer models a whole layer's error in the kernels' order, by stage.
#include "recipes/accuracy.hpp"
#include "cli/command.hpp"
#include "cli/shared_options.hpp"
#include <wino/errors.hpp>
#include "generator/json_text.hpp"
#include "generator/checked.hpp"
#include "templates/layer_plan.hpp"
#include "runtime/layer_error.hpp"
#include "runtime/layer_run.hpp"
#include "recipes/recipe_db.hpp"

#include <fmt/format.h>

#include <climits>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <tuple>

namespace wino::cli {
namespace {

struct AccuracyCli {
    std::optional<int> r;
    std::string m, points, order = "dense", format = "text", layer, variant = "nonfused", precision = "fp32",
                pass = "forward";
    std::string filter_shape, pad = "0", input, weights;
    bool unbalanced = false;
    int trials = 10000, threads = 0;
    std::uint64_t seed = 1;
    bool growth = false;
    int max_alpha_growth = 16;
    Int8ClipOptions clips;
};

AccuracyOptions accuracy_options(const AccuracyCli& o) {
    return {o.trials, o.seed, o.threads, parse_evaluation_order(o.order, "--order")};
}

AccuracyResult measure(int m, int r, const PointSet& points, const AccuracyOptions& a) {
    if (a.order == EvaluationOrder::dense) return measure_accuracy(build_toom_cook(m, r, points), a);
    return measure_accuracy(recipes_for(m, r, points, {}, [](const std::string& line) {
                                fmt::print(stderr, "wino-gen: {}\n", line);
                            }),
                            a);
}

void print_growth(const AccuracyCli& o) {
    if (!o.r) throw InputError("accuracy --growth needs --r");
    const AccuracyOptions a = accuracy_options(o);
    fmt::print("error growth, r = {}, default points, {} trials, seed {}, {} order\n", *o.r, a.trials, a.seed, o.order);
    fmt::print("{:>5} {:>4} {:>12}  points\n", "alpha", "m", "error");
    for (int alpha = *o.r + 1; alpha <= o.max_alpha_growth; ++alpha) {
        const PointSet points = default_points(alpha);
        const AccuracyResult res = measure(alpha - *o.r + 1, *o.r, points, a);
        fmt::print("{:>5} {:>4} {:>12.3e}  {}\n", alpha, alpha - *o.r + 1, res.error,
                   fmt::join(point_strings(points), ", "));
    }
}

void progress(const std::string& line) { fmt::print(stderr, "wino-gen: {}\n", line); }

nlohmann::ordered_json error_json(const LayerErrors& e) { return {{"rel_err", e.relative}, {"max_rel_err", e.max_relative}}; }

// Where the layer's tensors came from, in a JSON report: the files given
// (--input, --weights) beside the seed of the others.
void add_tensor_files(nlohmann::ordered_json& out, const AccuracyCli& o) {
    if (!o.input.empty()) out["input"] = o.input;
    if (!o.weights.empty()) out["weights"] = o.weights;
}

// int8's error by stage (the quantizations of V and of U, each alone; the
// product's int32 sums are exact, so its part is their headroom) beside the
// int8 direct convolution's on the same tensors.
void print_int8_accuracy(const AccuracyCli& o, const ConvShape& shape, const ConvConfig& config, const PointSet& points,
                         const Int8ErrorModel& model) {
    const double ratio = model.all.relative / model.direct.relative;
    if (o.format == "json") {
        nlohmann::ordered_json out = {{"layer", layer_json(shape)}, {"m", tile_json(config.m)},
                                      {"points", point_strings(points)}, {"seed", o.seed},
                                      {"variant", to_string(config.variant)}, {"precision", to_string(config.precision)},
                                      {"pass", to_string(config.pass)},
                                      {"clips", to_json(config.clips)}};
        add_tensor_files(out, o);
        out.update(error_json(model.all));
        out["stages"] = {{"v_quantization", error_json(model.v_quantized)},
                         {"u_quantization", error_json(model.u_quantized)},
                         {"product", {{"largest_sum", model.largest_sum}, {"sum_bound", model.sum_bound},
                                      {"int32_max", std::numeric_limits<std::int32_t>::max()}}}};
        if (model.tensors) out["stages"]["tensor_coding"] = error_json(*model.tensors);
        out["int8_direct"] = error_json(model.direct);
        out["ratio_to_int8_direct"] = ratio;
        fmt::print("{}", to_readable_json(out));
        return;
    }
    fmt::print("{} {} {} on {}x{}x{}x{} -> {}, pad {}, points {}: rel_err {:.3e}, max_rel_err {:.3e}\n",
               algorithm_text(shape, config), to_string(config.variant), to_string(config.precision), shape.N, shape.C, shape.H, shape.W, shape.K,
               padding_text(shape.pad), fmt::join(point_strings(points), ", "), model.all.relative, model.all.max_relative);
    fmt::print("  clips of V: {}{}\n", config.clips.source,
               config.clips.weights > 0 ? fmt::format(", U capped at {}", config.clips.weights) : "");
    fmt::print("  each quantization alone (rel_err / max_rel_err):  V {:.2e} / {:.2e}  U {:.2e} / {:.2e}\n",
               model.v_quantized.relative, model.v_quantized.max_relative, model.u_quantized.relative,
               model.u_quantized.max_relative);
    if (model.tensors)
        fmt::print("  the input and output as int8 codes alone, at their own scales: rel_err {:.2e} / {:.2e}\n",
                   model.tensors->relative, model.tensors->max_relative);
    fmt::print("  product: exact int32 sums, the largest |sum| {:.0f} of at most {:.0f} (int32 holds {})\n", model.largest_sum,
               model.sum_bound, std::numeric_limits<std::int32_t>::max());
    fmt::print("  int8 direct convolution, per-tensor scales: rel_err {:.3e}, max_rel_err {:.3e}; Winograd / direct {:.2f}x\n",
               model.direct.relative, model.direct.max_relative, ratio);
}

// The inputs are run's for the same --seed (input: seed, filters: seed + 1),
// so `run --check` on the device sees the same tensors; or, in the forward
// pass, the user's own (--input, --weights), whose distribution decides what
// 8 bits keep.
void print_layer_accuracy(const AccuracyCli& o) {
    const std::vector<long long> nchwk = parse_shape(o.layer, "--layer", 5);
    if (o.r && !o.filter_shape.empty()) throw InputError("--r and --filter-shape name the filter twice: give one");
    int R = o.r.value_or(3), S = R;
    if (!o.filter_shape.empty()) std::tie(R, S) = parse_filter_shape(o.filter_shape, "--filter-shape", true);
    const Padding pad = parse_padding(o.pad, R, S, "--pad");
    const ConvShape shape = checked_shape(
        {nchwk[0], nchwk[1], nchwk[2], nchwk[3], nchwk[4], R, S, pad.top, pad.bottom, pad.left, pad.right}, "--layer: ");
    const Variant variant = parse_variant(o.variant, "--variant");
    const Precision precision = parse_precision(o.precision, "--precision");
    const Pass pass = parse_pass(o.pass, "--pass");
    const TileSize m = o.m.empty() ? untuned_config(shape, DeviceClass::cpu, pass).m : parse_tile(o.m, shape, pass);
    ConvConfig config{.variant = variant, .m = m, .params = {}, .points = o.points, .precision = precision, .pass = pass};
    check_int8_clip_options(o.clips, precision);
    check_precision(variant, precision, pass);
    const PassSpec& spec = spec_of(pass);
    if ((!o.input.empty() || !o.weights.empty()) && pass != Pass::forward)
        throw InputError(fmt::format("--input and --weights are the forward pass's x and w, not --pass {}'s tensors", to_string(pass)));
    const auto tensor = [&](const std::string& path, LayerTensor which, std::uint64_t seed) {
        return path.empty() ? random_tensor(tensor_size(shape, which), seed) : read_layer_tensor(path, shape, which);
    };
    const std::vector<float> images = tensor(o.input, spec.images, o.seed), filters = tensor(o.weights, spec.filters, o.seed + 1);
    if (spec_of(precision).quantized()) config.clips = int8_clips_for(o.clips, shape, config, images, "the input measured");
    validate_shape(shape, config);
    if (o.unbalanced && !spec_of(precision).half_intermediates())
        throw InputError("--unbalanced is for a 16-bit precision (--precision fp16-storage or fp16)");
    // The pass's kernels compute a forward correlation (passes.hpp): modelled
    // as it, on the layer's tensors as they take them.
    const ConvShape computed = pass_shape(shape, pass, m);
    const ConvConfig computed_as = computed_config(shape, config);
    // The points of the transformed axes (they share them), else those of W.
    const PointSet points = computed.R > 1 ? points_of(config, computed_as.m.h, computed.R) : points_of(config, computed_as.m.w, computed.S);
    OptimizerOptions options = optimizer_options(precision);
    options.balanced = options.balanced && !o.unbalanced;
    const LayerRecipes recipes(computed, computed_as, options, progress);
    if (spec_of(precision).quantized()) {
        // int8-io's tensors coded as run codes them without scales given.
        const std::optional<TensorQuantization> coding =
            spec_of(precision).int8_io ? std::optional(data_quantization(shape, {}, images, filters, {})) : std::nullopt;
        return print_int8_accuracy(o, shape, config, points,
                                   model_int8_error(shape, recipes.algorithm(), config.precision, images, filters, config.clips, coding ? &*coding : nullptr));
    }
    const LayerErrorModel model = model_layer_error(computed, recipes.algorithm(), pass_images(shape, pass, m, images),
                                                    pass_filters(shape, pass, m, filters), roundings(variant, precision),
                                                    arithmetic_of(precision));
    if (o.format == "json") {
        nlohmann::ordered_json stages;
        for (std::size_t i = 0; i < layer_stages.size(); ++i) stages[to_string(layer_stages[i])] = error_json(model.stages[i]);
        nlohmann::ordered_json out = {{"layer", layer_json(shape)},
                                      {"m", tile_json(m)},
                                      {"points", point_strings(points)}, {"seed", o.seed},
                                      {"variant", to_string(variant)}, {"precision", to_string(precision)},
                                      {"pass", to_string(pass)},
                                      {"balanced", options.balanced}};
        add_tensor_files(out, o);
        out.update(error_json(model.all));
        out["stages"] = stages;
        if (!model.storage.empty()) {
            nlohmann::ordered_json storage;
            for (const auto& [name, e] : model.storage) storage[name] = error_json(e);
            out["storage"] = storage;
        }
        fmt::print("{}", to_readable_json(out));
        return;
    }
    fmt::print("{} {} {}{}{} on {}x{}x{}x{} -> {}, pad {}, points {}: rel_err {:.3e}, max_rel_err {:.3e}\n",
               algorithm_text(shape, config), to_string(variant), to_string(precision), options.balanced ? " (balanced)" : "",
               pass == Pass::forward ? "" : fmt::format(", {}", to_string(pass)), shape.N,
               shape.C, shape.H, shape.W, shape.K, padding_text(shape.pad), fmt::join(point_strings(points), ", "),
               model.all.relative, model.all.max_relative);
    fmt::print("  each stage alone in {} (rel_err / max_rel_err):", spec_of(precision).half_arithmetic ? "fp16" : "fp32");
    for (std::size_t i = 0; i < layer_stages.size(); ++i)
        fmt::print("  {} {:.2e} / {:.2e}", to_string(layer_stages[i]), model.stages[i].relative, model.stages[i].max_relative);
    fmt::print("\n");
    if (!model.storage.empty()) {
        fmt::print("  each rounding alone, 16-bit buffers and operands (rel_err / max_rel_err):");
        for (const auto& [name, e] : model.storage) fmt::print("  {} {:.2e} / {:.2e}", name, e.relative, e.max_relative);
        fmt::print("\n");
    }
}

void print_accuracy(const AccuracyCli& o) {
    if (o.format != "text" && o.format != "json") throw InputError(fmt::format("--format must be text or json, not '{}'", o.format));
    if (!o.layer.empty()) return print_layer_accuracy(o);
    if (o.growth) return print_growth(o);
    if (o.m.empty() || !o.r) throw InputError("accuracy needs --m and --r (or --growth --r R, or --layer N,C,H,W,K)");
    if (!o.filter_shape.empty()) throw InputError("--filter-shape is for --layer; one tile's accuracy is F(m,r) on both axes");
    const int m = static_cast<int>(parse_integer(o.m, 1, max_alpha, "--m"));
    validate_tile(m, *o.r);
    const int alpha = m + *o.r - 1;
    const PointSet points = points_or_default(o.points, alpha);
    const AccuracyResult res = measure(m, *o.r, points, accuracy_options(o));
    if (o.format == "json")
        fmt::print("{}", to_readable_json({{"m", m},
                                           {"r", *o.r},
                                           {"points", point_strings(points)},
                                           {"order", o.order},
                                           {"seed", o.seed},
                                           {"error", res.error},
                                           {"trials", res.trials},
                                           {"seconds", res.seconds}}));
    else
        fmt::print("F({}x{},{}x{})  points {}  {} order: median relative error {:.3e} over {} trials ({:.2f} s)\n",
                   m, m, *o.r, *o.r, fmt::join(point_strings(points), ", "), o.order, res.error, res.trials,
                   res.seconds);
}

}  // namespace

Command add_accuracy_command(CLI::App& app) {
    auto o = std::make_shared<AccuracyCli>();
    CLI::App* sub = app.add_subcommand("accuracy", "fp32 error of a 2D tile against fp64 direct correlation (median)");
    sub->add_option("--m", o->m, "output tile size m (with --layer: M or M,N per axis, as run takes it)");
    sub->add_option("--r", o->r, "filter size r")->check(integer_range(1, max_alpha));
    sub->add_option("--filter-shape", o->filter_shape, "with --layer: R,S filters, as run takes them");
    sub->add_option("--points", o->points, "alpha-1 distinct finite points (default: best-known set)");
    sub->add_option("--variant", o->variant, "with --layer: nonfused or fused (which buffers a 16-bit precision keeps)")
        ->default_str("nonfused");
    sub->add_option("--precision", o->precision, fmt::format("with --layer: {}", precision_names()))->default_str("fp32");
    sub->add_option("--pass", o->pass, fmt::format("with --layer: {} (the layer is the forward one)", pass_names()))
        ->default_str("forward");
    sub->add_flag("--unbalanced", o->unbalanced,
                  "with --layer and a 16-bit precision: the op-count scaling instead of the balanced one, to show what "
                  "balancing buys");
    sub->add_option("--trials", o->trials, "random tiles")->default_str("10000")->check(integer_range(1, 10000000));
    sub->add_option("--seed", o->seed, "random seed")->default_str("1")->check(integer_range(0, LLONG_MAX));
    sub->add_option("--threads", o->threads, "threads, 1 to 256 (default: all cores)")->check(integer_range(1, 256));
    sub->add_option("--order", o->order, "dense (matrix products) or recipe (as the kernels compute)")->default_str("dense");
    sub->add_option("--format", o->format, "text or json")->default_str("text");
    sub->add_option("--layer", o->layer,
                    "N,C,H,W,K: model this layer's error on the device (the kernels' order; --r or --filter-shape, "
                    "--pad, --m, --points, --seed as run takes them), with each stage's share");
    sub->add_option("--input", o->input,
                    "with --layer, forward pass: the input x, a float32 or float16 .npy N,C,H,W (default: seeded uniform [-1, 1), "
                    "as run's)");
    sub->add_option("--weights", o->weights,
                    "with --layer, forward pass: the filters w, a float32 or float16 .npy K,C,R,S (default: seeded uniform "
                    "[-1, 1), as run's)");
    add_int8_clip_options(sub, o->clips, "the input measured");
    sub->add_option("--pad", o->pad, "with --layer: zero padding, P, PH,PW, top,bottom,left,right or same")->default_str("0");
    sub->add_flag("--growth", o->growth, "error against alpha for the default points (needs --r)");
    sub->add_option("--max-alpha", o->max_alpha_growth, "largest alpha for --growth")->default_str("16")->check(integer_range(2, max_alpha));
    return {sub, [o] { print_accuracy(*o); }};
}

}  // namespace wino::cli
