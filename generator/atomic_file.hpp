// Writing a file so that readers see the old content or the new, never a part:
// write a temporary beside it, then rename over it.
#pragma once

#include <filesystem>
#include <string_view>

namespace wino {

// Creates missing parent folders; throws std::runtime_error naming the path on
// failure, leaving no temporary behind.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace wino
