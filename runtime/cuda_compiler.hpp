// CUDA source → CUBIN in process with NVRTC, with ptxas's report of each
// kernel's registers and spills (no GPU needed); results are cached by
// (source, architecture) for the life of the process. Built with the CUDA
// toolkit only.
#pragma once

#include <string>

namespace wino {

struct CudaBinary {
    std::string cubin;
    int registers = 0;    // per thread, as ptxas allocated them
    int spill_bytes = 0;  // spill stores + spill loads
};

// Throws DeviceError with NVRTC's log when the source does not compile.
CudaBinary compile_cuda(const std::string& source, const std::string& name, int arch);

}  // namespace wino
