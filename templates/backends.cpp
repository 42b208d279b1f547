// The backend table and each backend's kernel interface writer.
#include "backends.hpp"

#include <wino/errors.hpp>
#include "layer.hpp"
#include "meta_code.hpp"
#include "precision.hpp"

#include <fmt/format.h>

#include <algorithm>

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

// The intermediates U, V and M are stored through STORED_<buffer>(x), which
// converts to the buffer's element type where it is 16-bit.
// GLSL needs #version first: the interface, then the prelude. Read-only
// buffers are uniform texel buffers (a 16-bit one is read through a 16-bit
// texel format, as floats), written ones storage buffers.
std::string glsl_preamble(const KernelInterface& k) {
    std::string out = fmt::format("#version 450\n{}layout(local_size_x = {}) in;\n",
                                  any_half(k) ? "#extension GL_EXT_shader_16bit_storage : require\n" : "",
                                  k.workgroup_size);
    for (std::size_t b = 0; b < k.buffers.size(); ++b) {
        const BufferUse& use = k.buffers[b];
        const char* type = use.half ? (use.width == 4 ? "f16vec4" : "float16_t") : (use.width == 4 ? "vec4" : "float");
        out += use.writes ? fmt::format("layout(std430, binding = {}) writeonly buffer Buffer{} {{ {} {}[]; }};\n", b, b,
                                        type, to_string(use.buffer))
                          : fmt::format("layout(binding = {}) uniform samplerBuffer {};\n", b, to_string(use.buffer));
        if (use.writes && is_intermediate(use.buffer))
            out += fmt::format("#define STORED_{}(x) {}(x)\n", to_string(use.buffer), use.half ? type : "");
    }
    out += fmt::format("layout(push_constant) uniform Params {{{} }} p;\n", argument_fields());
    return out + template_text("prelude.glsl");
}

// One resident block is the minimum asked of ptxas, so it may use the registers
// it needs. 16-bit buffers are wino_half (half4 4 at a time, prelude.half.cuh).
std::string cuda_preamble(const KernelInterface& k) {
    std::string args, stored;
    for (const BufferUse& use : k.buffers) {
        const char* element = use.half ? "wino_half" : "float";
        args += use.writes ? fmt::format("{}* __restrict__ {}, ", use.width == 4 ? (use.half ? "half4" : "float4") : element,
                                         to_string(use.buffer))
                           : fmt::format("const {}* __restrict__ {}, ", element, to_string(use.buffer));
        if (use.writes && is_intermediate(use.buffer))
            stored += fmt::format("#define STORED_{}(x) {}(x)\n", to_string(use.buffer), use.half ? "wino_to_half" : "");
    }
    return template_text("prelude.cuh") + (any_half(k) ? template_text("prelude.half.cuh") : std::string()) + stored +
           fmt::format("struct Params {{{} }};\n#define KERNEL_NAME __launch_bounds__({}, 1) {}\n#define KERNEL_ARGS {}Params p\n",
                       argument_fields(), k.workgroup_size, k.name, args);
}

}  // namespace

const std::vector<BackendSpec>& backends() {
    static const std::vector<BackendSpec> table = {
        {Backend::glsl, "glsl", "vulkan", "GLSL", ".comp", "", Dialect{"float", "FMA"}, glsl_preamble},
        {Backend::cuda, "cuda", "cuda", "CUDA", ".cu", ".cuh", Dialect{"const float", "FMA"}, cuda_preamble},
    };
    return table;
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

Backend parse_backend(const std::string& name) {
    for (const BackendSpec& spec : backends())
        if (name == spec.name || name == spec.api) return spec.backend;
    throw InputError(fmt::format("--backend must be {}, not '{}'", backend_names(), name));
}

}  // namespace wino
