// The tuning parameters of the emitted kernels (EuroSys'20 Table 1) as one
// table. Each entry is the whole description of a parameter: its name, flag,
// help, type, default per backend, allowed values, the kernel kinds whose code
// it shapes, and its constraints as functions of (parameters, layer, device
// limits). Validation, the run/emit flags and their help, the kernels' header
// comment, #defines and systematic names, the JSON config and the tuner's
// search space are all derived from it.
// Which variant and which m run are not kernel parameters: they choose which
// kernels exist (ConvConfig), these say how each one is written.
#pragma once

#include "templates/backends.hpp"
#include "templates/kernel_kinds.hpp"
#include "templates/layer.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wino {

// How a value is written: a count ("64"), a pair ("1,8"), an unroll factor
// (a count or "full", held as 0), a switch ("on"/"off", held as 1/0), one of
// the spec's named choices (held as its index; the first is the plain form),
// or a count that may be "off" (held as 0).
enum class ParamType { count, pair, unroll, flag, choice, count_or_off };

using ParamValue = std::array<int, 2>;  // the second entry only for a pair

// What a device allows, in backend-neutral terms (executors fill it).
struct DeviceLimits {
    std::uint32_t max_workgroup_size = 0;                  // threads per workgroup
    std::array<std::uint32_t, 3> max_groups = {0, 0, 0};   // workgroups along each axis
    std::size_t max_shared_bytes = 0;                      // per workgroup
    // Sizes of one buffer a kernel binds; 0 where the device sets no limit.
    std::size_t max_buffer_bytes = 0;    // a buffer it writes (Vulkan: a storage buffer's range)
    std::size_t max_texel_elements = 0;  // a buffer it reads, in elements of its width (Vulkan: texel buffers)
    std::uint32_t max_registers = 0;     // per workgroup, of the compiler's count per thread (CUDA); 0: not known
    bool vendor_gemm = false;            // the API's BLAS can compute the non-fused product (CUDA: cuBLAS)
    bool half_storage = false;           // 16-bit buffers, read and written (precision fp16-storage)
    bool half_arithmetic = false;        // fp16 arithmetic (precision fp16; Vulkan: shaderFloat16, RTE rounding)
    // mma with binary16 operands and fp32 sums (CUDA: sm_75 on; Vulkan:
    // cooperative matrices of tensor_core_tile's shape in subgroups of 32)
    bool tensor_cores = false;
    bool tf32_tensor_cores = false;      // mma with TF32 operands and fp32 sums, and m16n8k32 with s8 ones (CUDA: sm_80 on)
    DeviceClass device_class = DeviceClass::cpu;  // the parameters kernels start from (CUDA: gpu; Vulkan: by device type)
    // 4-way int8 dot products with int32 sums (Vulkan: shaderIntegerDotProduct;
    // CUDA's int8 GEMM always has dp4a)
    bool integer_dot_product = false;
    // 8-bit storage buffers, written (precision int8-io's output; Vulkan:
    // storageBuffer8BitAccess), and 8-bit integer texels read (its input)
    bool int8_storage = false;
    // The lanes of a compute subgroup, where shuffles among them are offered
    // and every compute subgroup has that many (CUDA: a warp's 32; Vulkan:
    // subgroupSize where compute has shuffles and every subgroup is that
    // size); 0 otherwise.
    std::uint32_t subgroup_size = 0;
};

// How messages name a parameter: by its JSON key, as the API's KernelChoice
// and every file do ("gemm_registers"), or by its flag, as the CLI does
// ("--gemm-registers").
enum class ParamNaming { key, flag };

// What a constraint may read. A constraint that needs the layer or the device
// is checked once they are known (make_plan, an executor), and only when one of
// `kinds` (the kernels being made) is shaped by its parameter.
struct ParamContext {
    std::vector<KernelKind> kinds;
    const ConvShape* shape = nullptr;
    TileSize m = 0;
    const DeviceLimits* limits = nullptr;
    ParamNaming naming = ParamNaming::key;  // of its messages
    // What the kernels are written in and kept at; a constraint on either is
    // not judged while it is not known.
    std::optional<Backend> backend = std::nullopt;
    std::optional<Precision> precision = std::nullopt;
};

struct ParamSpec;

struct ParamConstraint {
    enum class Needs { value, layer, device } needs;
    // Why `params` break the constraint of `spec`'s parameter; empty when they keep it.
    std::string (*violation)(const ParamSpec& spec, const KernelParams& params, const ParamContext& context);
};

