// NumPy .npy files of float32, float16 or int8 in C order: the tensors `wino-gen
// run` reads and writes.
#pragma once

#include <wino/kinds.hpp>

#include <filesystem>
#include <vector>

namespace wino {

struct NpyArray {
    std::vector<long long> shape;
    std::vector<float> data;  // float16 and int8 files' values exactly
    ElementType type = ElementType::fp32;  // the file's: '<f4', '<f2' or '|i1'
};

// Throws InputError naming the file and the problem (not .npy, not <f4, <f2
// or |i1, Fortran order, truncated). `write_npy` writes a float16 file's
// values rounded to nearest even, an int8 file's as int8_code codes them.
NpyArray read_npy(const std::filesystem::path& path);
void write_npy(const std::filesystem::path& path, const NpyArray& array);  // atomic
// Throws InputError where the file holds int8 codes, not real values: only
// int8-io's input is codes (with their scale, given apart).
void require_real_values(const NpyArray& array, const std::filesystem::path& path);

}  // namespace wino
