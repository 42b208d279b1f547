// Writing files so that readers see the old content or the new, never a part:
// each is written to a temporary beside it, then renamed over it. Temporaries
// are hidden and carry their writer's pid (".name.wino-tmp-<pid>"), so they are
// never mistaken for output: SIGINT and SIGTERM remove them at once (see
// below), and the next write into a folder removes those whose writer is gone
// (kill -9).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wino {

// Makes SIGINT and SIGTERM remove this process's temporaries, then do what
// they did before (the CLI installs it at start).
void remove_temporaries_on_signals();

// Creates missing parent folders; throws std::runtime_error naming the path on
// failure, leaving no temporary behind.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// A set of files (a kernel set): every temporary is written before the first
// rename, so a failure or a kill while writing leaves none of the new files.
void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string>>& files);

// Throws InputError when `folder` (created if missing) cannot take a file:
// checked before long work whose result goes there.
void check_writable_folder(const std::filesystem::path& folder);

}  // namespace wino