// Every parameter, in the table's order: what code names a parameter by, so
// a misspelt one does not compile.
enum class Param {
    unroll,
    workgroup_size,
    gemm_threads,
    gemm_registers,
    gemm_staging,
    gemm_subgroup,
    tensor_cores,
    integer_dot,
    cublas,
    fused_tile,
    fused_registers,
    fused_positions,
    transform_tiles,
    vector_rows
};

struct ParamSpec {
    Param param;
    const char* name;  // the JSON key and the header's word: "gemm_registers"
    const char* flag;  // "--gemm-registers"
    const char* help;
    ParamType type;
    const char* tag;  // its part of a kernel name: "r" → "r16x8"
    // A pair's two numbers as the kernels' #defines name them (WINO_GEMM_THREADS_K).
    std::array<const char*, 2> parts = {};
    std::vector<const char*> choices = {};  // a choice's values, as written
    ParamValue value;  // the default on a CPU (lavapipe)...
    std::optional<ParamValue> gpu_value = std::nullopt;  // ...and on a GPU where it differs
    int min, max;                                                     // of each number
    std::vector<ParamValue> candidates;                               // what the tuner tries (with the starting value)
    std::vector<KernelKind> kinds;                                    // the kernels whose code it shapes
    // Each reads its own parameter and earlier ones in the table's order, never
    // a later one (the search space judges values in that order).
    std::vector<ParamConstraint> constraints = {};
    // A switch that, when on, leaves this parameter without effect (cuBLAS
    // computes the product the GEMM kernel's tiles would): the tuner keeps
    // its starting value then, rather than time identical candidates.
    std::optional<Param> inert_when = std::nullopt;
    // The devices on which a switch (or a count that may be off) is on by
    // default wherever its constraints allow it for the kernels, backend,
    // precision and device at hand (fit_to_device), at its first candidate
    // that they allow: a capability the device offers is taken without tuning.
    std::vector<DeviceClass> on_where_allowed = {};
};

const std::vector<ParamSpec>& param_table();
const ParamSpec& param_spec(Param param);
const char* param_label(const ParamSpec& spec, ParamNaming naming);
// The parameter of that JSON key (what reads outside input); null for none.
const ParamSpec* find_param(std::string_view name);

// One value per table entry.
class KernelParams {
public:
    KernelParams() : KernelParams(DeviceClass::cpu) {}
    explicit KernelParams(DeviceClass device_class);  // the table's defaults for such a device
    const ParamValue& operator[](Param param) const;
    ParamValue& operator[](Param param);
    friend bool operator==(const KernelParams&, const KernelParams&) = default;

private:
    std::vector<ParamValue> values_;  // in table order
};

// The defaults where no device is known: for the backend's usual device.
KernelParams default_params(Backend backend);

// The defaults fitted to where the kernels run: each on_where_allowed switch
// turned on where its constraints hold in `context` (on a device of its
// classes), with the other parameters as they are; a parameter in `given`
// (what the user set) is left alone. A context that does not know the
// backend, the precision and the device leaves `params` as they are.
KernelParams fit_to_device(KernelParams params, const ParamContext& context, const std::vector<Param>& given = {});

// "full", "1x8", "64", "on": how headers and messages show a value.
std::string value_text(const ParamSpec& spec, const ParamValue& value);
// Reads a value's text ("full", "1,8", "64", "on"); throws InputError naming
// the parameter as `naming` says.
ParamValue parse_value(const ParamSpec& spec, const std::string& text, ParamNaming naming);
// Its #defines in a kernel it shapes: "#define WINO_GEMM_THREADS_K 1\n#define
// WINO_GEMM_THREADS_P 8\n" (an unroll of 0 is full; a switch is 0 or 1).
std::string defines_of(const ParamSpec& spec, const ParamValue& value);
// Its part of a kernel name: "u4", "t1x8", "vr" (a switch only when on), a
// choice's value ("double"; none for the first).
std::string name_part(const ParamSpec& spec, const ParamValue& value);
bool applies_to(const ParamSpec& spec, KernelKind kind);

// {"unroll": "full", "gemm_threads": [1, 8], "vector_rows": false, ...}
nlohmann::ordered_json to_json(const KernelParams& params);
// The inverse of to_json, from `start` for keys it lacks; throws InputError
// for an unknown key or a value of the wrong form (ranges are check_params's).
KernelParams params_from_json(const nlohmann::json& j, KernelParams start);

// Throws InputError for a value out of range or a layer constraint broken,
// DeviceError for a device limit passed, naming the parameter (as
// context.naming says) and the reason.
void check_params(const KernelParams& params, const ParamContext& context);

}  // namespace wino
