// The layer-file parser: any bytes as a layer list.
#include <wino/errors.hpp>
#include "tests/fuzz/fuzz_input.hpp"
#include "tuner/layer_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        wino::read_layer_list(wino::fuzz::as_file(data, size, ".txt"));
    } catch (const wino::InputError&) {
    }
    return 0;
}
