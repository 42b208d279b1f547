// The backends kernels are emitted for, as data: each one's names, file
// extension, statement dialect, and the preamble (its prelude and the kernel's
// interface: workgroup size, buffers, argument block) that maps the neutral
// template dialect onto its language. A new backend is an entry here, its
// prelude file, and an executor in runtime/.
#pragma once

#include "generator/build_parts.hpp"
#include "templates/kernel_kinds.hpp"
#include "recipes/recipe_format.hpp"

#include <wino/kinds.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace wino {

// What kind of processor runs the kernels, which decides the parameters they
// start from (the table's defaults): a CPU through a SIMD-on-CPU driver
// (lavapipe: narrow GEMM workgroups, 4 tiles a transform thread, texels
// fetched as vectors), or a GPU (warps of 32: CUDA's shapes, whichever API).
enum class DeviceClass { cpu, gpu };
inline constexpr DeviceClass device_classes[] = {DeviceClass::cpu, DeviceClass::gpu};
const char* to_string(DeviceClass device_class);  // "cpu", "gpu"
// Throws InputError naming the classes; `what` names the text ("--device-class").
DeviceClass parse_device_class(const std::string& name, std::string_view what);

// What a kernel's preamble declares.
struct KernelInterface {
    std::string name;
    int workgroup_size;
    std::vector<BufferUse> buffers;  // in binding / argument order
    bool half_arithmetic = false;    // computes in fp16 (REAL is a 16-bit float)
    ProductOperands product_operands = ProductOperands::as_read;
    bool integer_arithmetic = false;  // the int8 product: REAL is a word of 4 int8 codes, sums in int32
    bool integer_dot = false;         // ... by the device's dot-product instruction (Param::integer_dot)
    bool subgroup = false;            // shuffles among a subgroup's lanes (Param::gemm_subgroup)
    bool cooperative_matrix = false;  // GLSL's product on tensor cores (Param::tensor_cores)
};

struct BackendSpec {
    Backend backend;
    const char* name;       // "glsl": --backend, the JSON "backend"
    const char* api;        // "vulkan": the API that runs it; also accepted by --backend, and --device's prefix
    Part part;              // the build part whose executor runs it
    const char* language;   // "GLSL", in the kernels' header comment
    const char* extension;  // of emitted files: ".comp"
    // Where kernels of the language can include the 1D transforms as functions
    // (render_transform_header), the extension emit writes them with; else "".
    const char* transform_header_extension;
    Dialect dialect;        // how recipe statements are written
    Dialect half_dialect;   // ... in fp16 arithmetic (constants rounded once to fp16)
    std::string (*preamble)(const KernelInterface& kernel);
    // The devices its kernels start from when none is known (emit, wino_generate):
    // lavapipe for GLSL, a GPU for CUDA.
    DeviceClass usual_device;
};

const std::vector<BackendSpec>& backends();
const BackendSpec& spec_of(Backend backend);
// "glsl or cuda".
std::string backend_names();
// Accepts a backend's name or its API's; throws InputError listing them.
// `what` names the text in the message ("--backend").
Backend parse_backend(const std::string& name, std::string_view what);

}  // namespace wino
