// The run-time paths, from dladdr on a function of this library.
#include "generator/install_paths.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <stdexcept>

namespace wino {

std::filesystem::path library_dir() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void*>(&library_dir), &info) == 0 || !info.dli_fname)
        throw std::runtime_error("cannot tell where libwinogen is loaded from");
    return std::filesystem::weakly_canonical(std::filesystem::path(info.dli_fname)).parent_path();
}

std::filesystem::path data_dir() {
    if (const char* from_env = std::getenv("WINO_GEN_DATA_DIR"); from_env && *from_env) return from_env;
    return library_dir().parent_path() / "share" / "wino-gen";
}

}  // namespace wino
