// The backend table and each backend's kernel interface writer.
#include "templates/backends.hpp"

#include "generator/half.hpp"

#include <wino/errors.hpp>
#include "templates/layer.hpp"
#include "templates/meta_code.hpp"
#include "templates/precision.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace wino {
namespace {

std::string argument_fields() {
    std::string fields;
    for (const std::string& name : kernel_arg_names()) fields += fmt::format(" int {};", name);
    return fields;
}

bool any_half(const KernelInterface& k) {
    return std::any_of(k.buffers.begin(), k.buffers.end(), [](const BufferUse& use) { return use.half; });
}

// The product's multiply and multiply-add (ProductOperands), and on CUDA the
// tensor cores' block product of the same operands (prelude.mma.cuh): both
// dialects name their helpers alike (prelude.glsl, prelude.cuh).
std::string product_macros(const KernelInterface& k, Backend backend) {
    switch (k.product_operands) {
        case ProductOperands::as_read:
            return std::string("#define PRODUCT(a, b) ((a) * (b))\n#define PRODUCT_FMA(a, b, c) FMA(a, b, c)\n") +
                   (backend == Backend::cuda && any_half(k) ? "#define WINO_MMA wino_f16_mma\n" : "");
        case ProductOperands::tf32:
            return std::string("#define PRODUCT(a, b) (wino_tf32(a) * wino_tf32(b))\n"
                               "#define PRODUCT_FMA(a, b, c) FMA(wino_tf32(a), wino_tf32(b), c)\n") +
                   (backend == Backend::cuda ? "#define WINO_MMA wino_tf32_mma\n" : "");
        case ProductOperands::split_tf32:
            return std::string("#define PRODUCT(a, b) wino_split_tf32_fma(a, b, 0.0f)\n"
                               "#define PRODUCT_FMA(a, b, c) wino_split_tf32_fma(a, b, c)\n") +
                   (backend == Backend::cuda ? "#define WINO_MMA wino_split_tf32_mma\n" : "");
        case ProductOperands::int8:
        case ProductOperands::split_int8:
            return std::string("#define PRODUCT(a, b) wino_dot4(a, b, 0)\n#define PRODUCT_FMA(a, b, c) wino_dot4(a, b, c)\n") +
                   (backend == Backend::cuda ? "#define WINO_MMA wino_s8_mma\n" : "");
    }
    throw std::logic_error("unknown product operands");
}

// fp16 arithmetic, with conversions to fp16 rounded to nearest even as CUDA's
// cvt.rn and the layer error model round them: SPIR-V's RoundingModeRTE (4462)
// for 16-bit floats, from SPV_KHR_float_controls (capability 4467), which GLSL
// can only ask for through its SPIR-V intrinsics.
constexpr const char* glsl_half_arithmetic =
    "#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require\n"
    "#extension GL_EXT_spirv_intrinsics : require\n"
    "spirv_execution_mode(extensions = [\"SPV_KHR_float_controls\"], capabilities = [4467], 4462, 16);\n";

// Every written buffer is stored through STORED_<buffer>(x), which converts the
// working type (REAL, REAL4) to the buffer's element type. Values are read as
// floats (FETCH, FETCH4) or in the working type (FETCH_REAL, FETCH_REAL4).
// OpSDot of two words of 4 int8 codes (PackedVectorFormat4x8Bit, 0), which
// Debian's glslang has no GLSL builtin for: declared through
// GL_EXT_spirv_intrinsics (SPV_KHR_integer_dot_product; capabilities
// DotProduct 6019 and DotProductInput4x8BitPacked 6018; OpSDot is 4450).
constexpr const char* glsl_integer_dot =
    "#extension GL_EXT_spirv_intrinsics : require\n"
    "spirv_instruction(extensions = [\"SPV_KHR_integer_dot_product\"], capabilities = [6019, 6018], id = 4450)\n"
    "int wino_sdot_4x8(int a, int b, spirv_literal int packed_vector_format);\n"
    "#define WINO_DOT_INSTRUCTION\n";

// Subgroup shuffles (Vulkan 1.1, the device's subgroupSupportedOperations).
// A binary16 REAL4 is shuffled as floats, exactly: shuffling 16-bit types
// takes a feature of its own (shaderSubgroupExtendedTypes).
constexpr const char* glsl_subgroup =
    "#extension GL_KHR_shader_subgroup_basic : require\n"
    "#extension GL_KHR_shader_subgroup_shuffle : require\n";

// Cooperative matrices (prelude.coop.glsl), in subgroups, with binary16
// elements; glslang writes them under the Vulkan memory model, whose scopes
// they name.
constexpr const char* glsl_cooperative_matrix =
    "#extension GL_NV_cooperative_matrix : require\n"
    "#extension GL_KHR_memory_scope_semantics : require\n"
    "#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require\n"
    "#extension GL_KHR_shader_subgroup_basic : require\n"
    "#define WINO_COOPERATIVE_MATRIX\n";

// GLSL needs #version first: the interface, then the prelude. Read-only
// buffers are uniform texel buffers (a 16-bit one is read through a 16-bit
// texel format, as floats; an integer one through a 32-bit integer format),
// written ones storage buffers.
std::string glsl_preamble(const KernelInterface& k) {
    const bool writes_int8 = std::any_of(k.buffers.begin(), k.buffers.end(), [](const BufferUse& use) { return use.int8 && use.writes; });
    std::string out = fmt::format("#version 450\n{}{}{}{}{}{}layout(local_size_x = {}) in;\n",
                                  any_half(k) ? "#extension GL_EXT_shader_16bit_storage : require\n" : "",
                                  writes_int8 ? "#extension GL_EXT_shader_8bit_storage : require\n" : "",
                                  k.half_arithmetic ? glsl_half_arithmetic : "", k.integer_dot ? glsl_integer_dot : "",
                                  k.subgroup ? glsl_subgroup : "", k.cooperative_matrix ? glsl_cooperative_matrix : "",
                                  k.workgroup_size);
    for (std::size_t b = 0; b < k.buffers.size(); ++b) {
        const BufferUse& use = k.buffers[b];
        const char* type = use.half      ? (use.width == 4 ? "f16vec4" : "float16_t")
                           : use.integer ? (use.width == 4 ? "ivec4" : "int")
                           : use.int8    ? (use.width == 4 ? "i8vec4" : "int8_t")
                                         : (use.width == 4 ? "vec4" : "float");
        out += use.writes ? fmt::format("layout(std430, binding = {}) writeonly buffer Buffer{} {{ {} {}[]; }};\n", b, b,
                                        type, to_string(use.buffer))
                          : fmt::format("layout(binding = {}) uniform {}samplerBuffer {};\n", b,
                                        use.integer || use.int8 ? "i" : "", to_string(use.buffer));
        // An int8 code (int8-io's output): to nearest even, saturated.
        if (use.writes)
            out += use.int8 ? fmt::format("#define STORED_{}(x) {}({}(clamp(roundEven((x) * WINO_OUTPUT_INVERSE_SCALE) + "
                                          "WINO_OUTPUT_ZERO_POINT, -128.0, 127.0)))\n",
                                          to_string(use.buffer), type, use.width == 4 ? "ivec4" : "int")
                            : fmt::format("#define STORED_{}(x) {}(x)\n", to_string(use.buffer), type);
    }
    out += fmt::format("layout(push_constant) uniform Params {{{} }} p;\n", argument_fields());
    out += k.half_arithmetic      ? "#define REAL float16_t\n#define REAL4 f16vec4\n"
                                    "#define SHUFFLE_REAL4(v, lane) f16vec4(subgroupShuffle(vec4(v), uint(lane)))\n"
           : k.integer_arithmetic ? "#define REAL int\n#define REAL4 ivec4\n#define SHUFFLE_REAL4(v, lane) subgroupShuffle(v, uint(lane))\n"
                                  : "#define REAL float\n#define REAL4 vec4\n#define SHUFFLE_REAL4(v, lane) subgroupShuffle(v, uint(lane))\n";
    return out + template_text("prelude.glsl") + (k.cooperative_matrix ? template_text("prelude.coop.glsl") : "") +
           product_macros(k, Backend::glsl);
}

// One resident block is the minimum asked of ptxas, so it may use the registers
// it needs. 16-bit buffers are wino_half (half4 4 at a time, prelude.half.cuh);
// fp16 arithmetic is wino_f16 (prelude.fp16.cuh); the int8 product works on
// int words (prelude.int8.cuh).
std::string cuda_preamble(const KernelInterface& k) {
    std::string args, stored;
    for (const BufferUse& use : k.buffers) {
        const char* element = use.half ? "wino_half" : use.integer ? "int" : use.int8 ? "signed char" : "float";
        const char* quad = use.half ? "half4" : use.integer ? "int4" : use.int8 ? "char4" : "float4";
        args += use.writes ? fmt::format("{}* __restrict__ {}, ", use.width == 4 ? quad : element, to_string(use.buffer))
                           : fmt::format("const {}* __restrict__ {}, ", element, to_string(use.buffer));
        if (use.writes)
            stored += use.int8 ? fmt::format("#define STORED_{}(x) wino_to_int8(x, WINO_OUTPUT_INVERSE_SCALE, WINO_OUTPUT_ZERO_POINT)\n",
                                             to_string(use.buffer))
                               : fmt::format("#define STORED_{}(x) {}(x)\n", to_string(use.buffer),
                                             use.half ? "wino_to_half" : (k.half_arithmetic ? "wino_to_float" : ""));
    }
    const std::string working = k.half_arithmetic      ? template_text("prelude.fp16.cuh")
                                : k.integer_arithmetic ? template_text("prelude.int8.cuh")
                                                       : template_text("prelude.fp32.cuh");
    return template_text("prelude.cuh") +
           (any_half(k) || k.half_arithmetic ? template_text("prelude.half.cuh") : std::string()) + working +
           template_text("prelude.stage.cuh") + template_text("prelude.mma.cuh") + product_macros(k, Backend::cuda) + stored +
           fmt::format("struct Params {{{} }};\n#define KERNEL_NAME __launch_bounds__({}, 1) {}\n#define KERNEL_ARGS {}Params p\n",
                       argument_fields(), k.workgroup_size, k.name, args);
}

// fp16 constants: GLSL converts the float that holds the binary16 value exactly,
// CUDA takes its bits (no conversion runs for a constant).
std::string glsl_half_constant(const Exact& c) {
    return fmt::format("float16_t({}) /* {} */", to_half(c), to_string(c));
}
std::string cuda_half_constant(const Exact& c) {
    return fmt::format("wino_f16_bits(0x{:04x}) /* {} = {} */", binary16_bits(to_half(c)), to_string(c), to_half(c));
}

}  // namespace

