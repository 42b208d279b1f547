// What a convolution runs, independent of the backend: the layer, the kernels
// of the variant (emitted from recipes), the buffers and their sizes, each
// launch's workgroup counts, and the argument block. A plan is data: every
// executor consumes one, and `emit` writes its kernels. NCHW input and output, KCRS filters, stride 1, zero padding per side.
#pragma once

#include "templates/emitter.hpp"
#include "templates/layer.hpp"
#include "templates/passes.hpp"
#include "generator/points.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wino {

struct ConvConfig {
    Variant variant = Variant::fused;
    // The output tile along H and W: F(m.h×m.w, R×S). An axis whose filter
    // size is 1 is not transformed, and its tile is 1 (tile_for). For
    // backward-filter, 1×w: the width of dy's chunks, F(S, w) (pass_tile).
    TileSize m = 4;
    KernelParams params;
    // The interpolation points as --points takes them ("0,1,-1,1/2,-2"; the
    // point at infinity is implied); empty: the default set for alpha. A
    // Winograd variant's only; they are those of every axis with R or S > 1,
    // which must then share alpha (points_alpha).
    std::string points = "";
    Precision precision = Precision::fp32;  // a Winograd variant's only
    Epilogue epilogue = {};
    // What the kernels compute for the layer (passes.hpp); the backward
    // passes have no epilogue.
    Pass pass = Pass::forward;
    // Precision int8's clips (data the kernels read from the scales buffer,
    // not part of their code); empty at the other precisions.
    Int8Clips clips = {};
    friend bool operator==(const ConvConfig&, const ConvConfig&) = default;
};

// The tile a layer runs with when asked for `m`: 1 along an axis whose filter
// size is 1 (F(1,1) is the identity), m elsewhere; for backward-filter, 1×m.w
// (the chunk width).
TileSize tile_for(const ConvShape& shape, TileSize m, Pass pass = Pass::forward);

// The config as its pass's kernels compute the pass_shape: m is pass_tile's.
ConvConfig computed_config(const ConvShape& layer, const ConvConfig& config);
// What a Winograd config's kernels compute for the layer, as messages name
// it: "F(4,3)", or for backward-filter in chunks of 6 "F(1x3,1x6)", F(3,6)
// along W.
std::string algorithm_text(const ConvShape& layer, const ConvConfig& config);

// Values in a buffer the plan binds: the layer's tensors in the images,
// filters and result buffers as the pass puts them there, buffer_floats of
// the pass_shape `s` for U, V and M.
long long plan_buffer_floats(BufferId buffer, const ConvShape& layer, Pass pass, const ConvShape& s, const Tiling& tiling);

// Throws InputError for a tile the R×S filter does not allow along an axis
// (a filter size of 1 takes tile 1), or --points the two axes cannot share.
void validate_axes(const ConvShape& shape, TileSize m, const std::string& points);

// The config's points for one axis, F(m,r) (validated).
PointSet points_of(const ConvConfig& config, int m, int r);
// --points text as a config holds it: parsed for the tile's points_alpha,
// written back the one way ("0,1,-1,1/2,-2"), and empty when it is the
// default set.
std::string canonical_points(const std::string& text, TileSize m, int r, int s);

// The recipes of a Winograd config for a layer, from the recipe database
// (`options`: the precision's, optimizer_options): F(m.h, R) along H and
// F(m.w, S) along W, one set where both are the same.
class LayerRecipes {
public:
    LayerRecipes(const ConvShape& shape, const ConvConfig& config, const OptimizerOptions& options,
                 const std::function<void(const std::string&)>& progress = {});
    ConvAlgorithm algorithm() const;
    const RecipeSet& h() const { return h_; }
    const RecipeSet& w() const { return w_ ? *w_ : h_; }

private:
    RecipeSet h_;
    std::optional<RecipeSet> w_;  // none: the same as h_
};

// The α_h·α_w positions of a Winograd config's tile on the layer (its
// pass's): the taps precision int8 clips V at, one clip each.
long long tile_positions(const ConvShape& layer, const ConvConfig& config);

