// What every fuzz target shares: the bytes as a file for the readers that take
// a path (in /dev/shm when it exists), and the rule that bad input may only be
// refused with InputError; anything else escaping is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace wino::fuzz {

inline std::filesystem::path as_file(const std::uint8_t* data, std::size_t size, const char* extension) {
    static const std::filesystem::path path =
        (std::filesystem::is_directory("/dev/shm") ? std::filesystem::path("/dev/shm") : std::filesystem::temp_directory_path()) /
        ("wino-fuzz-" + std::to_string(::getpid()) + extension);
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

}  // namespace wino::fuzz
