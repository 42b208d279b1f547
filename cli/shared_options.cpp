// The flags the subcommands share.
#include "cli/shared_options.hpp"

#include "templates/epilogue.hpp"
#include "templates/precision.hpp"
#include "runtime/layer_error.hpp"
#include "runtime/layer_run.hpp"
#include "runtime/npy.hpp"

#include "generator/checked.hpp"
#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <tuple>

namespace wino::cli {
namespace {

// "vulkan:2" → 2 for the backend's prefix; -1 when no device is named.
int device_index(const std::string& device, const std::string& prefix) {
    if (device.empty()) return -1;
    const std::string want = prefix + ":";
    if (device.rfind(want, 0) != 0 || device.size() == want.size() || device.size() > want.size() + 6 ||
        device.find_first_not_of("0123456789", want.size()) != std::string::npos)
        throw InputError(fmt::format("--device must look like {}0, not '{}'", want, device));
    return static_cast<int>(parse_integer(device.substr(want.size()), 0, 1 << 16, "--device's index"));
}

}  // namespace

CLI::Validator integer_range(long long min, long long max) {
    return CLI::Validator(
        [min, max](std::string& text) {
            try {
                parse_integer(text, min, max, "");
                return std::string();
            } catch (const InputError& e) {
                return std::string(e.what()).substr(1);  // " must be ...": CLI11 puts the flag before it
            }
        },
        fmt::format("INT {}..{}", min, max));
}

CLI::Validator seconds_range() {
    return CLI::Validator(
        [](std::string& text) {
            std::size_t used = 0;
            double seconds = -1;
            try {
                seconds = std::stod(text, &used);
            } catch (const std::exception&) {
            }
            if (used != text.size() || !std::isfinite(seconds) || seconds < 0 || seconds > 365 * 86400.0)
                return fmt::format("must be a number of seconds from 0 to {}, not '{}'", 365 * 86400, text.substr(0, 40));
            return std::string();
        },
        "SECONDS");
}

void add_device_options(CLI::App* sub, DeviceOptions& o) {
    std::vector<std::string> apis;
    for (const BackendSpec& b : backends()) apis.push_back(b.api);
    sub->add_option("--backend", o.backend, fmt::format("{}", fmt::join(apis, " or ")))->default_str(apis.front());
    sub->add_option("--device", o.device, "vulkan:N (default: $WINO_VULKAN_DEVICE, else 0) or cuda:N (default 0)");
    sub->add_flag("--validation", o.validation, "enable the Khronos validation layer; any message fails the run");
    sub->add_flag("--cuda-graphs", o.cuda_graphs,
                  "CUDA: launch each layer's kernels as one CUDA graph, captured at its first run (one launch a run instead of "
                  "one a kernel)");
}

void add_activation_option(CLI::App* sub, std::string& activation) {
    sub->add_option("--activation", activation,
                    fmt::format("{}: applied to each output value (after the bias) as it is written, in the kernel "
                                "that writes the output",
                                activation_forms()))
        ->default_str("none");
}

void add_layer_options(CLI::App* sub, LayerOptions& o) {
    sub->add_option("--input-shape", o.input_shape, "N,C,H,W, or N,C,W for a 1D layer");
    const LayerField& K = layer_field("K");
    sub->add_option("--filters", o.filters, "K, the number of filters")->check(integer_range(K.min, K.max));
    add_filter_options(sub, o.r, o.filter_shape);
    sub->add_option("--pad", o.pad,
                    "zero padding: P on every side, PH,PW (rows, columns), top,bottom,left,right, or same (the output "
                    "keeps the input's size; an odd total puts the extra row or column at the bottom or right, as ONNX "
                    "auto_pad=SAME_UPPER); a 1D layer's is P, left,right or same")
        ->default_str("0");
}

void add_filter_options(CLI::App* sub, std::optional<int>& r, std::string& filter_shape) {
    const LayerField& R = layer_field("R");
    CLI::Option* square = sub->add_option("--r", r, "square filters R x R")->default_str("3")->check(integer_range(R.min, R.max));
    sub->add_option("--filter-shape", filter_shape,
                    "R,S filters (R rows, S columns; 1,7 is 1x7); a 1D layer's are 1,S, or S with an N,C,W --input-shape")
        ->excludes(square);
}

void add_points_option(CLI::App* sub, std::string& points, const std::string& note) {
    sub->add_option("--points", points,
                    "the m+r-2 finite interpolation points, as matrices takes them (default: the best-known set), of "
                    "every axis whose filter size is over 1 (they must share alpha)" + note);
}

void add_precision_option(CLI::App* sub, std::string& precision, const std::string& note) {
    sub->add_option("--precision", precision, precision_help() + note)->default_str("fp32");
}

void add_pass_option(CLI::App* sub, std::string& pass, const std::string& note) {
    std::vector<std::string> parts;
    for (const PassSpec& spec : passes()) parts.push_back(fmt::format("{}: {}", spec.name, spec.help));
    sub->add_option("--pass", pass, fmt::format("{}{}", fmt::join(parts, "; "), note))->default_str("forward");
}

void add_max_error_option(CLI::App* sub, std::string& text, const std::string& what) {
    sub->add_option("--max-error", text,
                    fmt::format("{}: the output's relative L2 error on the tuner's tensors at most this, or 'none' for any "
                                "that passes the correctness gate (default: {:.0e} times the precision's bound factor, "
                                "fp32-class: {:.0e} at fp32)",
                                what, fp32_error_budget, default_error_budget(Precision::fp32)));
}

std::optional<double> max_error_of(const std::string& text, Precision precision) {
    if (text.empty()) return default_error_budget(precision);
    if (text == "none") return std::nullopt;
    double value = 0;
    std::size_t used = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || !(value > 0) || !std::isfinite(value))
        throw InputError(fmt::format("--max-error must be a relative error above 0 (1e-5) or none, not '{}'", text));
    return value;
}

