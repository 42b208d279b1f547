// NumPy .npy files of float32 or float16 in C order: the tensors `wino-gen
// run` reads and writes.
#pragma once

#include <wino/kinds.hpp>

#include <filesystem>
#include <vector>

namespace wino {

struct NpyArray {
    std::vector<long long> shape;
    std::vector<float> data;  // float16 files' values exactly
    ElementType type = ElementType::fp32;  // the file's: '<f4' or '<f2'
};

// Throws InputError naming the file and the problem (not .npy, not <f4 or <f2,
// Fortran order, truncated). `write_npy` writes a float16 file's values
// rounded to nearest even.
NpyArray read_npy(const std::filesystem::path& path);
void write_npy(const std::filesystem::path& path, const NpyArray& array);  // atomic

}  // namespace wino