// Throws InputError for non-positive sizes, empty outputs, an m the recipes do
// not allow, parameters the layer does not allow (the parameter table's
// constraints), and shapes whose buffers would need indices past 2^31 − 1.
// `shape` is the layer as its forward pass describes it; everything past the
// fields' ranges is judged on the pass_shape the kernels compute.
// `naming`: how the parameters' refusals name them (the CLI's flags, or keys).
void validate_shape(const ConvShape& shape, const ConvConfig& config, ParamNaming naming = ParamNaming::key);

struct Launch {
    std::size_t kernel;                   // index into ConvPlan::kernels
    std::array<std::uint32_t, 3> groups;  // workgroups (Vulkan) / blocks (CUDA)
};

struct ConvPlan {
    ConvShape layer;  // as its forward pass describes it
    ConvShape shape;  // the pass_shape: what the kernels compute
    ConvConfig config;
    Tiling tiling;
    std::vector<EmittedKernel> kernels;
    // Per kernel, SPIR-V compiled ahead of time (a generated registry's, for
    // the Vulkan backend); none: the executor compiles the source.
    std::vector<std::vector<std::uint32_t>> spirv;
    // Every buffer a kernel binds, in 32-bit words (a 16-bit buffer holds two
    // elements a word).
    std::map<BufferId, std::size_t> buffer_floats;
    std::vector<Launch> filter_launches, input_launches;  // once per weight tensor; per input
    KernelArgs args;
    // A Winograd plan's recipes: precision int8 quantizes U by the filters'
    // own transform, which the host runs to find each filter's scales.
    std::optional<LayerRecipes> recipes = std::nullopt;
};

ConvPlan make_plan(const ConvShape& shape, const ConvConfig& config, Backend backend);

// Throws DeviceError when the layer's kernels would pass a limit of the device
// that the layer, m and the variant decide together, not one parameter alone
// (those are the parameter table's): a buffer past the device's buffer or
// texel-buffer size, a launch past its workgroup counts, a precision the
// device cannot store. Nothing is emitted.
void check_device_limits(const ConvShape& shape, const ConvConfig& config, const DeviceLimits& limits);
// Why the device cannot run a precision (what check_device_limits throws); empty when it can.
std::string precision_refusal(Precision precision, const DeviceLimits& limits);

// The fused block fitted to F(m, R×S) (the filter shape of `shape`): halved
// until it needs at most 32 KiB of shared memory, which the GPUs we know all
// give a workgroup (mobile ones no more), then register tiles given up and
// positions split further until a thread holds at most 128 sums (the
// fused_positions constraint).
void fit_fused_block(KernelParams& params, const ConvShape& shape, TileSize m);

// Kernel parameters to start from before tuning: the default GEMM workgroup
// covers 64 tile positions, which idles most threads when a layer has few
// tiles (13×13, 6×6 images), so such layers spread the workgroup along K; the
// fused block fitted to the tile. For the pass's kernels on the layer.
KernelParams suggested_params(const ConvShape& layer, TileSize m, DeviceClass device_class, Pass pass = Pass::forward);

// {"variant": "nonfused", "m": 4 (or [4, 2]), "unroll": "full", ...}: how the
// tuning database and JSON outputs name a configuration.
nlohmann::ordered_json to_json(const ConvConfig& config);
// Precision int8's clips as the tuning database stores them and run reports
// them: {"taps": [...], "weights": w, "source": "..."}. clips_from_json throws
// InputError for another form.
nlohmann::ordered_json to_json(const Int8Clips& clips);
Int8Clips clips_from_json(const nlohmann::json& j);
// Throws InputError for a malformed object.
ConvConfig config_from_json(const nlohmann::json& j, Backend backend);

// The tiles m of the standard recipes for a filter size r (1 where r is 1: F(1,1)).
std::vector<int> standard_ms(int r);

// What a layer runs without tuning (`run` and `emit` without a tuning result):
// nonfused, m 4 along each axis (the first m of the standard recipes where
// they lack 4; 1 where the filter is 1), suggested_params.
ConvConfig untuned_config(const ConvShape& shape, DeviceClass device_class, Pass pass = Pass::forward);

// `config` with its parameters fitted to the device its kernels run on
// (fit_to_device, for its variant's kernels, the backend and its precision),
// those in `given` (set by the user) left as they are: what runs where no
// tuning result or flag says otherwise.
ConvConfig fit_to_device(ConvConfig config, Backend backend, const DeviceLimits& limits, const std::vector<Param>& given = {});

}  // namespace wino
