// Must not compile: a kernel parameter is named by Param, so a misspelt or
// string name is a compile-time error (tests/CMakeLists.txt expects the
// compiler's refusal of this operator[]).
#include "templates/kernel_params.hpp"

int main() {
    wino::KernelParams params;
    return params["gemm_registers"][0];
}
