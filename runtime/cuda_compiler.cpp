// NVRTC, with ptxas's verbose report kept for diagnostics; CUDA's register
// allocation.
#include "runtime/cuda_compiler.hpp"

#include <wino/errors.hpp>

#include <nvrtc.h>

#include <fmt/format.h>

#include "generator/once_cache.hpp"

#include <regex>

namespace wino {

namespace {

CudaBinary compile_uncached(const std::string& source, const std::string& name, int arch) {
    nvrtcProgram program;
    if (nvrtcCreateProgram(&program, source.c_str(), (name + ".cu").c_str(), 0, nullptr, nullptr) != NVRTC_SUCCESS)
        throw DeviceError("NVRTC could not create a program");
    const std::string arch_flag = fmt::format("--gpu-architecture=sm_{}", arch);
    const char* flags[] = {arch_flag.c_str(), "--std=c++17", "--ptxas-options=-v"};
    const nvrtcResult compiled = nvrtcCompileProgram(program, 3, flags);
    std::size_t log_size = 0;
    nvrtcGetProgramLogSize(program, &log_size);
    std::string log(log_size, '\0');
    nvrtcGetProgramLog(program, log.data());
    if (compiled != NVRTC_SUCCESS) {
        nvrtcDestroyProgram(&program);
        throw DeviceError(fmt::format("NVRTC could not compile {}: {}", name, log));
    }
    CudaBinary binary{std::string(), log};
    std::size_t size = 0;
    nvrtcGetCUBINSize(program, &size);
    binary.cubin.assign(size, '\0');
    nvrtcGetCUBIN(program, binary.cubin.data());
    nvrtcDestroyProgram(&program);
    return binary;
}

}  // namespace

// NVRTC compiles programs on different threads at once: the cache only keeps
// two threads from compiling one.
CudaBinary compile_cuda(const std::string& source, const std::string& name, int arch) {
    static OnceCache<std::pair<std::string, int>, CudaBinary> cache;
    return cache.get({source, arch}, [&] { return compile_uncached(source, name, arch); });
}

// "ptxas info    : Used 40 registers, used 0 barriers" and
// "ptxas         .     0 bytes stack frame, 8 bytes spill stores, 8 bytes spill loads"
std::optional<PtxasReport> ptxas_report(const std::string& log) {
    std::smatch match;
    if (!std::regex_search(log, match, std::regex(R"(Used (\d+) registers)"))) return std::nullopt;
    PtxasReport report{std::stoi(match[1])};
    if (std::regex_search(log, match, std::regex(R"((\d+) bytes spill stores, (\d+) bytes spill loads)")))
        report.spill_bytes = std::stoi(match[1]) + std::stoi(match[2]);
    return report;
}

void check_registers(const EmittedKernel& kernel, int registers, const DeviceLimits& limits) {
    if (!limits.max_registers) return;
    const long long per_warp = (32LL * registers + 255) / 256 * 256, warps = (kernel.workgroup_size + 31) / 32;
    if (per_warp * warps > limits.max_registers)
        throw DeviceError(fmt::format("{} uses {} registers a thread, {} for its workgroup of {}, past the device's {}",
                                      kernel.name, registers, per_warp * warps, kernel.workgroup_size, limits.max_registers));
}

}  // namespace wino
