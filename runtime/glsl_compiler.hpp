// GLSL compute shader → SPIR-V, in process with glslang; results are cached by
// a hash of the source for the life of the process.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wino {

// Throws std::runtime_error with glslang's log when the source does not compile.
std::vector<std::uint32_t> compile_glsl(const std::string& source);

}  // namespace wino