const std::vector<BackendSpec>& backends() {
    static const std::vector<BackendSpec> table = {
        {Backend::glsl, "glsl", "vulkan", Part::vulkan, "GLSL", ".comp", "", Dialect{"REAL", "FMA"},
         Dialect{"REAL", "FMA", glsl_half_constant}, glsl_preamble, DeviceClass::cpu},
        {Backend::cuda, "cuda", "cuda", Part::cuda, "CUDA", ".cu", ".cuh", Dialect{"const REAL", "FMA"},
         Dialect{"const REAL", "FMA", cuda_half_constant}, cuda_preamble, DeviceClass::gpu},
    };
    return table;
}

const char* to_string(DeviceClass device_class) { return device_class == DeviceClass::cpu ? "cpu" : "gpu"; }

DeviceClass parse_device_class(const std::string& name, std::string_view what) {
    for (DeviceClass c : device_classes)
        if (name == to_string(c)) return c;
    throw InputError(fmt::format("{} must be cpu or gpu, not '{}'", what, name));
}

const BackendSpec& spec_of(Backend backend) {
    for (const BackendSpec& spec : backends())
        if (spec.backend == backend) return spec;
    throw std::logic_error("unknown backend");
}

std::string backend_names() {
    std::vector<std::string> names;
    for (const BackendSpec& spec : backends()) names.push_back(spec.name);
    return fmt::format("{}", fmt::join(names, " or "));
}

Backend parse_backend(const std::string& name, std::string_view what) {
    for (const BackendSpec& spec : backends())
        if (name == spec.name || name == spec.api) return spec.backend;
    throw InputError(fmt::format("{} must be {}, not '{}'", what, backend_names(), name));
}

}  // namespace wino