void add_int8_clip_options(CLI::App* sub, Int8ClipOptions& o, const std::string& input) {
    // The quantized precisions, which take clips: "precision int8, int8-io, ...".
    const std::string quantized = "precision " + quantized_precision_names();
    sub->add_option("--clip", o.clip,
                    quantized + ": given clips c,αta,αtw (as trained): every tap of V clipped at αta, or where it is 0 at "
                                "the exact bound for |x| <= c; U at its filters' own largest, capped at αtw (0: no cap)");
    if (input.empty()) return;
    sub->add_option("--calibrate", o.calibrate,
                    fmt::format("{}: calibrate V's clips on these inputs, a float32 or float16 .npy of n images of "
                                "the layer's C,H,W (default: on {})",
                                quantized, input));
    // Each precision's default_calibration: "percentile at int8, int8-io; exact-bound at split-int8, ...".
    std::map<std::string, std::vector<std::string>> defaults;
    for (const PrecisionSpec& spec : precisions())
        if (spec.quantized()) defaults[to_string(default_calibration(spec.precision))].push_back(spec.name);
    std::vector<std::string> default_text;
    for (const auto& [calibration, names] : defaults) default_text.push_back(fmt::format("{} at {}", calibration, fmt::join(names, ", ")));
    sub->add_option("--calibration", o.calibration,
                    quantized + ": how the clips are calibrated: percentile (of each tap's |V|), mse (each tap's least "
                                "squared error) or exact-bound (the transform's bound for the inputs' largest |x|); default: " +
                        fmt::format("{}", fmt::join(default_text, "; ")));
    sub->add_option("--percentile", o.percentile, quantized + ", --calibration percentile: the percentile kept")->default_str("99.9");
}

void check_int8_clip_options(const Int8ClipOptions& o, Precision precision) {
    if (!spec_of(precision).quantized() && o.given())
        throw InputError(fmt::format("--clip and --calibrate are for --precision {}", quantized_precision_names()));
    if (!o.calibration.empty()) parse_int8_calibration(o.calibration, "--calibration");
}

