// glslang front end and SPIR-V back end, with an in-memory cache.
#include "runtime/glsl_compiler.hpp"

#include <glslang/Public/ResourceLimits.h>
#include <glslang/Public/ShaderLang.h>
#include <glslang/SPIRV/GlslangToSpv.h>

#include <fmt/format.h>

#include "generator/once_cache.hpp"

#include <stdexcept>

namespace wino {
namespace {

struct GlslangProcess {
    GlslangProcess() { glslang::InitializeProcess(); }
    ~GlslangProcess() { glslang::FinalizeProcess(); }
};

std::vector<std::uint32_t> compile_uncached(const std::string& source) {
    static GlslangProcess process;
    glslang::TShader shader(EShLangCompute);
    const char* text = source.c_str();
    shader.setStrings(&text, 1);
    shader.setEnvInput(glslang::EShSourceGlsl, EShLangCompute, glslang::EShClientVulkan, 100);
    shader.setEnvClient(glslang::EShClientVulkan, glslang::EShTargetVulkan_1_1);
    shader.setEnvTarget(glslang::EShTargetSpv, glslang::EShTargetSpv_1_3);
    const auto messages = static_cast<EShMessages>(EShMsgSpvRules | EShMsgVulkanRules);
    if (!shader.parse(GetDefaultResources(), 450, false, messages))
        throw std::runtime_error(fmt::format("GLSL does not compile: {}", shader.getInfoLog()));
    glslang::TProgram program;
    program.addShader(&shader);
    if (!program.link(messages)) throw std::runtime_error(fmt::format("GLSL does not link: {}", program.getInfoLog()));
    std::vector<std::uint32_t> spirv;
    glslang::SpvOptions options;
    options.disableOptimizer = false;
    glslang::GlslangToSpv(*program.getIntermediate(EShLangCompute), spirv, &options);
    return spirv;
}

}  // namespace

// glslang compiles different shaders on different threads at once (after
// InitializeProcess): the cache only keeps two threads from compiling one.
std::vector<std::uint32_t> compile_glsl(const std::string& source) {
    static OnceCache<std::string, std::vector<std::uint32_t>> cache;
    return cache.get(source, [&] { return compile_uncached(source); });
}

}  // namespace wino
