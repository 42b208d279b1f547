// The flags the subcommands share: where a layer runs (backend, device,
// validation), which layer (--input-shape, --filters, --r or --filter-shape,
// --pad), the output tile (--m), and the check every integer flag gets.
#pragma once

#include "runtime/api_state.hpp"
#include "runtime/npy.hpp"
#include "templates/passes.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wino::cli {

struct DeviceOptions {
    std::string backend = "vulkan", device;
    bool validation = false, cuda_graphs = false;
};

void add_device_options(CLI::App* sub, DeviceOptions& options);

struct LayerOptions {
    std::string input_shape;
    std::optional<int> filters;
    std::optional<int> r;
    std::string filter_shape, pad = "0";
};

void add_layer_options(CLI::App* sub, LayerOptions& options);

// The one declaration of each flag that names part of a configuration (run,
// emit and tune take them; `note` says what the subcommand does with it):
// --r or --filter-shape (the filter; R defaults to 3),
void add_filter_options(CLI::App* sub, std::optional<int>& r, std::string& filter_shape);
// --points (the interpolation points of every transformed axis),
void add_points_option(CLI::App* sub, std::string& points, const std::string& note = "");
// --precision (default fp32).
void add_precision_option(CLI::App* sub, std::string& precision, const std::string& note = "");
// --pass (default forward).
void add_pass_option(CLI::App* sub, std::string& pass, const std::string& note = "");
// --max-error E|none: the error budget of a tuned choice. `what` says whose.
void add_max_error_option(CLI::App* sub, std::string& text, const std::string& what);
// The budget --max-error gives at a precision: its default where empty
// (default_error_budget), none for "none"; throws InputError for other text.
std::optional<double> max_error_of(const std::string& text, Precision precision);

// Precision int8's clips, the same flags on run, tune and accuracy --layer:
// Comma-separated finite numbers ("1,2.5,0"); none where the text is not that.
std::optional<std::vector<double>> number_list(const std::string& text);

// --clip c,αta,αtw (given), --calibrate x.npy (a calibration set),
// --calibration (how), --percentile.
struct Int8ClipOptions {
    std::string clip, calibrate, calibration;  // calibration: empty for the precision's default_calibration
    double percentile = 99.9;
    bool given() const { return !clip.empty() || !calibrate.empty(); }
};
// `input` says what calibrates the clips when no file is given; where it is
// empty, the subcommand has no inputs to calibrate on and takes --clip alone.
void add_int8_clip_options(CLI::App* sub, Int8ClipOptions& options, const std::string& input);
// Throws InputError where a clip flag is given at a precision other than int8.
void check_int8_clip_options(const Int8ClipOptions& options, Precision precision);
// The clips for a config on a layer: given (--clip: every tap's clip αta,
// or where it is 0 the exact bound for |x| <= c; U capped at αtw, 0: none),
// else calibrated (--calibration) on --calibrate's images (any number of
// the layer's C,H,W), else on `input` (a whole input tensor of the layer),
// whose source then ends in `input_name`.
Int8Clips int8_clips_for(const Int8ClipOptions& options, const ConvShape& shape, const ConvConfig& config,
                         const std::vector<float>& input, const std::string& input_name);

// --activation, the same on run and emit (epilogue.hpp's forms).
void add_activation_option(CLI::App* sub, std::string& activation);

// Throws InputError for a bad backend or device name, or a backend whose part
// the build leaves out; DeviceError for no device.
Device open_device(const DeviceOptions& options);

// Every integer flag's check, on its text before CLI11 converts it: a decimal
// integer in [min, max], never wrapped or saturated ("--pad: must be an
// integer from 0 to 65536, not 2147483648").
CLI::Validator integer_range(long long min, long long max);
// A number of seconds: finite, 0 to a year (no nan, no inf, no negative).
CLI::Validator seconds_range();

// "1,64,56,56" → {1, 64, 56, 56}: the first `count` of N, C, H, W, K, each
// against its range (layer_fields); throws InputError naming `flag`.
std::vector<long long> parse_shape(const std::string& text, const std::string& flag = "--input-shape", std::size_t count = 4);
// --input-shape: N,C,H,W, or N,C,W for a 1D layer (H = 1).
std::vector<long long> parse_input_shape(const std::string& text);
// The layer of N,C,H,W (or N,C,W: 1D), K filters and the flags' filter size
// and padding, checked. A 1D layer's --pad is P, left,right or same.
ConvShape layer_shape(const std::vector<long long>& input, long long filters, const LayerOptions& options);
// "1x64x56x56": a tensor's dimensions, as messages give them.
std::string dims_text(const std::vector<long long>& dims);
// Throws InputError naming `path` where `array` does not have the layer's
// dimensions for the tensor (tensor_dims).
void check_tensor_dims(const NpyArray& array, const std::string& path, const ConvShape& shape, LayerTensor tensor,
                       bool one_dimensional);
// The real values of a 2D layer's tensor (x, w or dy) from a float32 or
// float16 .npy of its dimensions (tensor_dims); throws InputError naming the
// file and what is wrong with it.
std::vector<float> read_layer_tensor(const std::string& path, const ConvShape& shape, LayerTensor tensor);
// The filters' dimensions as a weights .npy holds them: K,C,R,S, or K,C,S for
// a 1D layer.
std::vector<long long> filter_dims(const ConvShape& shape, bool one_dimensional);

// --m: "M" for the tile of both axes (1 along an axis whose filter is 1:
// tile_for), or "M,N" along H and W as given; throws InputError naming --m.
TileSize parse_tile(const std::string& text, const ConvShape& shape, Pass pass = Pass::forward);
// --m's flag with this help, on run, emit, tune and accuracy.
void add_tile_option(CLI::App* sub, std::string& text, const std::string& help);

}  // namespace wino::cli
