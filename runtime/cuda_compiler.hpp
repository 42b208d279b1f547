// CUDA source → CUBIN in process with NVRTC (no GPU needed); results are
// cached by (source, architecture) for the life of the process, and NVRTC
// (CUDA 12.9 on) caches them across processes too. A compile served from
// NVRTC's cache runs no ptxas, so nothing here decides from ptxas's report:
// the executor reads each kernel's registers and local memory from the loaded
// function. Built with the CUDA toolkit only.
#pragma once

#include "templates/emitter.hpp"
#include "templates/kernel_params.hpp"

#include <optional>
#include <string>

namespace wino {

struct CudaBinary {
    std::string cubin;
    std::string log;  // NVRTC's log with ptxas's verbose report; empty when served from NVRTC's cache
};

// Throws DeviceError with NVRTC's log when the source does not compile.
CudaBinary compile_cuda(const std::string& source, const std::string& name, int arch);

// ptxas's report of the kernel in a log, for diagnostics and for the compile
// checks of the tests (which run with NVRTC's cache off); nullopt when the log
// has none (a compile NVRTC served from its cache).
struct PtxasReport {
    int registers = 0;    // per thread
    int spill_bytes = 0;  // spill stores + spill loads
};
std::optional<PtxasReport> ptxas_report(const std::string& log);

// Throws DeviceError when `kernel`, compiled to `registers` per thread, cannot
// run its workgroup on the device (limits.max_registers; 0: not known). CUDA
// allocates registers to each warp of 32 threads in units of 256.
void check_registers(const EmittedKernel& kernel, int registers, const DeviceLimits& limits);

}  // namespace wino