std::optional<std::vector<double>> number_list(const std::string& text) {
    std::vector<double> values;
    for (std::size_t start = 0; start <= text.size();) {
        const std::size_t end = std::min(text.find(',', start), text.size());
        double value = 0;
        const auto [last, error] = std::from_chars(text.data() + start, text.data() + end, value);
        if (end == start || error != std::errc() || last != text.data() + end || !std::isfinite(value)) return std::nullopt;
        values.push_back(value);
        start = end + 1;
    }
    return values;
}

Int8Clips int8_clips_for(const Int8ClipOptions& o, const ConvShape& shape, const ConvConfig& config,
                         const std::vector<float>& input, const std::string& input_name) {
    if (!o.clip.empty()) {
        const std::optional<std::vector<double>> parsed = number_list(o.clip);
        const std::vector<double> values = parsed.value_or(std::vector<double>{});
        if (!parsed || values.size() != 3 || values[0] < 0 || values[1] < 0 || values[2] < 0 || (values[0] == 0 && values[1] == 0))
            throw InputError(fmt::format("--clip must be c,αta,αtw: three numbers, none negative, c or αta above 0, not '{}'", o.clip));
        Int8Clips clips;
        if (values[1] > 0) {
            clips.taps.assign(static_cast<std::size_t>(tile_positions(shape, config)), static_cast<float>(values[1]));
            clips.source = fmt::format("given: every tap at {}", values[1]);
        } else {
            clips = exact_bound_clips(shape, config, values[0]);
        }
        clips.weights = static_cast<float>(values[2]);
        return clips;
    }
    const Int8Calibration calibration =
        o.calibration.empty() ? default_calibration(config.precision) : parse_int8_calibration(o.calibration, "--calibration");
    if (o.calibrate.empty()) {
        Int8Clips clips = calibrate_int8(shape, config, {input}, calibration, o.percentile);
        clips.source += fmt::format(" ({})", input_name);
        return clips;
    }
    const NpyArray set = read_npy(o.calibrate);
    require_real_values(set, o.calibrate);
    if (set.shape.size() != 4 || set.shape[1] != shape.C || set.shape[2] != shape.H || set.shape[3] != shape.W)
        throw InputError(fmt::format("{} has shape {}, calibration needs images of the layer's C,H,W: n,{},{},{}", o.calibrate,
                                     fmt::join(set.shape, "x"), shape.C, shape.H, shape.W));
    ConvShape calibrated = shape;
    calibrated.N = static_cast<int>(set.shape[0]);
    return calibrate_int8(calibrated, config, {set.data}, calibration, o.percentile);
}

Device open_device(const DeviceOptions& o) {
    const Backend backend = parse_backend(o.backend, "--backend");
    require_part(spec_of(backend).part, fmt::format("--backend {}", o.backend));
    if (o.cuda_graphs && backend != Backend::cuda)
        throw InputError(fmt::format("--cuda-graphs launches CUDA graphs: not for --backend {}", o.backend));
    return Device(wino::DeviceOptions{backend, device_index(o.device, spec_of(backend).api), o.validation, o.cuda_graphs});
}

std::vector<long long> parse_shape(const std::string& text, const std::string& flag, std::size_t count) {
    std::vector<std::string> items;
    for (std::size_t from = 0; from <= text.size();) {
        const std::size_t comma = std::min(text.find(',', from), text.size());
        items.push_back(text.substr(from, comma - from));
        from = comma + 1;
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < count; ++i) names.push_back(layer_fields()[i].name);
    if (items.size() != count)
        throw InputError(fmt::format("{} needs {} numbers {}, got '{}'", flag, count, fmt::join(names, ","), text.substr(0, 80)));
    std::vector<long long> dims;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const LayerField& f = layer_fields()[i];
        dims.push_back(parse_integer(items[i], f.min, f.max, fmt::format("{}'s {}", flag, f.name)));
    }
    return dims;
}

