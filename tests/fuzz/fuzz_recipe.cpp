// The recipe JSON loader (parse, validate, prove): any bytes as a recipe file.
#include <wino/errors.hpp>
#include "tests/fuzz/fuzz_input.hpp"
#include "recipes/recipe_db.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        wino::load_recipe_file(wino::fuzz::as_file(data, size, ".json"));
    } catch (const wino::InputError&) {
    }
    return 0;
}
