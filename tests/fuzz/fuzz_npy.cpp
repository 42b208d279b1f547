// The .npy reader: any bytes as a file.
#include <wino/errors.hpp>
#include "tests/fuzz/fuzz_input.hpp"
#include "runtime/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        wino::read_npy(wino::fuzz::as_file(data, size, ".npy"));
    } catch (const wino::InputError&) {
    }
    return 0;
}