std::vector<long long> parse_input_shape(const std::string& text) {
    if (std::count(text.begin(), text.end(), ',') != 2) return parse_shape(text);
    const std::size_t second = text.find(',', text.find(',') + 1);
    const LayerField& W = layer_field("W");
    std::vector<long long> dims = parse_shape(text.substr(0, second), "--input-shape", 2);
    dims.push_back(parse_integer(text.substr(second + 1), W.min, W.max, "--input-shape's W"));
    return dims;
}

ConvShape layer_shape(const std::vector<long long>& input, long long filters, const LayerOptions& o) {
    const bool one_dimensional = input.size() == 3;
    const LayerField& K = layer_field("K");
    check_range(filters, K.min, K.max, "--filters");
    int R = o.r.value_or(3), S = R;
    if (!o.filter_shape.empty()) std::tie(R, S) = parse_filter_shape(o.filter_shape, "--filter-shape", !one_dimensional);
    if (one_dimensional && (o.r || R != 1))
        throw InputError("a 1D layer (--input-shape N,C,W) takes its filter size as --filter-shape S");
    Padding pad;
    if (one_dimensional) {
        const Padding given = parse_padding(o.pad, R, S, "--pad");
        if (o.pad == "same") pad = given;
        else if (given == Padding(given.top)) pad = {0, 0, given.top, given.top};       // P
        else if (given == Padding(given.top, given.left)) pad = {0, 0, given.top, given.left};  // left,right
        else throw InputError(fmt::format("a 1D layer's --pad is P, left,right or same, not '{}'", o.pad));
    } else {
        pad = parse_padding(o.pad, R, S, "--pad");
    }
    const std::vector<long long> nchw =
        one_dimensional ? std::vector<long long>{input[0], input[1], 1, input[2]} : input;
    return checked_shape({nchw[0], nchw[1], nchw[2], nchw[3], filters, R, S, pad.top, pad.bottom, pad.left, pad.right});
}

std::string dims_text(const std::vector<long long>& dims) { return fmt::format("{}", fmt::join(dims, "x")); }

void check_tensor_dims(const NpyArray& array, const std::string& path, const ConvShape& shape, LayerTensor tensor,
                       bool one_dimensional) {
    if (const std::vector<long long> want = tensor_dims(shape, tensor, one_dimensional); array.shape != want)
        throw InputError(fmt::format("{} has shape {}, the layer's {} is {} = {}", path, dims_text(array.shape), spec_of(tensor).name,
                                     one_dimensional ? spec_of(tensor).layout_1d : spec_of(tensor).layout, dims_text(want)));
}

std::vector<float> read_layer_tensor(const std::string& path, const ConvShape& shape, LayerTensor tensor) {
    NpyArray array = read_npy(path);
    require_real_values(array, path);
    check_tensor_dims(array, path, shape, tensor, false);
    return std::move(array.data);
}

std::vector<long long> filter_dims(const ConvShape& s, bool one_dimensional) {
    if (one_dimensional) return {s.K, s.C, s.S};
    return {s.K, s.C, s.R, s.S};
}

TileSize parse_tile(const std::string& text, const ConvShape& shape, Pass pass) {
    const std::size_t comma = text.find(',');
    auto number = [&](const std::string& item) { return static_cast<int>(parse_integer(item, 1, max_alpha, "--m")); };
    if (comma == std::string::npos) return tile_for(shape, number(text), pass);
    if (text.find(',', comma + 1) != std::string::npos)
        throw InputError(fmt::format("--m is M or M,N (along H, then W), not '{}'", text.substr(0, 80)));
    return {number(text.substr(0, comma)), number(text.substr(comma + 1))};
}

void add_tile_option(CLI::App* sub, std::string& text, const std::string& help) {
    sub->add_option("--m", text,
                    help + ": M for both axes (an axis whose filter size is 1 is not transformed: its tile is 1), or "
                           "M,N along H and W, F(MxN, RxS); for --pass backward-filter, W or 1,W: the width of dy's "
                           "chunks, F(S,W), 2 to 9");
}

}  // namespace wino::cli
